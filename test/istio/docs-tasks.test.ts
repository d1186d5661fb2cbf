// The configurations of Istio's own documentation tasks (traffic shifting, fault injection, request
// timeouts, circuit breaking, mirroring), adapted with ServiceEntry + WorkloadEntry registries
// (test/golden/istio/task-*), compile as `meshgate apply` does and carry the Envoy fields the
// tasks rely on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { compile } from '../../src/pipeline/compile';
import { goldenPath } from '../golden-helper';

function compiled(task: string): ReadonlyMap<string, readonly EnvoyResource[]> {
  const docs = yaml.loadAll(fs.readFileSync(goldenPath(`istio/${task}/input.yaml`), 'utf8')).filter((d) => d !== null && d !== undefined) as InputDocument[];
  const outcome = compile(docs);
  assert.ok(outcome.ok, `compile refused ${task}: ${JSON.stringify(outcome.ok ? [] : outcome.errors)}`);
  return outcome.config.groups;
}

function routeTable(resources: readonly EnvoyResource[], name: string): JsonObject {
  const r = resources.find((x) => x.typeUrl.endsWith('RouteConfiguration') && x.name === name);
  assert.ok(r, `no route table ${name}`);
  return r.json;
}

function routesOf(table: JsonObject, vhost: string): JsonObject[] {
  const vh = (table['virtual_hosts'] as JsonObject[]).find((v) => v['name'] === vhost);
  assert.ok(vh, `no virtual host ${vhost}`);
  return vh['routes'] as JsonObject[];
}

function cluster(resources: readonly EnvoyResource[], name: string): JsonObject {
  const c = resources.find((x) => x.typeUrl.endsWith('.Cluster') && x.name === name);
  assert.ok(c, `no cluster ${name}`);
  return c.json;
}

const REVIEWS = 'reviews.default.svc.cluster.local:9080';
const RATINGS = 'ratings.default.svc.cluster.local:9080';

// Istio's steps: virtual-service-reviews-50-v3.yaml, then virtual-service-reviews-v3.yaml.
test('task-traffic-shifting-50-50: productpage\'s sidecar splits reviews 50/50 between v1 and v3', () => {
  const groups = compiled('task-traffic-shifting-50-50');
  const [route] = routesOf(routeTable(groups.get('sidecar/default/productpage-v1')!, 'outbound|9080'), REVIEWS);
  const clusters = ((route!['route'] as JsonObject)['weighted_clusters'] as JsonObject)['clusters'] as JsonObject[];
  assert.deepEqual(clusters.map((c) => [c['name'], c['weight']]), [
    ['outbound|9080|v1|reviews.default.svc.cluster.local', 50],
    ['outbound|9080|v3|reviews.default.svc.cluster.local', 50],
  ]);
});

test('task-traffic-shifting-v3: every reviews request goes to v3', () => {
  const groups = compiled('task-traffic-shifting-v3');
  const routes = routesOf(routeTable(groups.get('sidecar/default/productpage-v1')!, 'outbound|9080'), REVIEWS);
  assert.equal(routes.length, 1);
  const action = routes[0]!['route'] as JsonObject;
  const clusters = (action['weighted_clusters'] as JsonObject | undefined)?.['clusters'] as JsonObject[] | undefined;
  assert.deepEqual(clusters ? clusters.map((c) => c['name']) : [action['cluster']], ['outbound|9080|v3|reviews.default.svc.cluster.local']);
});

