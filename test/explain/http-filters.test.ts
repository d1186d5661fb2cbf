import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../src/envoy/resource';
import { explainRequest, type ExplainRequest } from '../../src/explain';
import { fwd, httpFilter, httpGateway, req, vhost } from './builders';

const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

function gateway(filters: JsonObject[], routes: JsonObject[], o: Omit<Parameters<typeof httpGateway>[1] & object, 'httpFilters'> = {}) {
  return httpGateway([vhost('vh', ['*'], routes)], { ...o, httpFilters: filters });
}

const ipAllowList = httpFilter('envoy.filters.http.rbac', 'envoy.extensions.filters.http.rbac.v3.RBAC', {
  rules: {
    action: 'ALLOW',
    policies: {
      'office-network': { permissions: [{ any: true }], principals: [{ direct_remote_ip: { address_prefix: '203.0.113.0', prefix_len: 24 } }] },
    },
  },
});

test('rbac: ALLOW by direct peer IP forwards allowed clients and denies others with 403', () => {
  const resources = gateway([ipAllowList], [fwd('r', { prefix: '/' }, 'backend')]);
  const ok = explainRequest(resources, req({ sourceIp: '203.0.113.7' }));
  assert.equal(ok.decision, 'forward');
  const rbac = ok.filters.find((f) => f.name === 'envoy.filters.http.rbac');
  assert.equal(rbac?.status, 'runs');
  assert.equal(rbac?.rbac?.result, 'allowed');
  assert.equal(rbac?.rbac?.matchedPolicy, 'office-network');

  const denied = explainRequest(resources, req({ sourceIp: '198.51.100.1' }));
  assert.equal(denied.decision, 'denied');
  assert.equal(denied.status, 403);
  assert.equal(denied.filters.find((f) => f.name === 'envoy.filters.http.rbac')?.rbac?.result, 'denied');
  assert.equal(denied.upstream, undefined);
  assert.equal(denied.filters.find((f) => f.name === 'envoy.filters.http.router')?.status, 'skipped');
});

test('rbac: DENY policy on a header (and/not combinations) names the policy that denied', () => {
  const deny = httpFilter('envoy.filters.http.rbac', 'envoy.extensions.filters.http.rbac.v3.RBAC', {
    rules: {
      action: 'DENY',
      policies: {
        'block-bots': {
          permissions: [{ and_rules: { rules: [{ header: { name: ':method', string_match: { exact: 'GET' } } }, { not_rule: { url_path: { path: { prefix: '/public' } } } }] } }],
          principals: [{ header: { name: 'user-agent', string_match: { contains: 'bot' } } }],
        },
      },
    },
  });
  const resources = gateway([deny], [fwd('r', { prefix: '/' }, 'backend')]);
  const bot = explainRequest(resources, req({ path: '/private', headers: { 'user-agent': 'evilbot/1.0' } }));
  assert.equal(bot.decision, 'denied');
  assert.equal(bot.filters[0]?.rbac?.matchedPolicy, 'block-bots');
  assert.equal(explainRequest(resources, req({ path: '/public/x', headers: { 'user-agent': 'evilbot/1.0' } })).decision, 'forward');
  assert.equal(explainRequest(resources, req({ path: '/private', headers: { 'user-agent': 'firefox' } })).decision, 'forward');
});

test('rbac: remote_ip uses X-Forwarded-For as the HCM trusts it', () => {
  const f = httpFilter('envoy.filters.http.rbac', 'envoy.extensions.filters.http.rbac.v3.RBAC', {
    rules: { action: 'ALLOW', policies: { clients: { permissions: [{ any: true }], principals: [{ remote_ip: { address_prefix: '192.0.2.0', prefix_len: 24 } }] } } },
  });
  const resources = gateway([f], [fwd('r', { prefix: '/' }, 'backend')], { hcm: { use_remote_address: true, xff_num_trusted_hops: 1 } });
  assert.equal(explainRequest(resources, req({ sourceIp: '10.0.0.9', headers: { 'x-forwarded-for': '192.0.2.44' } })).decision, 'forward');
  assert.equal(explainRequest(resources, req({ sourceIp: '10.0.0.9', headers: { 'x-forwarded-for': '198.51.100.2' } })).decision, 'denied');
  assert.equal(explainRequest(resources, req({ sourceIp: '192.0.2.44' })).decision, 'forward', 'no XFF: the peer address');
});

