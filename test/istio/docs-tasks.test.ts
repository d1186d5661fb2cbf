// The configurations of Istio's own documentation tasks, as Istio writes them, applied step by step
// the way `meshgate apply` stores them (each file one apply; a later document replaces the one of
// the same kind, namespace and name) and compiled after every step: the Envoy fields each step
// relies on, and explain's answers for the requests the task makes. The Bookinfo registry
// (ServiceEntry + WorkloadEntry standing in for Kubernetes Services and Pods) is shared:
// test/golden/istio/task-bookinfo/input.yaml, with Istio's samples/bookinfo/networking files beside
// it. A task's input.yaml is the store after its last step, written here (run this file with
// MESHGATE_UPDATE_GOLDEN=1 after changing a step) and rendered by the golden suite.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { parseDocuments } from '../../src/documents/parse';
import { formatRef, type DocumentStatus, type InputDocument } from '../../src/documents/types';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { explainMeshAuthorization, type MeshAuthorizationRequest, type MeshAuthorizationResult } from '../../src/explain/mesh-authorization';
import { explainMeshRequest, type MeshRequest, type MeshRoutingResult } from '../../src/explain/mesh-routing';
import type { IR } from '../../src/ir/types';
import { compile } from '../../src/pipeline/compile';
import { DocumentSet } from '../../src/store/document-set';
import { inputDocumentOf, storedDocumentOf } from '../../src/store/input-documents';
import { compareWithFile, goldenPath, updatingGolden } from '../golden-helper';

const BOOKINFO = 'istio/task-bookinfo/input.yaml';
/** A file of Istio's samples/bookinfo/networking. */
const sample = (file: string): string => `istio/task-bookinfo/networking/${file}`;

interface Compiled {
  readonly groups: ReadonlyMap<string, readonly EnvoyResource[]>;
  readonly ir: IR;
  readonly statuses: readonly DocumentStatus[];
}

/** The documents meshgate holds, changed one `meshgate apply -f <file>` at a time. */
class Store {
  private readonly set = new DocumentSet();
  /** What was done, in order: the files applied and the documents deleted. */
  readonly applied: string[] = [];

  apply(...files: string[]): this {
    for (const file of files) {
      const parsed = parseDocuments(fs.readFileSync(goldenPath(file), 'utf8'));
      assert.deepEqual(parsed.errors, [], `${file} does not parse`);
      this.set.applyDelta(this.set.plan({ upserts: parsed.documents.map(storedDocumentOf) }).delta);
      this.applied.push(file);
    }
    return this;
  }

  /**
   * The task's `kubectl delete` of the documents in `file`: each leaves the store, as with the admin
   * API's DELETE /v1/resources/<kind>/<namespace>/<name>.
   */
  delete(file: string): this {
    const parsed = parseDocuments(fs.readFileSync(goldenPath(file), 'utf8'));
    assert.deepEqual(parsed.errors, [], `${file} does not parse`);
    const refs = parsed.documents.map((d) => storedDocumentOf(d).key);
    const planned = this.set.plan({ deletes: refs });
    assert.ok(planned.results.every((r) => r.outcome === 'deleted'), `${file}: not every document was stored`);
    this.set.applyDelta(planned.delta);
    this.applied.push(...refs.map((r) => `DELETE /v1/resources/${r.kind}/${r.namespace}/${r.name}`));
    return this;
  }

  documents(): InputDocument[] {
    return this.set.all().map(inputDocumentOf);
  }

  /**
   * Compiles the store as the server does. A refusal fails the test (a finding), and so does any
   * warning but those `expectedWarnings` name (each must match at least one warning).
   */
  compile(expectedWarnings: readonly RegExp[] = []): Compiled {
    const outcome = compile(this.documents());
    assert.ok(outcome.ok, `compile refused the store after ${this.applied.join(', ')}: ${JSON.stringify(outcome.ok ? [] : outcome.errors)}`);
    // The proxyless gRPC view's notes (what a gRPC server could not be given, e.g. PERMISSIVE mTLS)
    // are about a client no Istio task uses; everything else would be a field of Istio's YAML dropped.
    const warnings = outcome.config.statuses
      .map((s) => ({ ref: formatRef(s.document), warnings: (s.warnings ?? []).filter((w) => !w.startsWith('proxyless gRPC view ')) }))
      .filter((s) => s.warnings.length > 0)
      .map((s) => `${s.ref}: ${s.warnings.join('; ')}`);
    assert.deepEqual(warnings.filter((w) => !expectedWarnings.some((e) => e.test(w))), [], 'meshgate reports something in Istio\'s YAML it cannot honour');
    for (const e of expectedWarnings) assert.ok(warnings.some((w) => e.test(w)), `expected a warning matching ${String(e)}; got ${JSON.stringify(warnings)}`);
    const rejected = outcome.config.statuses.filter((s) => (s.conditions ?? []).some((c) => c.type === 'Accepted' && c.status !== 'True')).map((s) => formatRef(s.document));
    assert.deepEqual(rejected, [], 'documents not accepted');
    return { groups: outcome.config.groups, ir: outcome.config.ir, statuses: outcome.config.statuses };
  }

  /** test/golden/istio/<task>/input.yaml holds exactly this store (the golden suite renders it). */
  expectInputFile(task: string): void {
    const header = [
      `# Written by test/istio/docs-tasks.test.ts: what meshgate stores after Istio's task steps`,
      ...this.applied.map((f) => (f.startsWith('DELETE ') ? `#   ${f}` : `#   meshgate apply -f test/golden/${f}`)),
      '# Change the steps, not this file (MESHGATE_UPDATE_GOLDEN=1 node scripts/run-tests.js docs-tasks).',
    ];
    const body = this.documents().map((d) => yaml.dump(d, { noRefs: true, lineWidth: -1 })).join('---\n');
    try {
      compareWithFile(goldenPath(`istio/${task}/input.yaml`), `${header.join('\n')}\n${body}`, updatingGolden(), `test/golden/istio/${task}/input.yaml`);
    } catch (err) {
      // `npm run golden:update` does not run this file: say what does.
      throw new Error(`${(err as Error).message}\n(this file is written by MESHGATE_UPDATE_GOLDEN=1 node scripts/run-tests.js docs-tasks, then npm run golden:update)`);
    }
  }
}

function bookinfo(): Store {
  return new Store().apply(BOOKINFO);
}

/** Bookinfo with Istio's default destination rules and every service routed to v1. */
function bookinfoAllV1(): Store {
  return bookinfo().apply(sample('destination-rule-all.yaml'), sample('virtual-service-all-v1.yaml'));
}

function group(c: Compiled, name: string): readonly EnvoyResource[] {
  const g = c.groups.get(name);
  assert.ok(g, `no proxy group ${name}`);
  return g;
}

/** How the sidecar of `workload` (a WorkloadEntry of default) routes a request. */
function route(c: Compiled, workload: string, request: MeshRequest): MeshRoutingResult {
  const name = `sidecar/default/${workload}`;
  const proxy = c.ir.proxies.find((p) => p.name === name);
  assert.ok(proxy, `no proxy ${name}`);
  return explainMeshRequest(proxy, group(c, name), request);
}

