// Istio locality load balancing (DestinationRule localityLbSetting) as the calling sidecar sees
// it: priorities by proximity with outlier detection, region failover, distribute weights, the
// proxyless gRPC view, explain's endpoint report, and the validation Istio applies to the setting.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import { encodeAny } from '../../src/envoy/codec';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { explainMeshRequest } from '../../src/explain/mesh-routing';
import type { Proxy } from '../../src/ir/types';
import { buildProxyResources } from '../../src/xds';
import { buildProxylessResources } from '../../src/xds/proxyless';
import { translate } from '../../translators';
import { localityMatches, proximity } from '../../translators/istio/locality-lb';
import { goldenPath } from '../golden-helper';

function load(name: string): InputDocument[] {
  return yaml.loadAll(fs.readFileSync(goldenPath(`istio/${name}/input.yaml`), 'utf8')).filter((d) => d !== null && d !== undefined) as InputDocument[];
}

function proxyOf(docs: readonly InputDocument[], group: string): Proxy {
  const result = translate(docs);
  assert.deepEqual(result.errors, []);
  const proxy = result.ir.proxies.find((p) => p.name === group);
  assert.ok(proxy, `no proxy group ${group}`);
  return proxy;
}

function assignment(proxy: Proxy, cluster: string, build = buildProxyResources): JsonObject {
  const found = build(proxy).find((r) => r.typeUrl === TypeUrl.ClusterLoadAssignment && r.name === cluster);
  assert.ok(found, `no ClusterLoadAssignment ${cluster}`);
  return found.json;
}

/** "region/zone/subzone" of each locality → its priority (and weight when set). */
function ranks(cla: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of cla['endpoints'] as JsonObject[]) {
    const loc = (l['locality'] ?? {}) as Record<string, string>;
    const key = [loc['region'], loc['zone'], loc['sub_zone']].filter((s) => s !== undefined).join('/');
    out[key] = `p${(l['priority'] as number | undefined) ?? 0}${l['load_balancing_weight'] !== undefined ? ` w${String(l['load_balancing_weight'])}` : ''}`;
  }
  return out;
}

const REVIEWS = 'outbound|9080||reviews.default.svc.cluster.local';
const RATINGS = 'outbound|9080||ratings.default.svc.cluster.local';

test('Istio LocalityMatch: "*" and missing segments match anything, the region is always compared', () => {
  const east = { region: 'us-east', zone: 'zone1', subZone: 'sub1' };
  assert.equal(localityMatches('us-east', east), true);
  assert.equal(localityMatches('us-east/*', east), true);
  assert.equal(localityMatches('us-east/zone1/*', east), true);
  assert.equal(localityMatches('us-east/zone1/sub1', east), true);
  assert.equal(localityMatches('us-east/zone2/*', east), false);
  assert.equal(localityMatches('*', east), true);
  assert.equal(localityMatches('eu-west/*', east), false);
  assert.equal(localityMatches('us-east', undefined), false);
});

test('Istio LbPriority: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere', () => {
  const caller = { region: 'r', zone: 'z', subZone: 's' };
  assert.equal(proximity(caller, { region: 'r', zone: 'z', subZone: 's' }), 0);
  assert.equal(proximity(caller, { region: 'r', zone: 'z', subZone: 'other' }), 1);
  assert.equal(proximity(caller, { region: 'r', zone: 'other' }), 2);
  assert.equal(proximity(caller, { region: 'other' }), 3);
  assert.equal(proximity(caller, undefined), 3);
});

test('default failover with outlier detection: priorities by proximity to the caller, renumbered without gaps', () => {
  const docs = load('locality-failover');
  assert.deepEqual(ranks(assignment(proxyOf(docs, 'sidecar/default/productpage-east-a'), REVIEWS)), {
    'us-east/zone1/sub1': 'p0',
    'us-east/zone1/sub2': 'p1',
    'us-east/zone2': 'p2',
    'eu-west/zone1': 'p3',
    'ap-south/zone1': 'p3',
  });
  // From eu-west every other locality is equally far: one failover priority.
  assert.deepEqual(ranks(assignment(proxyOf(docs, 'sidecar/default/productpage-west'), REVIEWS)), {
    'us-east/zone1/sub1': 'p1',
    'us-east/zone1/sub2': 'p1',
    'us-east/zone2': 'p1',
    'eu-west/zone1': 'p0',
    'ap-south/zone1': 'p1',
  });
});

test('failover from the caller region goes to the named region before any other', () => {
  const docs = load('locality-failover');
  assert.deepEqual(ranks(assignment(proxyOf(docs, 'sidecar/default/productpage-east-a'), RATINGS)), { 'us-east/zone1/sub1': 'p0', 'eu-west/zone1': 'p1', 'ap-south/zone1': 'p2' });
  // The rule is from us-east: a caller in eu-west ranks by proximity only.
  assert.deepEqual(ranks(assignment(proxyOf(docs, 'sidecar/default/productpage-west'), RATINGS)), { 'us-east/zone1/sub1': 'p1', 'eu-west/zone1': 'p0', 'ap-south/zone1': 'p1' });
});

test('enabled: false, or no outlier detection, gives no priorities (and the latter is reported)', () => {
  const docs = load('locality-failover');
  const east = proxyOf(docs, 'sidecar/default/productpage-east-a');
  assert.deepEqual(ranks(assignment(east, 'outbound|9080||details.default.svc.cluster.local')), { 'us-east/zone1/sub1': 'p0', 'eu-west/zone1': 'p0' });
  assert.deepEqual(ranks(assignment(east, 'outbound|9080||stars.default.svc.cluster.local')), { 'us-east/zone1/sub1': 'p0', 'eu-west/zone1': 'p0' });
  const stars = translate(docs).statuses.find((s) => s.document.kind === 'DestinationRule' && s.document.name === 'stars');
  assert.ok(stars?.warnings?.some((w) => w.includes('locality failover needs outlierDetection')), JSON.stringify(stars));
});