test('rbac: without a source IP the outcome is unknown and stated as an assumption', () => {
  const r = explainRequest(gateway([ipAllowList], [fwd('r', { prefix: '/' }, 'backend')]), req());
  assert.equal(r.filters[0]?.outcome, 'unknown');
  assert.equal(r.filters[0]?.rbac?.result, 'unknown');
  assert.equal(r.decision, 'forward');
  assert.ok(r.assumptions.some((a) => a.includes('sourceIp')));
});

test('per-route FilterConfig disabled turns a filter off for one route only', () => {
  const routes = [
    fwd('health', { path: '/healthz' }, 'backend', {}, { typed_per_filter_config: { 'envoy.filters.http.rbac': { '@type': FILTER_CONFIG, disabled: true } } }),
    fwd('rest', { prefix: '/' }, 'backend'),
  ];
  const resources = gateway([ipAllowList], routes);
  const health = explainRequest(resources, req({ path: '/healthz', sourceIp: '198.51.100.1' }));
  assert.equal(health.decision, 'forward');
  assert.equal(health.filters[0]?.status, 'disabled');
  assert.equal(health.filters[0]?.perRouteConfigFrom, 'route');
  assert.equal(explainRequest(resources, req({ path: '/other', sourceIp: '198.51.100.1' })).decision, 'denied');
});

test('an HCM filter declared disabled runs only where a route enables it', () => {
  const limited = httpFilter('envoy.filters.http.rbac', 'envoy.extensions.filters.http.rbac.v3.RBAC', { rules: { action: 'DENY', policies: { all: { permissions: [{ any: true }], principals: [{ any: true }] } } } }, { disabled: true });
  const routes = [
    fwd('locked', { prefix: '/locked' }, 'backend', {}, { typed_per_filter_config: { 'envoy.filters.http.rbac': { '@type': FILTER_CONFIG, config: {} } } }),
    fwd('open', { prefix: '/' }, 'backend'),
  ];
  const resources = gateway([limited], routes);
  const open = explainRequest(resources, req({ path: '/x' }));
  assert.equal(open.filters[0]?.status, 'disabled');
  assert.equal(open.decision, 'forward');
  assert.equal(explainRequest(resources, req({ path: '/locked/x' })).decision, 'denied');
});

const jwtFilter = httpFilter('envoy.filters.http.jwt_authn', 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication', {
  providers: { idp: { issuer: 'https://idp.example.com', local_jwks: { inline_string: '{"keys":[]}' } } },
  requirement_map: { 'need-idp': { provider_name: 'idp' }, optional: { requires_any: { requirements: [{ provider_name: 'idp' }, { allow_missing: {} }] } } },
});
const JWT_PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig';

test('jwt: a required provider without a token gives 401; with a bearer token it passes (assumed valid)', () => {
  const routes = [fwd('api', { prefix: '/' }, 'backend', {}, { typed_per_filter_config: { 'envoy.filters.http.jwt_authn': { '@type': JWT_PER_ROUTE, requirement_name: 'need-idp' } } })];
  const resources = gateway([jwtFilter], routes);
  const missing = explainRequest(resources, req());
  assert.equal(missing.decision, 'denied');
  assert.equal(missing.status, 401);
  assert.equal(missing.filters[0]?.jwt?.result, 'missing_token');
  assert.equal(missing.filters[0]?.jwt?.requirementSource, 'route requirement_name "need-idp"');
  const withToken = explainRequest(resources, req({ headers: { authorization: 'Bearer eyJhbGciOi.x.y' } }));
  assert.equal(withToken.decision, 'forward');
  assert.equal(withToken.filters[0]?.jwt?.result, 'assumed_valid');
  assert.deepEqual(withToken.filters[0]?.jwt?.tokensFoundFor, ['idp']);
  assert.equal(explainRequest(resources, req({ path: '/?access_token=abc' })).decision, 'forward', 'default location: access_token query parameter');
});