const subsetsOf = (r: MeshRoutingResult): [string | undefined, number][] => r.destinations.map((d) => [d.subset, d.percent]);

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

/** The HTTP connection manager of a listener's filter chain named `chain`. */
function hcmOf(resources: readonly EnvoyResource[], listener: string, chain: string): JsonObject {
  const l = resources.find((x) => x.typeUrl.endsWith('.Listener') && x.name === listener);
  assert.ok(l, `no listener ${listener}`);
  const fc = (l.json['filter_chains'] as JsonObject[]).find((f) => f['name'] === chain);
  assert.ok(fc, `no filter chain ${chain} on ${listener}`);
  return (fc['filters'] as JsonObject[])[0]!['typed_config'] as JsonObject;
}

const REVIEWS = 'reviews.default.svc.cluster.local:9080';
const RATINGS = 'ratings.default.svc.cluster.local:9080';

// Traffic Shifting: virtual-service-all-v1.yaml, then virtual-service-reviews-50-v3.yaml, then
// virtual-service-reviews-v3.yaml.
test('traffic shifting: all v1, then reviews 50/50 between v1 and v3, then all of it to v3', () => {
  const store = bookinfoAllV1();
  assert.deepEqual(subsetsOf(route(store.compile(), 'productpage-v1', { service: 'reviews', port: 9080 })), [['v1', 100]]);

  store.apply(sample('virtual-service-reviews-50-v3.yaml'));
  const half = store.compile();
  const [split] = routesOf(routeTable(group(half, 'sidecar/default/productpage-v1'), 'outbound|9080'), REVIEWS);
  const clusters = ((split!['route'] as JsonObject)['weighted_clusters'] as JsonObject)['clusters'] as JsonObject[];
  assert.deepEqual(clusters.map((c) => [c['name'], c['weight']]), [
    ['outbound|9080|v1|reviews.default.svc.cluster.local', 50],
    ['outbound|9080|v3|reviews.default.svc.cluster.local', 50],
  ]);
  assert.deepEqual(subsetsOf(route(half, 'productpage-v1', { service: 'reviews', port: 9080 })), [['v1', 50], ['v3', 50]]);
  store.expectInputFile('task-traffic-shifting-50-50');

  store.apply(sample('virtual-service-reviews-v3.yaml'));
  const v3 = store.compile();
  const routes = routesOf(routeTable(group(v3, 'sidecar/default/productpage-v1'), 'outbound|9080'), REVIEWS);
  assert.equal(routes.length, 1);
  assert.equal((routes[0]!['route'] as JsonObject)['cluster'], 'outbound|9080|v3|reviews.default.svc.cluster.local');
  const toV3 = route(v3, 'productpage-v1', { service: 'reviews', port: 9080 });
  assert.deepEqual(subsetsOf(toV3), [['v3', 100]]);
  assert.deepEqual(toV3.destinations[0]!.endpoints, ['10.0.0.33:9080']);
  store.expectInputFile('task-traffic-shifting-v3');
});

/** Fault Injection's "before you begin" and "request routing" steps: all v1, jason to reviews v2. */
function faultInjectionBase(): Store {
  return bookinfoAllV1().apply(sample('virtual-service-reviews-test-v2.yaml'));
}

test('fault injection, setup: productpage sends end-user jason to reviews v2, everyone else to v1', () => {
  const c = faultInjectionBase().compile();
  const routes = routesOf(routeTable(group(c, 'sidecar/default/productpage-v1'), 'outbound|9080'), REVIEWS);
  assert.equal(routes.length, 2);
  assert.deepEqual((routes[0]!['match'] as JsonObject)['headers'], [{ name: 'end-user', string_match: { exact: 'jason' } }]);
  assert.equal((routes[0]!['route'] as JsonObject)['cluster'], 'outbound|9080|v2|reviews.default.svc.cluster.local');
  assert.equal((routes[1]!['match'] as JsonObject)['headers'], undefined);
  assert.equal((routes[1]!['route'] as JsonObject)['cluster'], 'outbound|9080|v1|reviews.default.svc.cluster.local');
  assert.deepEqual(subsetsOf(route(c, 'productpage-v1', { service: 'reviews', port: 9080, headers: { 'end-user': 'jason' } })), [['v2', 100]]);
  assert.deepEqual(subsetsOf(route(c, 'productpage-v1', { service: 'reviews', port: 9080, headers: { 'end-user': 'alice' } })), [['v1', 100]]);
  assert.deepEqual(subsetsOf(route(c, 'productpage-v1', { service: 'reviews', port: 9080 })), [['v1', 100]]);
});

