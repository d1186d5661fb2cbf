// HTTP filter semantics: the fixed order, the router last, filters only where a route uses them,
// disabled by default and switched on per route, instances split by filter-level configuration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/envoy/resource';
import type { RoutePolicy } from '../../src/ir/policy';
import { buildProxyResources, HTTP_FILTER_ORDER, XdsBuildError } from '../../src/xds';
import { allowedClients, NO_CLIENT_ALLOWED } from '../../src/xds/filters/api-key-auth';
import { hcmOf, httpFilterNames, httpListener, only, proxy, route, routesByName, TypeUrl } from './fixtures';

const everyFeature: RoutePolicy = {
  cors: { allowOrigins: ['*'] },
  ipAccess: { allow: ['10.0.0.0/8'] },
  extAuthz: { cluster: 'backend', protocol: 'grpc', timeoutMs: 100, failOpen: false },
  jwt: { providers: [{ name: 'idp', jwks: { type: 'local', inline: '{"keys":[]}' } }] },
  basicAuth: { users: [{ consumer: 'a', sha1Base64: 'W6ph5Mm5Pz8GgiULbPgzG37mj9g=' }] },
  apiKey: { keys: [{ consumer: 'a', key: 'k' }], sources: [{ header: 'x-api-key' }] },
  localRateLimit: { requests: 1, perSeconds: 1 },
  globalRateLimit: { requests: 1, unit: 'second', id: 'p' },
  maxRequestBodyBytes: 1024,
};

function build(policies: Record<string, RoutePolicy | undefined>, options = {}) {
  const routes = Object.entries(policies).map(([name, policy]) => route(name, policy ? { policy } : {}));
  const resources = buildProxyResources(
    proxy([httpListener('http', routes, { options: { accessLog: false, requestId: { generate: true, preserveExternal: false, returnInResponse: false }, websocket: false, http2: false, ...options } })], {
      globalRateLimit: { cluster: 'backend', domain: 'd', failClosed: false, timeoutMs: 20 },
    }),
  );
  const listener = only(resources, TypeUrl.Listener)[0]!;
  const routeConfig = only(resources, TypeUrl.RouteConfiguration)[0]!;
  return { hcm: hcmOf(listener), routes: routesByName(routeConfig) };
}

test('the registry order is the documented one, router last', () => {
  assert.deepEqual(
    HTTP_FILTER_ORDER.map((m) => m.id),
    ['cors', 'rbac_ip', 'ext_authz', 'jwt_authn', 'basic_auth', 'api_key_auth', 'rbac_consumer', 'workload_authorization', 'local_ratelimit', 'ratelimit', 'buffer', 'grpc_web', 'compressor', 'fault', 'grpc_json_transcoder', 'router'],
  );
});

test('a chain using every feature gets every filter in registry order with the router last', () => {
  const { hcm } = build({ all: { ...everyFeature, consumers: { header: 'x-consumer', allow: ['a'] }, apiKey: undefined }, keyed: { apiKey: everyFeature.apiKey } }, { grpcWeb: true, compression: true });
  assert.deepEqual(httpFilterNames(hcm), [
    'envoy.filters.http.cors',
    'envoy.filters.http.rbac/ip',
    'envoy.filters.http.ext_authz',
    'envoy.filters.http.jwt_authn',
    'envoy.filters.http.basic_auth',
    'envoy.filters.http.api_key_auth',
    'envoy.filters.http.rbac/consumer',
    'envoy.filters.http.local_ratelimit',
    'envoy.filters.http.ratelimit',
    'envoy.filters.http.buffer',
    'envoy.filters.http.grpc_web',
    'envoy.filters.http.compressor',
    'envoy.filters.http.router',
  ]);
});

test('a chain without policies has only the router', () => {
  const { hcm, routes } = build({ plain: undefined });
  assert.deepEqual(httpFilterNames(hcm), ['envoy.filters.http.router']);
  assert.equal(routes.get('plain')!['typed_per_filter_config'], undefined);
});

test('per-route features are disabled in the HCM and enabled only on the routes that use them', () => {
  const { hcm, routes } = build({ guarded: { jwt: everyFeature.jwt, maxRequestBodyBytes: 2048 }, open: undefined });
  const filters = hcm['http_filters'] as JsonObject[];
  for (const f of filters.filter((f) => f['name'] !== 'envoy.filters.http.router')) assert.equal(f['disabled'], true, `${String(f['name'])} must be disabled by default`);
  const guarded = routes.get('guarded')!['typed_per_filter_config'] as JsonObject;
  assert.deepEqual(Object.keys(guarded), ['envoy.filters.http.jwt_authn', 'envoy.filters.http.buffer']);
  assert.deepEqual((guarded['envoy.filters.http.buffer'] as JsonObject)['buffer'], { max_request_bytes: 2048 });
  assert.equal(routes.get('open')!['typed_per_filter_config'], undefined, 'a route without the features has no per-route entries');
});