test('jwt: per-route disabled and allow_missing routes let requests without a token through', () => {
  const routes = [
    fwd('public', { prefix: '/public' }, 'backend', {}, { typed_per_filter_config: { 'envoy.filters.http.jwt_authn': { '@type': JWT_PER_ROUTE, disabled: true } } }),
    fwd('optional', { prefix: '/optional' }, 'backend', {}, { typed_per_filter_config: { 'envoy.filters.http.jwt_authn': { '@type': JWT_PER_ROUTE, requirement_name: 'optional' } } }),
  ];
  const resources = gateway([jwtFilter], routes);
  const pub = explainRequest(resources, req({ path: '/public/x' }));
  assert.equal(pub.decision, 'forward');
  assert.equal(pub.filters[0]?.status, 'disabled');
  const optional = explainRequest(resources, req({ path: '/optional' }));
  assert.equal(optional.decision, 'forward');
  assert.equal(optional.filters[0]?.jwt?.result, 'satisfied');
});

test('jwt: requirements from rules use the first rule whose match accepts the request', () => {
  const f = httpFilter('envoy.filters.http.jwt_authn', 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication', {
    providers: { idp: { issuer: 'i', from_headers: [{ name: 'x-token' }], local_jwks: { inline_string: '{}' } } },
    rules: [{ match: { prefix: '/health' } }, { match: { prefix: '/' }, requires: { provider_name: 'idp' } }],
  });
  const resources = gateway([f], [fwd('r', { prefix: '/' }, 'backend')]);
  assert.equal(explainRequest(resources, req({ path: '/health' })).decision, 'forward');
  assert.equal(explainRequest(resources, req({ path: '/data' })).status, 401);
  assert.equal(explainRequest(resources, req({ path: '/data', headers: { authorization: 'Bearer t' } })).status, 401, 'the provider reads only x-token');
  assert.equal(explainRequest(resources, req({ path: '/data', headers: { 'x-token': 't' } })).decision, 'forward');
});