test('proxies in the same locality get byte-identical assignments under stable names', () => {
  const docs = load('locality-failover');
  const a = buildProxyResources(proxyOf(docs, 'sidecar/default/productpage-east-a')).filter((r) => r.typeUrl === TypeUrl.ClusterLoadAssignment);
  const b = buildProxyResources(proxyOf(docs, 'sidecar/default/productpage-east-b')).filter((r) => r.typeUrl === TypeUrl.ClusterLoadAssignment);
  const west = buildProxyResources(proxyOf(docs, 'sidecar/default/productpage-west')).filter((r) => r.typeUrl === TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(a.map((r) => r.name), west.map((r) => r.name));
  assert.deepEqual(a.map((r) => Buffer.from(encodeAny(r.typeUrl, r.json)).toString('hex')), b.map((r) => Buffer.from(encodeAny(r.typeUrl, r.json)).toString('hex')));
  assert.notDeepEqual(a.map((r) => r.json), west.map((r) => r.json));
});

test('distribute: locality weights for the matching `from`, split by endpoint weight; unlisted localities dropped', () => {
  const docs = load('locality-distribute');
  const east = proxyOf(docs, 'sidecar/default/productpage-east');
  assert.deepEqual(ranks(assignment(east, REVIEWS)), { 'us-east/zone1/sub1': 'p0 w60', 'us-east/zone1/sub2': 'p0 w20', 'us-east/zone2/sub1': 'p0 w20' });
  const cluster = buildProxyResources(east).find((r) => r.typeUrl === TypeUrl.Cluster && r.name === REVIEWS);
  assert.deepEqual(cluster?.json['common_lb_config'], { locality_weighted_lb_config: {} });
  // No `from` matches eu-west: every endpoint, no locality weights.
  const west = proxyOf(docs, 'sidecar/default/productpage-west');
  assert.deepEqual(ranks(assignment(west, REVIEWS)), { 'eu-west/zone1': 'p0', 'us-east/zone1/sub1': 'p0', 'us-east/zone1/sub2': 'p0', 'us-east/zone2/sub1': 'p0' });
  assert.equal(buildProxyResources(west).find((r) => r.name === REVIEWS && r.typeUrl === TypeUrl.Cluster)?.json['common_lb_config'], undefined);
});

test('proxyless gRPC view: distribute weights and failover priorities carry through', () => {
  const east = proxyOf(load('locality-distribute'), 'sidecar/default/productpage-east');
  assert.deepEqual(ranks(assignment(east, REVIEWS, buildProxylessResources)), { 'us-east/zone1/sub1': 'p0 w60', 'us-east/zone1/sub2': 'p0 w20', 'us-east/zone2/sub1': 'p0 w20' });
  const failover = proxyOf(load('locality-failover'), 'sidecar/default/productpage-east-a');
  // Without distribute each locality weighs its endpoints (gRPC drops unweighted localities).
  assert.deepEqual(ranks(assignment(failover, RATINGS, buildProxylessResources)), { 'us-east/zone1/sub1': 'p0 w1', 'eu-west/zone1': 'p1 w1', 'ap-south/zone1': 'p2 w1' });
});

test('explain reports each endpoint with its locality priority', () => {
  const proxy = proxyOf(load('locality-failover'), 'sidecar/default/productpage-east-a');
  const r = explainMeshRequest(proxy, buildProxyResources(proxy), { service: 'ratings', port: 9080 });
  const endpoints = (r.explain.upstream?.endpoints ?? []).map((e) => `${e.address} p${e.priority}`).sort();
  assert.deepEqual(endpoints, ['10.0.2.1 p0', '10.0.2.2 p1', '10.0.2.3 p2']);
  assert.ok(r.explain.steps.some((s) => s.includes('10.0.2.3:9080 [zone1] (priority 2), 10.0.2.2:9080 [zone1] (priority 1), 10.0.2.1:9080 [zone1]')), r.explain.steps.join('\n'));
});

function ruleWith(localityLbSetting: JsonObject): InputDocument {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'default' }, spec: { host: 'reviews', trafficPolicy: { loadBalancer: { localityLbSetting } } } };
}

test('localityLbSetting is validated as Istio does', () => {
  const errorsOf = (setting: JsonObject): string[] => translate([ruleWith(setting)]).errors.map((e) => `${e.path}: ${e.reason}`);
  const base = 'spec.trafficPolicy.loadBalancer.localityLbSetting';
  assert.deepEqual(errorsOf({ distribute: [{ from: 'a/*', to: { 'a/*': 70, 'b/*': 20 } }] }), [`${base}.distribute[0].to: the weights add up to 90; they must add up to 100`]);
  assert.ok(errorsOf({ distribute: [{ from: 'a/*', to: { 'a/*': 100 } }], failover: [{ from: 'a', to: 'b' }] }).includes(`${base}.failover: distribute and failover cannot both be set`));
  assert.ok(errorsOf({ failover: [{ from: 'a', to: 'a' }] }).includes(`${base}.failover[0].to: failover must name a region other than from`));
  assert.equal(errorsOf({ failover: [{ from: 'a/z', to: 'b' }] }).length, 1);
  assert.equal(errorsOf({ distribute: [{ from: 'a/*/z', to: { 'a/*': 100 } }] }).length, 1);
  assert.equal(errorsOf({ distribute: [{ from: 'a/*', to: { '*/b': 100 } }] }).length, 1);
  assert.deepEqual(errorsOf({ distribute: [{ from: '*', to: { 'a/*': 50, 'b/z/s': 50 } }] }), []);
});
