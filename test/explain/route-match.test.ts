import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/envoy/resource';
import { explainRequest, type ExplainRequest } from '../../src/explain';
import { fwd, httpGateway, req, vhost } from './builders';

/** The name of the route that matches, or undefined when none does. */
function routeFor(routes: JsonObject[], r: Partial<ExplainRequest>): string | undefined {
  const result = explainRequest(httpGateway([vhost('vh', ['*'], routes)]), req(r));
  return result.route?.name;
}

test('route: the first matching route wins, even when a later one is more specific', () => {
  const routes = [fwd('broad', { prefix: '/api' }, 'backend'), fwd('specific', { path: '/api/users' }, 'backend')];
  assert.equal(routeFor(routes, { path: '/api/users' }), 'broad');
  const r = explainRequest(httpGateway([vhost('vh', ['*'], routes)]), req({ path: '/api/users' }));
  assert.equal(r.route?.index, 0);
});

test('route: exact path ignores the query string and is case-sensitive by default', () => {
  const routes = [fwd('exact', { path: '/login' }, 'backend')];
  assert.equal(routeFor(routes, { path: '/login?next=/home' }), 'exact');
  assert.equal(routeFor(routes, { path: '/login/' }), undefined);
  assert.equal(routeFor(routes, { path: '/LOGIN' }), undefined);
  assert.equal(routeFor([fwd('ci', { path: '/login', case_sensitive: false }, 'backend')], { path: '/LOGIN' }), 'ci');
});

test('route: prefix is a plain string prefix', () => {
  const routes = [fwd('foo', { prefix: '/foo' }, 'backend')];
  assert.equal(routeFor(routes, { path: '/foobar' }), 'foo');
  assert.equal(routeFor(routes, { path: '/fo' }), undefined);
});

test('route: path_separated_prefix matches only at a segment boundary', () => {
  const routes = [fwd('sep', { path_separated_prefix: '/foo' }, 'backend')];
  assert.equal(routeFor(routes, { path: '/foo' }), 'sep');
  assert.equal(routeFor(routes, { path: '/foo/bar' }), 'sep');
  assert.equal(routeFor(routes, { path: '/foo?x=1' }), 'sep');
  assert.equal(routeFor(routes, { path: '/foobar' }), undefined);
  assert.equal(routeFor([fwd('sep-ci', { path_separated_prefix: '/foo', case_sensitive: false }, 'backend')], { path: '/FOO/x' }), 'sep-ci');
});

test('route: safe_regex must match the whole path (RE2 syntax)', () => {
  const routes = [fwd('re', { safe_regex: { regex: '/users/\\d+' } }, 'backend')];
  assert.equal(routeFor(routes, { path: '/users/42' }), 're');
  assert.equal(routeFor(routes, { path: '/users/42/posts' }), undefined);
  assert.equal(routeFor(routes, { path: '/v1/users/42' }), undefined);
  assert.equal(routeFor([fwd('named', { safe_regex: { regex: '/(?P<v>v[12])/.*' } }, 'backend')], { path: '/v2/x' }), 'named');
});

test('route: header matchers (string_match, present, invert, range, legacy exact)', () => {
  const h = (name: string, m: JsonObject) => [fwd(name, { prefix: '/', headers: [{ name: 'x-env', ...m }] }, 'backend')];
  assert.equal(routeFor(h('exact', { string_match: { exact: 'canary' } }), { headers: { 'X-Env': 'canary' } }), 'exact');
  assert.equal(routeFor(h('exact', { string_match: { exact: 'canary' } }), { headers: { 'x-env': 'prod' } }), undefined);
  assert.equal(routeFor(h('ic', { string_match: { exact: 'CANARY', ignore_case: true } }), { headers: { 'x-env': 'canary' } }), 'ic');
  assert.equal(routeFor(h('re', { string_match: { safe_regex: { regex: 'can.*' } } }), { headers: { 'x-env': 'canary' } }), 're');
  assert.equal(routeFor(h('present', { present_match: true }), { headers: { 'x-env': '' } }), 'present');
  assert.equal(routeFor(h('present', { present_match: true }), {}), undefined);
  assert.equal(routeFor(h('absent', { present_match: false }), {}), 'absent');
  assert.equal(routeFor(h('not-prod', { string_match: { exact: 'prod' }, invert_match: true }), { headers: { 'x-env': 'dev' } }), 'not-prod');
  // An inverted value matcher does not match a missing header (Envoy's HeaderUtility::matchHeaders).
  assert.equal(routeFor(h('not-prod', { string_match: { exact: 'prod' }, invert_match: true }), {}), undefined);
  assert.equal(routeFor(h('range', { range_match: { start: '100', end: '200' } }), { headers: { 'x-env': '150' } }), 'range');
  assert.equal(routeFor(h('range', { range_match: { start: '100', end: '200' } }), { headers: { 'x-env': '200' } }), undefined);
  assert.equal(routeFor(h('legacy', { exact_match: 'v1' }), { headers: { 'x-env': 'v1' } }), 'legacy');
});

