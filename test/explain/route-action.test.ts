import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/envoy/resource';
import { explainRequest, type ExplainRequest } from '../../src/explain';
import { edsCluster, endpoints, fwd, httpGateway, req, vhost } from './builders';

function one(route: JsonObject, r: Partial<ExplainRequest> = {}, o: Parameters<typeof httpGateway>[1] = {}) {
  return explainRequest(httpGateway([vhost('vh', ['*'], [route])], o), req(r));
}

test('weighted clusters: weights, percentages and each cluster\'s endpoints', () => {
  const route = { name: 'split', match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'v1', weight: 90 }, { name: 'v2', weight: 10 }, { name: 'v3', weight: 0 }] } } };
  const r = one(route, {}, { clusters: ['v1', 'v2', 'v3'] });
  assert.equal(r.decision, 'forward');
  assert.deepEqual(r.upstream?.clusters.map((c) => ({ name: c.name, weight: c.weight, percent: c.percent })), [
    { name: 'v1', weight: 90, percent: 90 },
    { name: 'v2', weight: 10, percent: 10 },
    { name: 'v3', weight: 0, percent: 0 },
  ]);
  assert.deepEqual(r.upstream?.endpoints.map((e) => e.address), ['10.0.0.1', '10.0.1.1', '10.0.2.1']);
});

test('redirect: https, host, port, prefix rewrite, strip_query and response code', () => {
  const route = { name: 'to-https', match: { prefix: '/old' }, redirect: { scheme_redirect: 'https', port_redirect: 8443, prefix_rewrite: '/new', strip_query: true, response_code: 'PERMANENT_REDIRECT' } };
  const r = one(route, { host: 'shop.example.com:8080', path: '/old/items?page=2' });
  assert.equal(r.decision, 'redirect');
  assert.equal(r.status, 308);
  assert.deepEqual(r.redirect, { location: 'https://shop.example.com:8443/new/items', status: 308 });
  assert.equal(r.upstream, undefined);
});

test('redirect: https_redirect drops the default port of the old scheme; path_redirect keeps the query; default 301', () => {
  const https = one({ name: 'h', match: { prefix: '/' }, redirect: { https_redirect: true } }, { host: 'example.com:80', path: '/a?b=1' });
  assert.deepEqual(https.redirect, { location: 'https://example.com/a?b=1', status: 301 });
  const moved = one({ name: 'p', match: { prefix: '/' }, redirect: { host_redirect: 'new.example.com', path_redirect: '/landing', response_code: 'FOUND' } }, { path: '/a?b=1' });
  assert.deepEqual(moved.redirect, { location: 'http://new.example.com/landing?b=1', status: 302 });
  const withQuery = one({ name: 'q', match: { prefix: '/' }, redirect: { path_redirect: '/x?y=2', strip_query: true } }, { path: '/a?b=1' });
  assert.equal(withQuery.redirect?.location, 'http://example.com/x?y=2');
});

test('direct response: status and inline body', () => {
  const r = one({ name: 'teapot', match: { prefix: '/' }, direct_response: { status: 418, body: { inline_string: 'short and stout' } } });
  assert.equal(r.decision, 'direct_response');
  assert.equal(r.status, 418);
  assert.deepEqual(r.directResponse, { status: 418, body: 'short and stout', contentType: 'text/plain' });
});

test('rewrites: prefix_rewrite keeps the rest of the path and the query; host_rewrite_literal sets :authority', () => {
  const r = one(fwd('api', { prefix: '/api/' }, 'backend', { prefix_rewrite: '/v2/', host_rewrite_literal: 'internal.svc' }), { path: '/api/users?id=7' });
  assert.equal(r.upstream?.rewrittenPath, '/v2/users?id=7');
  assert.equal(r.upstream?.rewrittenHost, 'internal.svc');
  assert.equal(r.upstream?.requestHeaders[':authority'], 'internal.svc');
  assert.equal(r.upstream?.requestHeaders[':path'], '/v2/users?id=7');
});

test('rewrites: regex_rewrite substitutes capture groups on the path only', () => {
  const route = fwd('re', { safe_regex: { regex: '/users/([0-9]+)/profile' } }, 'backend', { regex_rewrite: { pattern: { regex: '^/users/([0-9]+)/profile$' }, substitution: '/profiles/\\1' } });
  const r = one(route, { path: '/users/42/profile?full=1' });
  assert.equal(r.upstream?.rewrittenPath, '/profiles/42?full=1');
});