test('task-fault-delay: reviews sidecars delay 100% of jason\'s ratings calls by 7s', () => {
  const groups = compiled('task-fault-delay');
  const routes = routesOf(routeTable(groups.get('sidecar/default/reviews-v2')!, 'outbound|9080'), RATINGS);
  const jason = routes[0]!;
  assert.deepEqual((jason['match'] as JsonObject)['headers'], [{ name: 'end-user', string_match: { exact: 'jason' } }]);
  const fault = (jason['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject;
  assert.deepEqual(fault['delay'], { fixed_delay: '7s', percentage: { numerator: 100 } });
  assert.equal(routes[1]!['typed_per_filter_config'], undefined, 'the other users are not delayed');
  const listener = groups.get('sidecar/default/reviews-v2')!.find((r) => r.name === '127.0.0.1_9080')!.json;
  const hcm = ((listener['filter_chains'] as JsonObject[])[0]!['filters'] as JsonObject[])[0]!['typed_config'] as JsonObject;
  const names = (hcm['http_filters'] as JsonObject[]).map((f) => f['name']);
  assert.deepEqual(names.slice(-2), ['envoy.filters.http.fault', 'envoy.filters.http.router']);
});

test('task-fault-abort: jason\'s ratings calls are aborted with HTTP 500', () => {
  const groups = compiled('task-fault-abort');
  const [jason] = routesOf(routeTable(groups.get('sidecar/default/reviews-v3')!, 'outbound|9080'), RATINGS);
  const fault = (jason!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject;
  assert.deepEqual(fault['abort'], { http_status: 500, percentage: { numerator: 100 } });
});

test('task-request-timeouts: reviews calls time out after 0.5s; routes without a timeout have none (0s)', () => {
  const groups = compiled('task-request-timeouts');
  const pp = groups.get('sidecar/default/productpage-v1')!;
  const [reviews] = routesOf(routeTable(pp, 'outbound|9080'), REVIEWS);
  assert.equal((reviews!['route'] as JsonObject)['timeout'], '0.500s');
  assert.equal((reviews!['route'] as JsonObject)['cluster'], 'outbound|9080|v2|reviews.default.svc.cluster.local');
  const [ratings] = routesOf(routeTable(pp, 'outbound|9080'), RATINGS);
  assert.equal((ratings!['route'] as JsonObject)['timeout'], '0s');
  const fault = (ratings!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject;
  assert.deepEqual(fault['delay'], { fixed_delay: '2s', percentage: { numerator: 100 } });
});

test('task-circuit-breaking: one connection, one pending request, one request per connection, eject after one 5xx', () => {
  const groups = compiled('task-circuit-breaking');
  const c = cluster(groups.get('sidecar/default/sleep')!, 'outbound|8000||httpbin.default.svc.cluster.local');
  // The limits the task sets; the others stay at Istio's defaults (4294967295, with track_remaining).
  assert.deepEqual(c['circuit_breakers'], { thresholds: [{ max_connections: 1, max_pending_requests: 1, max_requests: 4294967295, max_retries: 4294967295, track_remaining: true }] });
  const options = (c['typed_extension_protocol_options'] as JsonObject)['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'] as JsonObject;
  assert.deepEqual(options['common_http_protocol_options'], { max_requests_per_connection: 1 });
  const od = c['outlier_detection'] as JsonObject;
  assert.equal(od['consecutive_5xx'], 1);
  assert.equal(od['interval'], '1s');
  assert.equal(od['base_ejection_time'], '180s');
  assert.equal(od['max_ejection_percent'], 100);
});

test('task-mirroring: all httpbin traffic goes to v1 and is mirrored to v2', () => {
  const groups = compiled('task-mirroring');
  const [route] = routesOf(routeTable(groups.get('sidecar/default/sleep')!, 'outbound|8000'), 'httpbin.default.svc.cluster.local:8000');
  const action = route!['route'] as JsonObject;
  assert.deepEqual((action['weighted_clusters'] ?? { clusters: [{ name: action['cluster'], weight: 100 }] }) as JsonObject, { clusters: [{ name: 'outbound|8000|v1|httpbin.default.svc.cluster.local', weight: 100 }] });
  assert.deepEqual(action['request_mirror_policies'], [{ cluster: 'outbound|8000|v2|httpbin.default.svc.cluster.local' }]);
});

test('the demo set compiles, every group with mesh mTLS towards catalog', () => {
  const docs = ['registry.yaml', 'traffic.yaml'].flatMap((f) =>
    yaml.loadAll(fs.readFileSync(goldenPath(`../../examples/istio/${f}`), 'utf8')).filter((d) => d !== null && d !== undefined),
  ) as InputDocument[];
  const outcome = compile(docs);
  assert.ok(outcome.ok);
  assert.deepEqual([...outcome.config.groups.keys()].filter((g) => g.startsWith('sidecar/')).sort(), ['sidecar/demo/catalog-v1', 'sidecar/demo/catalog-v2', 'sidecar/demo/frontend']);
  const c = cluster(outcome.config.groups.get('sidecar/demo/frontend')!, 'outbound|8080|v2|catalog.demo.svc.cluster.local');
  const tls = (c['transport_socket'] as JsonObject)['typed_config'] as JsonObject;
  const common = tls['common_tls_context'] as JsonObject;
  assert.deepEqual(common['tls_certificate_sds_secret_configs'], [{ name: 'default', sds_config: { ads: {}, resource_api_version: 'V3' } }]);
  assert.deepEqual(common['combined_validation_context'], {
    default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/demo/sa/catalog' } }] },
    validation_context_sds_secret_config: { name: 'ROOTCA', sds_config: { ads: {}, resource_api_version: 'V3' } },
  });
});