test('route: ":method" header and query parameters', () => {
  const routes = [
    fwd('post-only', { prefix: '/', headers: [{ name: ':method', string_match: { exact: 'POST' } }] }, 'backend'),
    fwd('debug', { prefix: '/', query_parameters: [{ name: 'debug', string_match: { exact: '1' } }] }, 'backend'),
    fwd('has-token', { prefix: '/', query_parameters: [{ name: 'token', present_match: true }] }, 'backend'),
  ];
  assert.equal(routeFor(routes, { method: 'POST' }), 'post-only');
  assert.equal(routeFor(routes, { method: 'GET', path: '/x?a=2&debug=1' }), 'debug');
  assert.equal(routeFor(routes, { method: 'GET', path: '/x?debug=2&token=' }), 'has-token');
  assert.equal(routeFor(routes, { method: 'GET', path: '/x' }), undefined);
});

test('route: grpc {} requires a gRPC content-type', () => {
  const routes = [fwd('grpc', { prefix: '/', grpc: {} }, 'backend'), fwd('rest', { prefix: '/' }, 'backend')];
  assert.equal(routeFor(routes, { method: 'POST', headers: { 'content-type': 'application/grpc' } }), 'grpc');
  assert.equal(routeFor(routes, { method: 'POST', headers: { 'content-type': 'application/grpc+proto' } }), 'grpc');
  assert.equal(routeFor(routes, { method: 'POST', headers: { 'content-type': 'application/grpcx' } }), 'rest');
  assert.equal(routeFor(routes, { method: 'POST', headers: { 'content-type': 'application/json' } }), 'rest');
});

test('route: runtime_fraction is ignored but reported', () => {
  const r = explainRequest(
    httpGateway([vhost('vh', ['*'], [fwd('sampled', { prefix: '/', runtime_fraction: { default_value: { numerator: 10 }, runtime_key: 'k' } }, 'backend')])]),
    req(),
  );
  assert.equal(r.route?.name, 'sampled');
  assert.ok(r.assumptions.some((a) => a.includes('runtime_fraction')));
});

test('route: nothing matches → no_route 404, with each miss explained', () => {
  const r = explainRequest(httpGateway([vhost('vh', ['*'], [fwd('a', { path: '/a' }, 'backend'), fwd('b', { prefix: '/b' }, 'backend')])]), req({ path: '/c' }));
  assert.equal(r.decision, 'no_route');
  assert.equal(r.status, 404);
  assert.equal(r.upstream, undefined);
  const steps = r.steps.join('\n');
  assert.match(steps, /route: #0 "a" does not match \(path "\/a"\)/);
  assert.match(steps, /route: #1 "b" does not match \(prefix "\/b"\)/);
});

test('route: HCM normalize_path and merge_slashes apply before matching', () => {
  const routes = [fwd('admin', { path: '/admin/users' }, 'backend')];
  const gw = (hcm: JsonObject) => explainRequest(httpGateway([vhost('vh', ['*'], routes)], { hcm }), req({ path: '/public/../admin//users' }));
  assert.equal(gw({}).route, undefined);
  assert.equal(gw({ normalize_path: true, merge_slashes: true }).route?.name, 'admin');
});