test('api key auth: missing or unknown key 401, client not allowed on the route 403', () => {
  const f = httpFilter('envoy.filters.http.api_key_auth', 'envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth', {
    credentials: [{ key: 'k-alice', client: 'alice' }, { key: 'k-bob', client: 'bob' }],
    key_sources: [{ header: 'x-api-key' }, { query: 'apikey' }],
  });
  const routes = [
    fwd('admin', { prefix: '/admin' }, 'backend', {}, { typed_per_filter_config: { 'envoy.filters.http.api_key_auth': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuthPerRoute', allowed_clients: ['alice'] } } }),
    fwd('rest', { prefix: '/' }, 'backend'),
  ];
  const resources = gateway([f], routes);
  assert.equal(explainRequest(resources, req()).status, 401);
  assert.equal(explainRequest(resources, req({ headers: { 'x-api-key': 'nope' } })).status, 401);
  assert.equal(explainRequest(resources, req({ path: '/x?apikey=k-bob' })).decision, 'forward');
  assert.equal(explainRequest(resources, req({ path: '/admin', headers: { 'x-api-key': 'k-bob' } })).status, 403);
  assert.equal(explainRequest(resources, req({ path: '/admin', headers: { 'x-api-key': 'k-alice' } })).decision, 'forward');
});

test('basic auth: checks the password against the {SHA} htpasswd entry', () => {
  const sha = `{SHA}${createHash('sha1').update('s3cret').digest('base64')}`;
  const f = httpFilter('envoy.filters.http.basic_auth', 'envoy.extensions.filters.http.basic_auth.v3.BasicAuth', { users: { inline_string: `carol:${sha}\n` } });
  const resources = gateway([f], [fwd('r', { prefix: '/' }, 'backend')]);
  const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });
  assert.equal(explainRequest(resources, req({ headers: basic('carol', 's3cret') })).decision, 'forward');
  assert.equal(explainRequest(resources, req({ headers: basic('carol', 'wrong') })).status, 401);
  assert.equal(explainRequest(resources, req()).status, 401);
});

test('filters run in order: after a denial later filters are skipped', () => {
  const order = [
    httpFilter('envoy.filters.http.buffer', 'envoy.extensions.filters.http.buffer.v3.Buffer', { max_request_bytes: 1024 }),
    ipAllowList,
    httpFilter('envoy.filters.http.grpc_web', 'envoy.extensions.filters.http.grpc_web.v3.GrpcWeb'),
  ];
  const resources = gateway(order, [fwd('r', { prefix: '/' }, 'backend')]);
  const big = explainRequest(resources, req({ method: 'POST', sourceIp: '203.0.113.1', headers: { 'content-length': '4096' } }));
  assert.equal(big.decision, 'denied');
  assert.equal(big.status, 413);
  assert.deepEqual(big.filters.map((f) => [f.name, f.status]), [
    ['envoy.filters.http.buffer', 'runs'],
    ['envoy.filters.http.rbac', 'skipped'],
    ['envoy.filters.http.grpc_web', 'skipped'],
    ['envoy.filters.http.router', 'skipped'],
  ]);
  const ok = explainRequest(resources, req({ sourceIp: '203.0.113.1' }));
  assert.deepEqual(ok.filters.map((f) => f.status), ['runs', 'runs', 'runs', 'runs']);
  assert.equal(ok.filters[2]?.type, 'envoy.extensions.filters.http.grpc_web.v3.GrpcWeb');
});

test('local rate limit: the route\'s token bucket and its descriptor are reported', () => {
  const f = httpFilter('envoy.filters.http.local_ratelimit', 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit', { stat_prefix: 'lrl' });
  const perRoute = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    stat_prefix: 'lrl',
    token_bucket: { max_tokens: 100, tokens_per_fill: 100, fill_interval: '60s' },
    filter_enabled: { default_value: { numerator: 100 }, runtime_key: 'e' },
    filter_enforced: { default_value: { numerator: 100 }, runtime_key: 'f' },
    descriptors: [{ entries: [{ key: 'client', value: '' }], token_bucket: { max_tokens: 5, tokens_per_fill: 5, fill_interval: '1s' } }],
  };
  const routes = [fwd('r', { prefix: '/' }, 'backend', { rate_limits: [{ actions: [{ request_headers: { header_name: 'x-client', descriptor_key: 'client' } }] }] }, { typed_per_filter_config: { 'envoy.filters.http.local_ratelimit': perRoute } })];
  const resources = gateway([f], routes);
  const keyed = explainRequest(resources, req({ headers: { 'x-client': 'acme' } })).filters[0]!;
  assert.equal(keyed.rateLimit?.kind, 'local');
  assert.deepEqual(keyed.rateLimit?.descriptors, [[{ key: 'client', value: 'acme' }]]);
  assert.deepEqual(keyed.rateLimit?.matchedDescriptor, [{ key: 'client', value: 'acme' }]);
  assert.deepEqual(keyed.rateLimit?.tokenBucket, { maxTokens: 5, tokensPerFill: 5, fillInterval: '1s' });
  const anonymous = explainRequest(resources, req()).filters[0]!;
  assert.deepEqual(anonymous.rateLimit?.descriptors, []);
  assert.deepEqual(anonymous.rateLimit?.tokenBucket, { maxTokens: 100, tokensPerFill: 100, fillInterval: '60s' });
  assert.equal(anonymous.perRouteConfigFrom, 'route');
});

test('cors: a preflight from an allowed origin is answered by the filter; others pass', () => {
  const f = httpFilter('envoy.filters.http.cors', 'envoy.extensions.filters.http.cors.v3.Cors');
  const policy = { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy', allow_origin_string_match: [{ exact: 'https://app.example.com' }], allow_methods: 'GET,POST' };
  const resources = gateway([f], [fwd('r', { prefix: '/' }, 'backend')]);
  const withPolicy = httpGateway([vhost('vh', ['*'], [fwd('r', { prefix: '/' }, 'backend')], { typed_per_filter_config: { 'envoy.filters.http.cors': policy } })], { httpFilters: [f] });
  const preflight: Partial<ExplainRequest> = { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } };
  const answered = explainRequest(withPolicy, req(preflight));
  assert.equal(answered.decision, 'direct_response');
  assert.equal(answered.status, 200);
  assert.equal(answered.filters[0]?.perRouteConfigFrom, 'virtual host');
  assert.equal(explainRequest(withPolicy, req({ ...preflight, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })).decision, 'forward');
  assert.equal(explainRequest(resources, req(preflight)).decision, 'forward', 'no policy: the preflight goes upstream');
});