test('every typed_per_filter_config key names a filter of the chain', () => {
  const { hcm, routes } = build({ a: everyFeature, b: { cors: { allowOrigins: ['https://x'] } } });
  const names = new Set(httpFilterNames(hcm));
  for (const r of routes.values()) {
    for (const key of Object.keys((r['typed_per_filter_config'] as JsonObject | undefined) ?? {})) assert.ok(names.has(key), `${key} is not an HTTP filter of the chain`);
  }
});

test('the global rate limit filter stays enabled and only limited routes get descriptors', () => {
  const { hcm, routes } = build({ limited: { globalRateLimit: { requests: 5, unit: 'minute', key: { type: 'clientIP' }, id: 'team/limit' } }, free: undefined });
  const filter = (hcm['http_filters'] as JsonObject[]).find((f) => f['name'] === 'envoy.filters.http.ratelimit')!;
  assert.equal(filter['disabled'], undefined);
  assert.deepEqual((routes.get('limited')!['route'] as JsonObject)['rate_limits'], [
    { actions: [{ generic_key: { descriptor_key: 'policy', descriptor_value: 'team/limit' } }, { remote_address: {} }] },
  ]);
  assert.equal((routes.get('free')!['route'] as JsonObject)['rate_limits'], undefined);
});

test('a global rate limit without a rate limit service is an IR error', () => {
  const ir = proxy([httpListener('http', [route('r', { policy: { globalRateLimit: { requests: 1, unit: 'second', id: 'x' } } })])]);
  assert.throws(() => buildProxyResources(ir), XdsBuildError);
});

test('routes with different auth services get one ext_authz instance each', () => {
  const { hcm, routes } = build({
    a: { extAuthz: { cluster: 'authz-a', protocol: 'grpc', timeoutMs: 100, failOpen: false } },
    b: { extAuthz: { cluster: 'authz-b', protocol: 'http', timeoutMs: 100, failOpen: true } },
    c: { extAuthz: { cluster: 'authz-a', protocol: 'grpc', timeoutMs: 100, failOpen: false } },
  });
  assert.deepEqual(httpFilterNames(hcm), ['envoy.filters.http.ext_authz/authz-a', 'envoy.filters.http.ext_authz/authz-b', 'envoy.filters.http.router']);
  assert.deepEqual(Object.keys(routes.get('c')!['typed_per_filter_config'] as JsonObject), ['envoy.filters.http.ext_authz/authz-a']);
  assert.deepEqual(Object.keys(routes.get('b')!['typed_per_filter_config'] as JsonObject), ['envoy.filters.http.ext_authz/authz-b']);
});