test('headers: route, virtual host and route configuration changes; the least specific wins by default', () => {
  const routes = [fwd('r', { prefix: '/' }, 'backend', {}, {
    request_headers_to_add: [{ header: { key: 'x-level', value: 'route' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }, { header: { key: 'x-route-only', value: 'yes' } }],
    request_headers_to_remove: ['x-secret'],
  })];
  const vh = vhost('vh', ['*'], routes, { request_headers_to_add: [{ header: { key: 'x-level', value: 'vhost' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] });
  const rcExtra = { request_headers_to_add: [{ header: { key: 'x-level', value: 'global' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }, { header: { key: 'x-client', value: '%REQ(user-agent)%' }, append_action: 'ADD_IF_ABSENT' }] };
  const r = explainRequest(httpGateway([vh], { routeConfigExtra: rcExtra }), req({ headers: { 'x-secret': 's', 'user-agent': 'curl/8' } }));
  const h = r.upstream!.requestHeaders;
  assert.equal(h['x-level'], 'global');
  assert.equal(h['x-route-only'], 'yes');
  assert.equal(h['x-client'], 'curl/8');
  assert.equal(h['x-secret'], undefined);
  assert.deepEqual(r.upstream?.requestHeadersRemoved, ['x-secret']);
  assert.deepEqual(r.upstream?.requestHeadersAdded.map((c) => `${c.level}:${c.name}=${c.value}`), [
    'route:x-level=route',
    'route:x-route-only=yes',
    'virtual host:x-level=vhost',
    'route configuration:x-level=global',
    'route configuration:x-client=curl/8',
  ]);
  const specific = explainRequest(httpGateway([vh], { routeConfigExtra: { ...rcExtra, most_specific_header_mutations_wins: true } }), req());
  assert.equal(specific.upstream!.requestHeaders['x-level'], 'route');
});

test('headers: ADD_IF_ABSENT does nothing when the client sent the header', () => {
  const r = one(fwd('r', { prefix: '/' }, 'backend', {}, { request_headers_to_add: [{ header: { key: 'x-tenant', value: 'default' }, append_action: 'ADD_IF_ABSENT' }] }), { headers: { 'x-tenant': 'acme' } });
  assert.equal(r.upstream?.requestHeaders['x-tenant'], 'acme');
  assert.equal(r.upstream?.requestHeadersAdded[0]?.applied, false);
});

test('timeout, retries and mirrors are reported; Envoy\'s default timeout is 15s', () => {
  const route = fwd('r', { prefix: '/' }, 'backend', {
    timeout: '3s',
    retry_policy: { retry_on: '5xx,reset', num_retries: 3, per_try_timeout: '1s', retry_back_off: { base_interval: '0.100s' } },
    request_mirror_policies: [{ cluster: 'shadow', runtime_fraction: { default_value: { numerator: 25 } } }],
  });
  const r = one(route);
  assert.equal(r.upstream?.timeout, '3s');
  assert.deepEqual(r.upstream?.retry, { retryOn: '5xx,reset', numRetries: 3, perTryTimeout: '1s', backoff: { baseInterval: '0.1s' }, from: 'route' });
  assert.deepEqual(r.upstream?.mirrors, [{ cluster: 'shadow', percent: 25 }]);
  assert.equal(one(fwd('plain', { prefix: '/' }, 'backend')).upstream?.timeout, '15s');
});

test('cluster: type, lb policy and EDS endpoints with weights and localities', () => {
  const resources = [
    ...httpGateway([vhost('vh', ['*'], [fwd('r', { prefix: '/' }, 'pool')])], { clusters: [] }),
    edsCluster('pool', { lb_policy: 'LEAST_REQUEST', eds_cluster_config: { service_name: 'pool-eds', eds_config: { ads: {} } } }),
    endpoints('pool-eds', [{ address: '10.1.0.1', port: 8080, weight: 3, zone: 'a' }, { address: '10.1.0.2', port: 8080, zone: 'b' }]),
  ];
  const r = explainRequest(resources, req());
  const c = r.upstream!.clusters[0]!;
  assert.equal(c.type, 'EDS');
  assert.equal(c.lbPolicy, 'LEAST_REQUEST');
  assert.equal(c.endpointSource, 'eds:pool-eds');
  assert.deepEqual(c.endpoints.map((e) => [e.address, e.port, e.weight, e.locality?.zone]), [['10.1.0.1', 8080, 3, 'a'], ['10.1.0.2', 8080, 1, 'b']]);
});

test('cluster: a route to a cluster the proxy does not have answers 503', () => {
  const r = one(fwd('r', { prefix: '/' }, 'ghost'));
  assert.equal(r.decision, 'cluster_not_found');
  assert.equal(r.status, 503);
  assert.equal(r.upstream?.clusters[0]?.found, false);
});