test('fault injection, HTTP delay: reviews v2 delays 100% of jason\'s ratings calls by 7s, no one else\'s', () => {
  const store = faultInjectionBase().apply(sample('virtual-service-ratings-test-delay.yaml'));
  const c = store.compile();
  const reviewsV2 = group(c, 'sidecar/default/reviews-v2');
  const routes = routesOf(routeTable(reviewsV2, 'outbound|9080'), RATINGS);
  assert.equal(routes.length, 2);
  const [jason, others] = routes;
  assert.deepEqual((jason!['match'] as JsonObject)['headers'], [{ name: 'end-user', string_match: { exact: 'jason' } }]);
  const fault = (jason!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject;
  assert.deepEqual(fault['delay'], { fixed_delay: '7s', percentage: { numerator: 100 } });
  assert.equal(fault['abort'], undefined);
  assert.equal((jason!['route'] as JsonObject)['cluster'], 'outbound|9080|v1|ratings.default.svc.cluster.local');
  assert.equal(others!['typed_per_filter_config'], undefined, 'the other users are not delayed');
  assert.equal((others!['route'] as JsonObject)['cluster'], 'outbound|9080|v1|ratings.default.svc.cluster.local');
  // The fault filter sits before the router on the outbound HTTP connection manager, off unless a route enables it.
  const filters = (hcmOf(reviewsV2, '0.0.0.0_9080', 'outbound|9080')['http_filters'] as JsonObject[]);
  assert.deepEqual(filters.map((f) => f['name']).slice(-2), ['envoy.filters.http.fault', 'envoy.filters.http.router']);
  const jasonCall = route(c, 'reviews-v2', { service: 'ratings', port: 9080, headers: { 'end-user': 'jason' } });
  assert.deepEqual(jasonCall.fault?.['delay'], { fixed_delay: '7s', percentage: { numerator: 100 } });
  assert.deepEqual(subsetsOf(jasonCall), [['v1', 100]]);
  assert.equal(route(c, 'reviews-v2', { service: 'ratings', port: 9080, headers: { 'end-user': 'alice' } }).fault, undefined);
  // The ratings virtual service of virtual-service-all-v1.yaml was replaced, not merged.
  assert.equal(c.statuses.filter((s) => s.document.kind === 'VirtualService' && s.document.name === 'ratings').length, 1);
  store.expectInputFile('task-fault-delay');
});

test('fault injection, HTTP abort: jason\'s ratings calls are answered 500, from every reviews version', () => {
  const store = faultInjectionBase().apply(sample('virtual-service-ratings-test-abort.yaml'));
  const c = store.compile();
  for (const reviews of ['reviews-v1', 'reviews-v2', 'reviews-v3']) {
    const [jason, others] = routesOf(routeTable(group(c, `sidecar/default/${reviews}`), 'outbound|9080'), RATINGS);
    const fault = (jason!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject;
    assert.deepEqual(fault['abort'], { http_status: 500, percentage: { numerator: 100 } }, reviews);
    assert.equal(fault['delay'], undefined);
    assert.equal(others!['typed_per_filter_config'], undefined);
  }
  assert.deepEqual(route(c, 'reviews-v2', { service: 'ratings', port: 9080, headers: { 'end-user': 'jason' } }).fault?.['abort'], { http_status: 500, percentage: { numerator: 100 } });
  store.expectInputFile('task-fault-abort');
});

// Request Timeouts: all v1; reviews → v2; ratings delayed 2s; reviews timeout 0.5s.
test('request timeouts: no timeout until the task sets 0.5s on reviews; ratings is delayed 2s for everyone', () => {
  const steps = 'istio/task-request-timeouts/steps';
  const store = bookinfoAllV1().apply(`${steps}/1-reviews-v2.yaml`, `${steps}/2-ratings-delay-2s.yaml`);
  const before = store.compile();
  const [reviews] = routesOf(routeTable(group(before, 'sidecar/default/productpage-v1'), 'outbound|9080'), REVIEWS);
  assert.equal((reviews!['route'] as JsonObject)['cluster'], 'outbound|9080|v2|reviews.default.svc.cluster.local');
  assert.equal((reviews!['route'] as JsonObject)['timeout'], '0s', 'Istio\'s default: no route timeout');
  const ratingsRoutes = routesOf(routeTable(group(before, 'sidecar/default/reviews-v2'), 'outbound|9080'), RATINGS);
  assert.equal(ratingsRoutes.length, 1);
  const fault = (ratingsRoutes[0]!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject;
  assert.deepEqual(fault['delay'], { fixed_delay: '2s', percentage: { numerator: 100 } });
  assert.deepEqual(route(before, 'reviews-v2', { service: 'ratings', port: 9080 }).fault?.['delay'], { fixed_delay: '2s', percentage: { numerator: 100 } });

  store.apply(`${steps}/3-reviews-timeout-0.5s.yaml`);
  const after = store.compile();
  const [timed] = routesOf(routeTable(group(after, 'sidecar/default/productpage-v1'), 'outbound|9080'), REVIEWS);
  assert.equal((timed!['route'] as JsonObject)['timeout'], '0.500s');
  assert.equal((timed!['route'] as JsonObject)['cluster'], 'outbound|9080|v2|reviews.default.svc.cluster.local');
  const explained = route(after, 'productpage-v1', { service: 'reviews', port: 9080 });
  assert.deepEqual(subsetsOf(explained), [['v2', 100]]);
  const [ratingsAfter] = routesOf(routeTable(group(after, 'sidecar/default/reviews-v2'), 'outbound|9080'), RATINGS);
  assert.equal((ratingsAfter!['route'] as JsonObject)['timeout'], '0s', 'only reviews got a timeout');
  store.expectInputFile('task-request-timeouts');
});

// ---- Authorization ----

/** The RBAC filters on every filter chain (mTLS and plain text) of a sidecar's inbound listener. */
function inboundRbac(c: Compiled, proxyGroup: string, listener: string, port: number): { name: string; rules: JsonObject }[] {
  const resources = group(c, proxyGroup);
  const chains = ['mtls', 'plaintext'].map((kind) => (hcmOf(resources, listener, `inbound|${port}|${kind}`)['http_filters'] as JsonObject[]).filter((f) => String(f['name']).startsWith('envoy.filters.http.rbac')));
  assert.deepEqual(chains[1], chains[0], `${proxyGroup}: plain text and mTLS chains enforce the same policy`);
  return chains[0]!.map((f) => ({ name: String(f['name']), rules: ((f['typed_config'] as JsonObject)['rules'] ?? {}) as JsonObject }));
}

/** An ALLOW engine (action omitted: ALLOW is RBAC's default) with exactly these policies. */
function assertAllowPolicies(rbac: { name: string; rules: JsonObject }[], policies: JsonObject): void {
  assert.deepEqual(rbac.map((f) => f.name), ['envoy.filters.http.rbac/allow']);
  assert.equal(rbac[0]!.rules['action'] ?? 'ALLOW', 'ALLOW');
  assert.deepEqual(rbac[0]!.rules['policies'] ?? {}, policies);
}

const spiffe = (sa: string, ns = 'default'): JsonObject => ({ authenticated: { principal_name: { exact: `spiffe://cluster.local/ns/${ns}/sa/${sa}` } } });
const methodIs = (method: string): JsonObject => ({ header: { name: ':method', string_match: { exact: method } } });

/** Bookinfo workloads: the proxy group, its inbound listener and its identity as a caller. */
const BOOKINFO_WORKLOADS = {
  productpage: { group: 'sidecar/default/productpage-v1', listener: '10.0.0.10_9080', source: { principal: 'cluster.local/ns/default/sa/bookinfo-productpage', ip: '10.0.0.10' } },
  details: { group: 'sidecar/default/details-v1', listener: '10.0.0.20_9080', source: { principal: 'cluster.local/ns/default/sa/bookinfo-details', ip: '10.0.0.20' } },
  reviews: { group: 'sidecar/default/reviews-v2', listener: '10.0.0.32_9080', source: { principal: 'cluster.local/ns/default/sa/bookinfo-reviews', ip: '10.0.0.32' } },
  ratings: { group: 'sidecar/default/ratings-v1', listener: '10.0.0.40_9080', source: { principal: 'cluster.local/ns/default/sa/bookinfo-ratings', ip: '10.0.0.40' } },
} as const;
type BookinfoService = keyof typeof BOOKINFO_WORKLOADS;
/** The Istio ingress gateway, which calls productpage for the browser in the tasks. */
const INGRESS = { principal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account', ip: '10.0.0.2' };

/** explain: `from` calls service `to` (its sidecar's inbound side decides). */
function call(c: Compiled, from: BookinfoService | typeof INGRESS, to: BookinfoService, extra: Partial<MeshAuthorizationRequest> = {}): MeshAuthorizationResult {
  const source = typeof from === 'string' ? BOOKINFO_WORKLOADS[from].source : from;
  return explainMeshAuthorization(group(c, BOOKINFO_WORKLOADS[to].group), { port: 9080, host: to, method: 'GET', path: `/${to}/0`, source, ...extra });
}

// Authorization for HTTP traffic (authz-http): allow-nothing, then productpage-viewer, details-viewer,
// reviews-viewer and ratings-viewer, each one `kubectl apply`.
test('authz-http: allow-nothing alone denies every request to every Bookinfo workload', () => {
  const steps = 'istio/task-authz-http/steps';
  const c = bookinfo().apply(`${steps}/1-allow-nothing.yaml`).compile();
  const sidecars = [...c.groups.keys()].filter((g) => g.startsWith('sidecar/'));
  assert.equal(sidecars.length, 6);
  for (const name of sidecars) {
    const workload = c.ir.proxies.find((p) => p.name === name)!.mesh!.workload;
    assertAllowPolicies(inboundRbac(c, name, `${workload.address}_9080`, 9080), {});
  }
  const denied = call(c, 'productpage', 'reviews');
  assert.equal(denied.decision, 'denied');
  assert.equal(denied.status, 403);
  assert.match(denied.summary, /allows nothing/);
  assert.equal(call(c, INGRESS, 'productpage', { path: '/productpage' }).decision, 'denied');
  assert.equal(call(c, 'reviews', 'ratings').decision, 'denied');
  assert.equal(call(c, 'productpage', 'details', { source: { ip: '10.0.0.10' } }).decision, 'denied', 'plain text too');
});

test('authz-http: productpage-viewer, then the details/reviews/ratings viewers open exactly Bookinfo\'s call graph', () => {
  const steps = 'istio/task-authz-http/steps';
  const store = bookinfo().apply(`${steps}/1-allow-nothing.yaml`, `${steps}/2-productpage-viewer.yaml`);
  let c = store.compile();
  assertAllowPolicies(inboundRbac(c, BOOKINFO_WORKLOADS.productpage.group, BOOKINFO_WORKLOADS.productpage.listener, 9080), {
    'default/productpage-viewer[rules[0]]': { permissions: [methodIs('GET')], principals: [{ any: true }] },
  });
  const page = call(c, INGRESS, 'productpage', { path: '/productpage' });
  assert.equal(page.decision, 'allowed');
  assert.equal(page.decidedBy, 'default/productpage-viewer[rules[0]]');
  assert.equal(call(c, INGRESS, 'productpage', { path: '/productpage', method: 'POST' }).decision, 'denied');
  assert.equal(call(c, 'productpage', 'details').decision, 'denied', 'details and reviews still allow nothing');
  assert.equal(call(c, 'productpage', 'reviews').decision, 'denied');

  store.apply(`${steps}/3-details-viewer.yaml`, `${steps}/4-reviews-viewer.yaml`);
  c = store.compile();
  for (const service of ['details', 'reviews'] as const) {
    assertAllowPolicies(inboundRbac(c, BOOKINFO_WORKLOADS[service].group, BOOKINFO_WORKLOADS[service].listener, 9080), {
      [`default/${service}-viewer[rules[0]]`]: { permissions: [methodIs('GET')], principals: [spiffe('bookinfo-productpage')] },
    });
  }
  for (const reviews of ['reviews-v1', 'reviews-v3']) {
    const address = c.ir.proxies.find((p) => p.name === `sidecar/default/${reviews}`)!.mesh!.workload.address;
    assertAllowPolicies(inboundRbac(c, `sidecar/default/${reviews}`, `${address}_9080`, 9080), {
      'default/reviews-viewer[rules[0]]': { permissions: [methodIs('GET')], principals: [spiffe('bookinfo-productpage')] },
    });
  }
  const reviews = call(c, 'productpage', 'reviews');
  assert.equal(reviews.decision, 'allowed');
  assert.equal(reviews.decidedBy, 'default/reviews-viewer[rules[0]]');
  assert.equal(call(c, 'productpage', 'details').decision, 'allowed');
  const ratingsToDetails = call(c, 'ratings', 'details');
  assert.equal(ratingsToDetails.decision, 'denied');
  assert.equal(ratingsToDetails.status, 403);
  assert.equal(call(c, 'productpage', 'reviews', { method: 'POST' }).decision, 'denied');
  assert.equal(call(c, 'productpage', 'reviews', { source: { ip: '10.0.0.10' } }).decision, 'denied', 'without mTLS there is no principal');
  assert.equal(call(c, 'reviews', 'ratings').decision, 'denied', 'ratings still allows nothing');

  store.apply(`${steps}/5-ratings-viewer.yaml`);
  c = store.compile();
  assertAllowPolicies(inboundRbac(c, BOOKINFO_WORKLOADS.ratings.group, BOOKINFO_WORKLOADS.ratings.listener, 9080), {
    'default/ratings-viewer[rules[0]]': { permissions: [methodIs('GET')], principals: [spiffe('bookinfo-reviews')] },
  });
  const ratings = call(c, 'reviews', 'ratings');
  assert.equal(ratings.decision, 'allowed');
  assert.equal(ratings.decidedBy, 'default/ratings-viewer[rules[0]]');
  assert.equal(call(c, 'productpage', 'ratings').decision, 'denied');
  assert.equal(call(c, 'productpage', 'reviews').decision, 'allowed', 'earlier steps still hold');
  assert.equal(call(c, 'ratings', 'details').decision, 'denied');
  store.expectInputFile('task-authz-http');
});

// Explicit Deny (authz-deny), namespace foo: deny-method-get, then the same policy with
// `notValues: ["admin"]` on x-token, then allow-path-ip.
const HTTPBIN = { group: 'sidecar/foo/httpbin', listener: '10.0.1.10_8080' };
const CURL = { principal: 'cluster.local/ns/foo/sa/curl', ip: '10.0.1.20' };

function curlHttpbin(c: Compiled, method: string, path: string, headers: Record<string, string> = {}): MeshAuthorizationResult {
  return explainMeshAuthorization(group(c, HTTPBIN.group), { port: 8080, host: 'httpbin.foo:8000', method, path, headers, source: CURL });
}

test('authz-deny: GET is denied, then only GET without x-token: admin, and allow-path-ip cannot override the deny', () => {
  const steps = 'istio/task-authz-deny/steps';
  const store = new Store().apply('istio/task-httpbin-foo/input.yaml', `${steps}/1-deny-method-get.yaml`);
  let c = store.compile();
  let rbac = inboundRbac(c, HTTPBIN.group, HTTPBIN.listener, 8080);
  assert.deepEqual(rbac.map((f) => f.name), ['envoy.filters.http.rbac/deny']);
  assert.equal(rbac[0]!.rules['action'], 'DENY');
  assert.deepEqual(rbac[0]!.rules['policies'], { 'foo/deny-method-get[rules[0]]': { permissions: [methodIs('GET')], principals: [{ any: true }] } });
  const get = curlHttpbin(c, 'GET', '/get');
  assert.equal(get.decision, 'denied');
  assert.equal(get.status, 403);
  assert.equal(get.decidedBy, 'foo/deny-method-get[rules[0]]');
  assert.equal(curlHttpbin(c, 'POST', '/post').decision, 'allowed');

  store.apply(`${steps}/2-deny-method-get-unless-admin.yaml`);
  c = store.compile();
  rbac = inboundRbac(c, HTTPBIN.group, HTTPBIN.listener, 8080);
  assert.deepEqual(rbac[0]!.rules['policies'], {
    'foo/deny-method-get[rules[0]]': { permissions: [methodIs('GET')], principals: [{ not_id: { header: { name: 'x-token', string_match: { exact: 'admin' } } } }] },
  });
  assert.equal(curlHttpbin(c, 'GET', '/get', { 'x-token': 'admin' }).decision, 'allowed');
  assert.equal(curlHttpbin(c, 'GET', '/get', { 'x-token': 'guest' }).decision, 'denied');

  store.apply(`${steps}/3-allow-path-ip.yaml`);
  c = store.compile();
  rbac = inboundRbac(c, HTTPBIN.group, HTTPBIN.listener, 8080);
  assert.deepEqual(rbac.map((f) => f.name), ['envoy.filters.http.rbac/deny', 'envoy.filters.http.rbac/allow'], 'DENY runs before ALLOW');
  assert.deepEqual(rbac[1]!.rules['policies'], { 'foo/allow-path-ip[rules[0]]': { permissions: [{ url_path: { path: { exact: '/ip' } } }], principals: [{ any: true }] } });
  const guestIp = curlHttpbin(c, 'GET', '/ip', { 'x-token': 'guest' });
  assert.equal(guestIp.decision, 'denied');
  assert.equal(guestIp.decidedBy, 'foo/deny-method-get[rules[0]]', 'the deny policy takes precedence');
  const adminIp = curlHttpbin(c, 'GET', '/ip', { 'x-token': 'admin' });
  assert.equal(adminIp.decision, 'allowed');
  assert.equal(adminIp.decidedBy, 'foo/allow-path-ip[rules[0]]');
  assert.equal(curlHttpbin(c, 'GET', '/get', { 'x-token': 'admin' }).decision, 'denied', 'no ALLOW rule matches /get');
  store.expectInputFile('task-authz-deny');
});

// JWT Token (authz-jwt), namespace foo: RequestAuthentication jwt-example, then require-jwt (request
// principal), then require-jwt with the groups claim. Tokens are given to explain as the claims of
// Istio's samples demo.jwt and groups-scope.jwt.
const DEMO_JWT: JsonObject = { exp: 4685989700, foo: 'bar', iat: 1532389700, iss: 'testing@secure.istio.io', sub: 'testing@secure.istio.io' };
const GROUPS_JWT: JsonObject = { exp: 3537391104, groups: ['group1', 'group2'], iat: 1537391104, iss: 'testing@secure.istio.io', scope: ['scope1', 'scope2'], sub: 'testing@secure.istio.io' };

function httpbinHeaders(c: Compiled, jwt?: JsonObject): MeshAuthorizationResult {
  return explainMeshAuthorization(group(c, HTTPBIN.group), { port: 8080, host: 'httpbin.foo:8000', method: 'GET', path: '/headers', source: CURL, ...(jwt ? { jwt } : {}) });
}

test('authz-jwt: jwt-example validates testing@secure.istio.io tokens; require-jwt needs its principal, then group1', () => {
  const steps = 'istio/task-authz-jwt/steps';
  const store = new Store().apply('istio/task-httpbin-foo/input.yaml', `${steps}/1-jwt-example.yaml`);
  let c = store.compile();
  const resources = group(c, HTTPBIN.group);
  const filters = hcmOf(resources, HTTPBIN.listener, 'inbound|8080|mtls')['http_filters'] as JsonObject[];
  const jwtFilter = filters.find((f) => f['name'] === 'envoy.filters.http.jwt_authn');
  assert.ok(jwtFilter, 'the inbound HCM runs jwt_authn');
  const jwtConfig = jwtFilter['typed_config'] as JsonObject;
  const provider = (jwtConfig['providers'] as JsonObject)['foo/jwt-example/jwtRules[0]'] as JsonObject;
  assert.equal(provider['issuer'], 'testing@secure.istio.io');
  const httpUri = (provider['remote_jwks'] as JsonObject)['http_uri'] as JsonObject;
  assert.equal(httpUri['uri'], 'https://raw.githubusercontent.com/istio/istio/release-1.24/security/tools/jwt/samples/jwks.json');
  // The sidecar fetches the JWKS itself, verifying github's certificate by the web PKI (the image's CA bundle) and its name.
  const jwksTls = JSON.stringify(cluster(resources, String(httpUri['cluster']))['transport_socket']);
  assert.match(jwksTls, /"trusted_ca":\{"filename":"\/etc\/ssl\/certs\/ca-certificates\.crt"\}/);
  assert.match(jwksTls, /"san_type":"DNS","matcher":\{"exact":"raw\.githubusercontent\.com"\}/);
  // Requests without a token pass (RequestAuthentication alone does not require one); the route picks that requirement.
  const requirement = (jwtConfig['requirement_map'] as JsonObject)['foo/jwt-example/jwtRules[0]/allow_missing'] as JsonObject;
  assert.deepEqual((requirement['requires_any'] as JsonObject)['requirements'], [{ provider_name: 'foo/jwt-example/jwtRules[0]' }, { allow_missing: {} }]);
  const [inboundRoute] = routesOf(routeTable(resources, 'inbound|8080'), 'inbound|8080');
  assert.deepEqual(((inboundRoute!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.jwt_authn'] as JsonObject)['requirement_name'], 'foo/jwt-example/jwtRules[0]/allow_missing');
  const rejected = httpbinHeaders(c, { iss: 'someone-else', sub: 'x' });
  assert.equal(rejected.decision, 'denied');
  assert.equal(rejected.status, 401, 'a token the provider does not accept is a 401');
  assert.equal(httpbinHeaders(c).decision, 'allowed', 'no token, no authorization policy: allowed');

  store.apply(`${steps}/2-require-jwt.yaml`);
  c = store.compile();
  const valid = httpbinHeaders(c, DEMO_JWT);
  assert.equal(valid.decision, 'allowed');
  assert.equal(valid.decidedBy, 'foo/require-jwt[rules[0]]');
  const missing = httpbinHeaders(c);
  assert.equal(missing.decision, 'denied');
  assert.equal(missing.status, 403);

  store.apply(`${steps}/3-require-jwt-group1.yaml`);
  c = store.compile();
  const rbac = inboundRbac(c, HTTPBIN.group, HTTPBIN.listener, 8080);
  const principal = (((rbac[0]!.rules['policies'] as JsonObject)['foo/require-jwt[rules[0]]'] as JsonObject)['principals'] as JsonObject[])[0]!;
  // The groups claim matches as a string or as a list containing group1 (Istio's generated matcher).
  assert.match(JSON.stringify(principal), /"list_match":\{"one_of":\{"string_match":\{"exact":"group1"\}\}\}/);
  assert.equal(httpbinHeaders(c, GROUPS_JWT).decision, 'allowed');
  assert.equal(httpbinHeaders(c, DEMO_JWT).decision, 'denied', 'demo.jwt has no groups claim');
  assert.equal(httpbinHeaders(c, DEMO_JWT).status, 403);
  store.expectInputFile('task-authz-jwt');
});

// TCP Traffic (authz-tcp), namespace foo: tcp-policy as ALLOW on ports, ALLOW with methods, DENY with
// methods, DENY with methods and a port; each a new version of the same policy.
const TCP_ECHO = { group: 'sidecar/foo/tcp-echo', address: '10.0.1.30' };

function nc(c: Compiled, port: number): MeshAuthorizationResult {
  return explainMeshAuthorization(group(c, TCP_ECHO.group), { port, host: 'tcp-echo', method: 'GET', path: '/', source: CURL });
}

/** The network RBAC filters before tcp_proxy on both chains of tcp-echo's inbound listener for `port`. */
function networkRbac(c: Compiled, port: number): { name: string; rules: JsonObject }[] {
  const l = group(c, TCP_ECHO.group).find((x) => x.typeUrl.endsWith('.Listener') && x.name === `${TCP_ECHO.address}_${port}`);
  assert.ok(l, `no inbound listener for ${port}`);
  const chains = (l.json['filter_chains'] as JsonObject[]).map((fc) => (fc['filters'] as JsonObject[]).map((f) => String(f['name'])));
  for (const names of chains) assert.equal(names[names.length - 1], 'envoy.filters.network.tcp_proxy');
  const [first] = l.json['filter_chains'] as JsonObject[];
  return (first!['filters'] as JsonObject[])
    .filter((f) => String(f['name']).startsWith('envoy.filters.network.rbac'))
    .map((f) => ({ name: String(f['name']), rules: ((f['typed_config'] as JsonObject)['rules'] ?? {}) as JsonObject }));
}

const HTTP_ONLY_ALLOW = /^AuthorizationPolicy foo\/tcp-policy: .*port 9000 is TCP: rules\[0\]: on a TCP port the ALLOW rule never matches: it uses HTTP-only fields \(methods\)/;
const HTTP_ONLY_DENY = /^AuthorizationPolicy foo\/tcp-policy: .*port 9000 is TCP: rules\[0\]: on a TCP port the DENY rule ignores its HTTP-only fields \(methods\), which always match, and so denies more/;

test('authz-tcp: ALLOW on ports 9000/9001, HTTP-only ALLOW matches nothing, HTTP-only DENY denies everything, DENY on 9000 only', () => {
  const steps = 'istio/task-authz-tcp/steps';
  const store = new Store().apply('istio/task-httpbin-foo/input.yaml', `${steps}/0-tcp-echo.yaml`);
  let c = store.compile();
  assert.equal(nc(c, 9000).decision, 'allowed');
  assert.equal(nc(c, 9001).decision, 'allowed');
  assert.equal(nc(c, 9002).decision, 'allowed', 'an undeclared port passes through to the app (Istio inbound passthrough)');
  const toApp = (group(c, TCP_ECHO.group).find((x) => x.name === 'virtualInbound')!.json['filter_chains'] as JsonObject[]).map((fc) => ((fc['filters'] as JsonObject[]).at(-1)!['typed_config'] as JsonObject)['cluster']);
  assert.deepEqual(toApp, ['InboundPassthroughCluster', 'InboundPassthroughCluster'], 'PERMISSIVE: an mTLS and a plain-text passthrough chain');

  store.apply(`${steps}/1-tcp-policy-ports.yaml`);
  c = store.compile();
  for (const port of [9000, 9001]) {
    const rbac = networkRbac(c, port);
    assert.deepEqual(rbac.map((f) => f.name), ['envoy.filters.network.rbac/allow']);
    assert.deepEqual(rbac[0]!.rules['policies'], { 'foo/tcp-policy[rules[0]]': { permissions: [{ or_rules: { rules: [{ destination_port: 9000 }, { destination_port: 9001 }] } }], principals: [{ any: true }] } });
    const allowed = nc(c, port);
    assert.equal(allowed.decision, 'allowed');
    assert.equal(allowed.decidedBy, 'foo/tcp-policy[rules[0]]');
  }
  // Port 9002, not in the Service: as in Istio's task, the connection is rejected. No inbound
  // listener declares it, so virtualInbound's passthrough chains take it and their ALLOW policy
  // (ports 9000 and 9001 only) closes it; before any policy it passed through (step 0 below).
  const passthrough = nc(c, 9002);
  assert.equal(passthrough.decision, 'denied');
  assert.equal(passthrough.listener, 'virtualInbound');

  store.apply(`${steps}/2-tcp-policy-allow-methods.yaml`);
  c = store.compile([HTTP_ONLY_ALLOW]);
  for (const port of [9000, 9001]) {
    const rbac = networkRbac(c, port);
    assert.deepEqual(rbac.map((f) => f.name), ['envoy.filters.network.rbac/allow']);
    assert.deepEqual(rbac[0]!.rules['policies'] ?? {}, {}, 'the invalid ALLOW rule is left out: nothing is allowed');
    const denied = nc(c, port);
    assert.equal(denied.decision, 'denied');
    assert.equal(denied.status, undefined, 'TCP: the connection is closed, no HTTP status');
  }

  store.apply(`${steps}/3-tcp-policy-deny-methods.yaml`);
  c = store.compile([HTTP_ONLY_DENY]);
  for (const port of [9000, 9001]) {
    const rbac = networkRbac(c, port);
    assert.deepEqual(rbac.map((f) => f.name), ['envoy.filters.network.rbac/deny']);
    assert.equal(rbac[0]!.rules['action'], 'DENY');
    assert.deepEqual(rbac[0]!.rules['policies'], { 'foo/tcp-policy[rules[0]]': { permissions: [{ any: true }], principals: [{ any: true }] } });
    const denied = nc(c, port);
    assert.equal(denied.decision, 'denied');
    assert.equal(denied.decidedBy, 'foo/tcp-policy[rules[0]]');
  }

  store.apply(`${steps}/4-tcp-policy-deny-methods-port.yaml`);
  c = store.compile([HTTP_ONLY_DENY]);
  assert.deepEqual(networkRbac(c, 9000)[0]!.rules['policies'], { 'foo/tcp-policy[rules[0]]': { permissions: [{ destination_port: 9000 }], principals: [{ any: true }] } });
  assert.equal(nc(c, 9000).decision, 'denied');
  assert.equal(nc(c, 9000).decidedBy, 'foo/tcp-policy[rules[0]]');
  assert.equal(nc(c, 9001).decision, 'allowed', 'the DENY rule names port 9000 only');
  store.expectInputFile('task-authz-tcp');
});

// Mutual TLS Migration: httpbin and curl in foo and bar with sidecars, curl in legacy without one;
// STRICT in foo, then STRICT mesh-wide (PeerAuthentication "default" in istio-system).
const LEGACY_CURL = { ip: '10.0.9.20' };
const BAR_CURL = { principal: 'cluster.local/ns/bar/sa/curl', ip: '10.0.4.20' };
const FOO_CURL = { principal: 'cluster.local/ns/foo/sa/curl', ip: '10.0.1.20' };

function toHttpbin(c: Compiled, ns: 'foo' | 'bar', source: MeshAuthorizationRequest['source']): MeshAuthorizationResult {
  return explainMeshAuthorization(group(c, `sidecar/${ns}/httpbin`), { port: 8080, host: `httpbin.${ns}:8000`, method: 'GET', path: '/ip', ...(source ? { source } : {}) });
}

/** Each inbound filter chain of httpbin's 8080 listener: its name and whether it demands a client certificate. */
function inboundChains(c: Compiled, ns: 'foo' | 'bar'): [string, boolean][] {
  const address = ns === 'foo' ? '10.0.1.10' : '10.0.4.10';
  const l = group(c, `sidecar/${ns}/httpbin`).find((x) => x.typeUrl.endsWith('.Listener') && x.name === `${address}_8080`);
  assert.ok(l);
  return (l.json['filter_chains'] as JsonObject[]).map((fc) => {
    const tls = (fc['transport_socket'] as JsonObject | undefined)?.['typed_config'] as JsonObject | undefined;
    return [String(fc['name']), tls?.['require_client_certificate'] === true];
  });
}

test('mtls-migration: PERMISSIVE by default, then STRICT in foo closes legacy\'s plain text there, then everywhere', () => {
  const steps = 'istio/task-mtls-migration/steps';
  const store = new Store().apply('istio/task-httpbin-foo/input.yaml', `${steps}/0-namespace-bar.yaml`);
  let c = store.compile();
  for (const ns of ['foo', 'bar'] as const) {
    assert.deepEqual(inboundChains(c, ns), [['inbound|8080|mtls', true], ['inbound|8080|plaintext', false]], `${ns}: PERMISSIVE takes both`);
    assert.equal(toHttpbin(c, ns, LEGACY_CURL).decision, 'allowed');
    assert.equal(toHttpbin(c, ns, BAR_CURL).decision, 'allowed');
  }
  // Auto mTLS: a client sidecar talks ISTIO_MUTUAL to httpbin and checks its identity.
  const upstream = cluster(group(c, 'sidecar/bar/curl'), 'outbound|8000||httpbin.foo.svc.cluster.local');
  const tls = (upstream['transport_socket'] as JsonObject)['typed_config'] as JsonObject;
  const validation = ((tls['common_tls_context'] as JsonObject)['combined_validation_context'] as JsonObject)['default_validation_context'] as JsonObject;
  assert.deepEqual(validation['match_typed_subject_alt_names'], [{ san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/foo/sa/httpbin' } }]);

  store.apply(`${steps}/1-peer-authentication-foo-strict.yaml`);
  c = store.compile();
  assert.deepEqual(inboundChains(c, 'foo'), [['inbound|8080|mtls', true]], 'STRICT: only the mutual TLS chain');
  assert.deepEqual(inboundChains(c, 'bar'), [['inbound|8080|mtls', true], ['inbound|8080|plaintext', false]]);
  assert.equal(toHttpbin(c, 'foo', LEGACY_CURL).decision, 'connection_closed', 'legacy → foo fails');
  assert.equal(toHttpbin(c, 'foo', BAR_CURL).decision, 'allowed');
  assert.equal(toHttpbin(c, 'foo', FOO_CURL).decision, 'allowed');
  assert.equal(toHttpbin(c, 'bar', LEGACY_CURL).decision, 'allowed', 'legacy → bar still works');

  store.apply(`${steps}/2-peer-authentication-mesh-strict.yaml`);
  c = store.compile();
  for (const ns of ['foo', 'bar'] as const) {
    assert.deepEqual(inboundChains(c, ns), [['inbound|8080|mtls', true]]);
    assert.equal(toHttpbin(c, ns, LEGACY_CURL).decision, 'connection_closed', `legacy → ${ns} fails`);
    assert.equal(toHttpbin(c, ns, FOO_CURL).decision, 'allowed');
  }
  store.expectInputFile('task-mtls-migration');
});

// Authentication Policy (authn-policy): foo and bar as in the mTLS migration task, legacy without
// sidecars. Mesh-wide STRICT (then removed), foo STRICT, httpbin in bar STRICT, then with port 8080
// DISABLE, then foo's httpbin overridden to DISABLE; after the cleanup, end-user authentication at
// the ingress gateway (RequestAuthentication, then a DENY for requests without a request principal).
function autoMtls(c: Compiled, from: 'foo' | 'bar', to: 'foo' | 'bar'): boolean {
  return cluster(group(c, `sidecar/${from}/curl`), `outbound|8000||httpbin.${to}.svc.cluster.local`)['transport_socket'] !== undefined;
}

const INGRESS_GATEWAY = 'istio-gateway/foo/httpbin-gateway';

test('authn-policy: mesh, namespace, workload and port-level PeerAuthentication; the workload policy wins; JWT required at the ingress gateway', () => {
  const steps = 'istio/task-authn-policy/steps';
  const store = new Store().apply('istio/task-httpbin-foo/input.yaml', 'istio/task-mtls-migration/steps/0-namespace-bar.yaml');
  let c = store.compile();
  // Auto mutual TLS: sidecar to sidecar is mTLS, and httpbin is told the caller's certificate (X-Forwarded-Client-Cert).
  assert.equal(autoMtls(c, 'foo', 'bar'), true);
  const hcm = hcmOf(group(c, 'sidecar/foo/httpbin'), '10.0.1.10_8080', 'inbound|8080|mtls');
  assert.equal(hcm['forward_client_cert_details'], 'APPEND_FORWARD');
  assert.deepEqual(hcm['set_current_client_cert_details'], { uri: true });

  store.apply(`${steps}/1-mesh-strict.yaml`);
  c = store.compile();
  for (const ns of ['foo', 'bar'] as const) {
    assert.deepEqual(inboundChains(c, ns), [['inbound|8080|mtls', true]]);
    assert.equal(toHttpbin(c, ns, LEGACY_CURL).decision, 'connection_closed');
    assert.equal(toHttpbin(c, ns, BAR_CURL).decision, 'allowed');
  }
  store.delete(`${steps}/1-mesh-strict.yaml`);

  store.apply(`${steps}/2-foo-strict.yaml`);
  c = store.compile();
  assert.equal(toHttpbin(c, 'foo', LEGACY_CURL).decision, 'connection_closed');
  assert.equal(toHttpbin(c, 'bar', LEGACY_CURL).decision, 'allowed');

  store.apply(`${steps}/3-bar-httpbin-strict.yaml`);
  c = store.compile();
  assert.deepEqual(inboundChains(c, 'bar'), [['inbound|8080|mtls', true]]);
  assert.equal(toHttpbin(c, 'bar', LEGACY_CURL).decision, 'connection_closed');
  assert.equal(toHttpbin(c, 'bar', FOO_CURL).decision, 'allowed');

  store.apply(`${steps}/4-bar-httpbin-port-8080-disable.yaml`);
  c = store.compile();
  assert.deepEqual(inboundChains(c, 'bar'), [['inbound|8080|plaintext', false]], 'port 8080 takes plain text only');
  assert.equal(toHttpbin(c, 'bar', LEGACY_CURL).decision, 'allowed');
  assert.equal(autoMtls(c, 'foo', 'bar'), false, 'clients do not send mTLS to a port that disabled it');

  store.apply(`${steps}/5-foo-overwrite-example.yaml`);
  c = store.compile();
  assert.deepEqual(inboundChains(c, 'foo'), [['inbound|8080|plaintext', false]], 'the workload policy overrides the namespace one');
  assert.equal(toHttpbin(c, 'foo', LEGACY_CURL).decision, 'allowed');
  assert.equal(autoMtls(c, 'bar', 'foo'), false);

  // Cleanup part 2, then end-user authentication at the ingress gateway: policies in istio-system
  // selecting istio: ingressgateway apply to the Istio Gateway whose spec.selector names those labels.
  store.delete(`${steps}/2-foo-strict.yaml`).delete(`${steps}/4-bar-httpbin-port-8080-disable.yaml`).delete(`${steps}/5-foo-overwrite-example.yaml`);
  store.apply(`${steps}/6-httpbin-gateway.yaml`, `${steps}/7-ingress-jwt-example.yaml`);
  c = store.compile();
  let gatewayHcm = hcmOf(group(c, INGRESS_GATEWAY), '0.0.0.0_80', 'http-80-0');
  assert.deepEqual((gatewayHcm['http_filters'] as JsonObject[]).map((f) => f['name']), ['envoy.filters.http.jwt_authn', 'envoy.filters.http.router']);
  const gatewayJwt = (gatewayHcm['http_filters'] as JsonObject[])[0]!['typed_config'] as JsonObject;
  assert.equal(((gatewayJwt['providers'] as JsonObject)['istio-system/jwt-example/jwtRules[0]'] as JsonObject)['issuer'], 'testing@secure.istio.io');
  const [gatewayRoute] = routesOf(routeTable(group(c, INGRESS_GATEWAY), 'http-80-0'), 'http-80-0/*');
  assert.equal((gatewayRoute!['route'] as JsonObject)['cluster'], 'outbound|8000||httpbin.foo.svc.cluster.local');
  assert.equal(((gatewayRoute!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.jwt_authn'] as JsonObject)['requirement_name'], 'istio-system/jwt-example/jwtRules[0]/allow_missing', 'a request without a token still passes');

  // "Require a valid token": DENY when there is no request principal, i.e. jwt_authn wrote no payload.
  store.apply(`${steps}/8-frontend-ingress.yaml`);
  c = store.compile();
  gatewayHcm = hcmOf(group(c, INGRESS_GATEWAY), '0.0.0.0_80', 'http-80-0');
  const gatewayFilters = gatewayHcm['http_filters'] as JsonObject[];
  assert.deepEqual(gatewayFilters.map((f) => f['name']), ['envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac/deny', 'envoy.filters.http.router']);
  const deny = (gatewayFilters[1]!['typed_config'] as JsonObject)['rules'] as JsonObject;
  assert.equal(deny['action'], 'DENY');
  assert.deepEqual(deny['policies'], {
    'istio-system/frontend-ingress[rules[0]]': {
      permissions: [{ any: true }],
      principals: [{ not_id: { metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'iss' }], value: { present_match: true } } } }],
    },
  });
  store.expectInputFile('task-authn-policy');
});

// Circuit Breaking: httpbin and the fortio client, then the httpbin destination rule.
test('circuit breaking: one connection, one pending request, one request per connection, eject after one 5xx', () => {
  const steps = 'istio/task-circuit-breaking/steps';
  const store = new Store().apply(`${steps}/0-httpbin-fortio.yaml`);
  const before = cluster(group(store.compile(), 'sidecar/default/fortio-deploy'), 'outbound|8000||httpbin.default.svc.cluster.local');
  // Before the task's DestinationRule, Istio's defaults: no limits (4294967295), remaining counts tracked.
  const unlimited = 4294967295;
  assert.deepEqual(before['circuit_breakers'], { thresholds: [{ max_connections: unlimited, max_pending_requests: unlimited, max_requests: unlimited, max_retries: unlimited, track_remaining: true }] });
  assert.equal(before['outlier_detection'], undefined);

  store.apply(`${steps}/1-destination-rule.yaml`);
  const c = store.compile();
  const httpbin = cluster(group(c, 'sidecar/default/fortio-deploy'), 'outbound|8000||httpbin.default.svc.cluster.local');
  // The limits the task sets; the others stay at Istio's defaults.
  assert.deepEqual(httpbin['circuit_breakers'], { thresholds: [{ max_connections: 1, max_pending_requests: 1, max_requests: unlimited, max_retries: unlimited, track_remaining: true }] });
  const options = (httpbin['typed_extension_protocol_options'] as JsonObject)['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'] as JsonObject;
  assert.deepEqual(options['common_http_protocol_options'], { max_requests_per_connection: 1 });
  const od = httpbin['outlier_detection'] as JsonObject;
  assert.equal(od['consecutive_5xx'], 1);
  assert.equal(od['interval'], '1s');
  assert.equal(od['base_ejection_time'], '180s');
  assert.equal(od['max_ejection_percent'], 100);
  const explained = route(c, 'fortio-deploy', { service: 'httpbin', port: 8000, path: '/get' });
  assert.deepEqual(explained.destinations.map((d) => [d.cluster, d.endpoints]), [['outbound|8000||httpbin.default.svc.cluster.local', ['10.0.2.10:8080']]]);
  store.expectInputFile('task-circuit-breaking');
});

// Mirroring: all traffic to httpbin v1, then mirrored 100% to v2.
test('mirroring: all httpbin traffic goes to v1, then is also mirrored to v2', () => {
  const steps = 'istio/task-mirroring/steps';
  const store = new Store().apply(`${steps}/0-httpbin-v1-v2-sleep.yaml`, `${steps}/1-httpbin-v1.yaml`);
  let c = store.compile();
  let action = routesOf(routeTable(group(c, 'sidecar/default/sleep'), 'outbound|8000'), 'httpbin.default.svc.cluster.local:8000')[0]!['route'] as JsonObject;
  assert.equal(action['cluster'], 'outbound|8000|v1|httpbin.default.svc.cluster.local');
  assert.equal(action['request_mirror_policies'], undefined);
  assert.deepEqual(route(c, 'sleep', { service: 'httpbin', port: 8000, path: '/headers' }).mirrors, []);

  store.apply(`${steps}/2-mirror-v2.yaml`);
  c = store.compile();
  action = routesOf(routeTable(group(c, 'sidecar/default/sleep'), 'outbound|8000'), 'httpbin.default.svc.cluster.local:8000')[0]!['route'] as JsonObject;
  assert.equal(action['cluster'], 'outbound|8000|v1|httpbin.default.svc.cluster.local');
  assert.deepEqual(action['request_mirror_policies'], [{ cluster: 'outbound|8000|v2|httpbin.default.svc.cluster.local' }], 'mirrorPercentage 100: no runtime fraction');
  const explained = route(c, 'sleep', { service: 'httpbin', port: 8000, path: '/headers' });
  assert.deepEqual(subsetsOf(explained), [['v1', 100]]);
  assert.deepEqual(explained.destinations[0]!.endpoints, ['10.0.3.11:8080']);
  assert.deepEqual(explained.mirrors.map((m) => [m.subset, m.percent]), [['v2', 100]]);
  store.expectInputFile('task-mirroring');
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