test('JWT requirements are shared by equal policies and named after their providers', () => {
  const idp = { name: 'idp', jwks: { type: 'local', inline: '{}' } } as const;
  const other = { name: 'other', jwks: { type: 'local', inline: '{}' } } as const;
  const { hcm, routes } = build({ a: { jwt: { providers: [idp] } }, b: { jwt: { providers: [idp] } }, c: { jwt: { providers: [idp, other], allowMissing: true } } });
  const config = (hcm['http_filters'] as JsonObject[])[0]!['typed_config'] as JsonObject;
  assert.deepEqual(Object.keys(config['requirement_map'] as JsonObject), ['idp', 'idp+other/allow_missing']);
  assert.deepEqual((config['requirement_map'] as JsonObject)['idp+other/allow_missing'], {
    requires_any: { requirements: [{ provider_name: 'idp' }, { provider_name: 'other' }, { allow_missing: {} }] },
  });
  const perRoute = (name: string) => ((routes.get(name)!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.jwt_authn'] as JsonObject)['requirement_name'];
  assert.equal(perRoute('a'), 'idp');
  assert.equal(perRoute('c'), 'idp+other/allow_missing');
});

test('a JWT provider defined twice with different settings is an IR error', () => {
  assert.throws(
    () => build({ a: { jwt: { providers: [{ name: 'idp', issuer: 'one', jwks: { type: 'local', inline: '{}' } }] } }, b: { jwt: { providers: [{ name: 'idp', issuer: 'two', jwks: { type: 'local', inline: '{}' } }] } } }),
    /JWT provider "idp" is defined twice/,
  );
});

test('consumer lists on API-key routes become allowed_clients instead of a header RBAC', () => {
  const apiKey = { keys: [{ consumer: 'alice', key: 'a' }, { consumer: 'bob', key: 'b' }], sources: [{ header: 'x-api-key' }] };
  const { hcm, routes } = build({ keyed: { apiKey, consumers: { header: 'x-consumer', deny: ['bob'] } } });
  assert.ok(!httpFilterNames(hcm).includes('envoy.filters.http.rbac/consumer'));
  const perRoute = (routes.get('keyed')!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.api_key_auth'] as JsonObject;
  assert.deepEqual(perRoute['allowed_clients'], ['alice']);
  assert.equal(allowedClients(apiKey, undefined), undefined);
  assert.deepEqual(allowedClients(apiKey, { header: 'h', allow: ['bob'], deny: ['bob'] }), [NO_CLIENT_ALLOWED]);
});

test('IP rules: deny wins over allow, and X-Forwarded-For trusts one hop', () => {
  const { hcm, routes } = build({ r: { ipAccess: { allow: ['10.0.0.0/8'], deny: ['10.1.0.0/16'], useForwardedFor: true } } });
  assert.equal(hcm['xff_num_trusted_hops'], 1);
  const rbac = ((routes.get('r')!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.rbac/ip'] as JsonObject)['rbac'] as JsonObject;
  const rules = rbac['rules'] as JsonObject;
  assert.equal(rules['action'], undefined, 'ALLOW (the zero value) is implicit');
  const principal = ((rules['policies'] as JsonObject)['ip-access'] as JsonObject)['principals'] as JsonObject[];
  assert.deepEqual(principal, [
    { and_ids: { ids: [{ remote_ip: { address_prefix: '10.0.0.0', prefix_len: 8 } }, { not_id: { remote_ip: { address_prefix: '10.1.0.0', prefix_len: 16 } } }] } },
  ]);
});

test('listener-wide filters (grpc_web, compressor) follow the listener options', () => {
  assert.deepEqual(httpFilterNames(build({ r: undefined }, { grpcWeb: true }).hcm), ['envoy.filters.http.grpc_web', 'envoy.filters.http.router']);
  assert.deepEqual(httpFilterNames(build({ r: undefined }, { compression: true }).hcm), ['envoy.filters.http.compressor', 'envoy.filters.http.router']);
});

test('ratelimit: one headers/failure mode keeps one chain-wide instance; Kong headers turn Envoy\'s own off', () => {
  const { hcm } = build({ a: { globalRateLimit: { requests: 5, unit: 'minute', id: 'a', responseHeaders: 'kong', failOpen: false } }, b: { globalRateLimit: { requests: 1, unit: 'hour', id: 'b', responseHeaders: 'kong', failOpen: false } } });
  const filters = (hcm['http_filters'] as JsonObject[]).filter((f) => String(f['name']).startsWith('envoy.filters.http.ratelimit'));
  assert.equal(filters.length, 1);
  assert.equal(filters[0]!['name'], 'envoy.filters.http.ratelimit');
  assert.equal(filters[0]!['disabled'], undefined);
  const config = filters[0]!['typed_config'] as JsonObject;
  assert.equal(config['enable_x_ratelimit_headers'], undefined);
  assert.equal(config['failure_mode_deny'], true);
});

test('ratelimit: routes differing in headers or failure mode get one default-disabled instance each, enabled only on their routes', () => {
  const { hcm, routes } = build({
    kong: { globalRateLimit: { requests: 5, unit: 'minute', id: 'k', responseHeaders: 'kong' } },
    quiet: { globalRateLimit: { requests: 5, unit: 'minute', id: 'q', responseHeaders: 'none', failOpen: false } },
    plain: { globalRateLimit: { requests: 5, unit: 'minute', id: 'p' } },
  });
  const filters = (hcm['http_filters'] as JsonObject[]).filter((f) => String(f['name']).startsWith('envoy.filters.http.ratelimit'));
  assert.deepEqual(filters.map((f) => [f['name'], f['disabled']]), [
    ['envoy.filters.http.ratelimit/draft03', true],
    ['envoy.filters.http.ratelimit/kong', true],
    ['envoy.filters.http.ratelimit/none-fail-closed', true],
  ]);
  const enabledOn = (r: string): string[] => Object.keys((routes.get(r)!['typed_per_filter_config'] as JsonObject | undefined) ?? {}).filter((k) => k.startsWith('envoy.filters.http.ratelimit'));
  assert.deepEqual([enabledOn('kong'), enabledOn('quiet'), enabledOn('plain')], [['envoy.filters.http.ratelimit/kong'], ['envoy.filters.http.ratelimit/none-fail-closed'], ['envoy.filters.http.ratelimit/draft03']]);
  // Each route sends its descriptors once: its rate_limits are read by its own instance only.
  assert.equal(((routes.get('kong')!['route'] as JsonObject)['rate_limits'] as JsonObject[]).length, 1);
});
