import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/envoy/resource';
import { explainRequest } from '../../src/explain';
import { fwd, hcmChain, httpFilter, httpGateway, listener, req, routeConfig, vhost } from './builders';

const globalRl = httpFilter('envoy.filters.http.ratelimit', 'envoy.extensions.filters.http.ratelimit.v3.RateLimit', {
  domain: 'meshgate',
  rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: 'ratelimit' } }, transport_api_version: 'V3' },
});

test('global rate limit: descriptors from the route\'s actions, per client IP and per policy id', () => {
  const rateLimits: JsonObject[] = [{ actions: [{ generic_key: { descriptor_key: 'policy', descriptor_value: 'orders-10-per-min' } }, { remote_address: {} }] }];
  const resources = httpGateway([vhost('vh', ['*'], [fwd('orders', { prefix: '/orders' }, 'backend', { rate_limits: rateLimits }), fwd('rest', { prefix: '/' }, 'backend')])], { httpFilters: [globalRl] });
  const orders = explainRequest(resources, req({ path: '/orders/1', sourceIp: '198.51.100.20' })).filters[0]!;
  assert.equal(orders.rateLimit?.kind, 'global');
  assert.equal(orders.rateLimit?.domain, 'meshgate');
  assert.deepEqual(orders.rateLimit?.descriptors, [[{ key: 'policy', value: 'orders-10-per-min' }, { key: 'remote_address', value: '198.51.100.20' }]]);
  assert.equal(orders.outcome, 'unknown');
  const rest = explainRequest(resources, req({ path: '/other', sourceIp: '198.51.100.20' }));
  assert.deepEqual(rest.filters[0]?.rateLimit?.descriptors, []);
  assert.equal(rest.filters[0]?.outcome, 'pass');
});

test('rate limit actions: a missing request header drops the descriptor unless skip_if_absent; virtual host limits apply when the route has none', () => {
  const vhLimits: JsonObject[] = [{ actions: [{ request_headers: { header_name: 'x-user', descriptor_key: 'user' } }] }, { actions: [{ request_headers: { header_name: 'x-team', descriptor_key: 'team', skip_if_absent: true } }, { generic_key: { descriptor_value: 'all' } }] }];
  const resources = httpGateway([vhost('vh', ['*'], [fwd('r', { prefix: '/' }, 'backend')], { rate_limits: vhLimits })], { httpFilters: [globalRl] });
  const anon = explainRequest(resources, req()).filters[0]!;
  assert.deepEqual(anon.rateLimit?.descriptors, [[{ key: 'generic_key', value: 'all' }]]);
  const user = explainRequest(resources, req({ headers: { 'x-user': 'u1', 'x-team': 't9' } })).filters[0]!;
  assert.deepEqual(user.rateLimit?.descriptors, [[{ key: 'user', value: 'u1' }], [{ key: 'team', value: 't9' }, { key: 'generic_key', value: 'all' }]]);
});

test('ext_authz: runs with an unknown outcome (assumption stated) and can be disabled per route', () => {
  const f = httpFilter('envoy.filters.http.ext_authz', 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', { grpc_service: { envoy_grpc: { cluster_name: 'authz' } }, transport_api_version: 'V3' });
  const routes = [
    fwd('open', { prefix: '/open' }, 'backend', {}, { typed_per_filter_config: { 'envoy.filters.http.ext_authz': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute', disabled: true } } }),
    fwd('rest', { prefix: '/' }, 'backend'),
  ];
  const resources = httpGateway([vhost('vh', ['*'], routes)], { httpFilters: [f] });
  const guarded = explainRequest(resources, req({ path: '/x' }));
  assert.equal(guarded.filters[0]?.outcome, 'unknown');
  assert.match(guarded.filters[0]?.detail ?? '', /cluster authz/);
  assert.ok(guarded.assumptions.some((a) => a.startsWith('ext_authz')));
  assert.equal(explainRequest(resources, req({ path: '/open' })).filters[0]?.status, 'disabled');
});

test('rbac: authenticated principals never match without TLS and are unknown with it', () => {
  const f = httpFilter('envoy.filters.http.rbac', 'envoy.extensions.filters.http.rbac.v3.RBAC', {
    rules: { action: 'ALLOW', policies: { mesh: { permissions: [{ any: true }], principals: [{ authenticated: { principal_name: { exact: 'spiffe://td/ns/a/sa/b' } } }] } } },
  });
  const plain = explainRequest(httpGateway([vhost('vh', ['*'], [fwd('r', { prefix: '/' }, 'backend')])], { httpFilters: [f] }), req({ sourceIp: '10.0.0.1' }));
  assert.equal(plain.decision, 'denied');
  const tlsResources = [
    listener('https', 8443, [hcmChain({ tlsSecret: 's', httpFilters: [f] })]),
    routeConfig('rc', [vhost('vh', ['*'], [fwd('r', { prefix: '/' }, 'backend')])]),
  ];
  const tls = explainRequest(tlsResources, req({ port: 8443, tls: true, sourceIp: '10.0.0.1' }));
  assert.equal(tls.filters[0]?.rbac?.result, 'unknown');
});

test('cluster_header takes the cluster from a request header; a weighted cluster\'s own headers are applied when it is the only live one', () => {
  const routes: JsonObject[] = [
    { name: 'by-header', match: { prefix: '/dyn' }, route: { cluster_header: 'x-cluster' } },
    {
      name: 'single-weighted',
      match: { prefix: '/' },
      route: { weighted_clusters: { clusters: [{ name: 'backend', weight: 1, request_headers_to_add: [{ header: { key: 'x-backend', value: 'b' } }], host_rewrite_literal: 'b.internal' }, { name: 'old', weight: 0 }] } },
    },
  ];
  const resources = httpGateway([vhost('vh', ['*'], routes)]);
  const dyn = explainRequest(resources, req({ path: '/dyn', headers: { 'x-cluster': 'backend' } }));
  assert.deepEqual(dyn.upstream?.clusters.map((c) => [c.name, c.found]), [['backend', true]]);
  assert.equal(explainRequest(resources, req({ path: '/dyn' })).decision, 'cluster_not_found');
  const single = explainRequest(resources, req({ path: '/x' }));
  assert.equal(single.upstream?.requestHeaders['x-backend'], 'b');
  assert.equal(single.upstream?.rewrittenHost, 'b.internal');
  assert.equal(single.decision, 'forward', 'the zero-weight missing cluster does not matter');
});
