// End to end (issue 4, proxyless gRPC) from Istio documents: ServiceEntry + WorkloadEntry +
// Sidecar + DestinationRule + VirtualService applied through the admin API of a real control
// plane; the frontend workload's proxyless view drives gRPC's own xDS client against real gRPC
// servers: 90/10 subset split, header canary, fault abort at 50 %, retries against a backend that
// fails every other call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBackends, type BackendSet } from './harness/backends';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { shareOf, totalOf } from './harness/tally';
import { XdsClientProcess } from './harness/xds-client';
import { TypeUrl } from '../../src/envoy/type-urls';

const GROUP = 'sidecar/demo/frontend';
const NODE_ID = 'e2e-istio-frontend-grpc';

function workloadEntry(name: string, version: string, port: number): string {
  return `
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ${name}, namespace: demo}
spec:
  address: 127.0.0.1
  ports: {grpc: ${port}}
  labels: {app: catalog, version: ${version}}
  serviceAccount: catalog
`;
}

function documents(backends: BackendSet, split: readonly [number, number]): string {
  return [
    `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: catalog, namespace: demo}
spec:
  hosts: [catalog.demo.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 8080, name: grpc, protocol: GRPC}]
  resolution: STATIC
  workloadSelector: {labels: {app: catalog}}
`,
    workloadEntry('catalog-v1', 'v1', backends.byName('v1').port),
    workloadEntry('catalog-v2', 'v2', backends.byName('v2').port),
    workloadEntry('catalog-flaky', 'flaky', backends.byName('flaky').port),
    `
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: frontend, namespace: demo}
spec:
  address: 127.0.0.2
  ports: {http: 9080}
  labels: {app: frontend}
  serviceAccount: frontend
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: frontend, namespace: demo}
spec:
  workloadSelector: {labels: {app: frontend}}
  egress:
    - port: {number: 8080, name: grpc, protocol: GRPC}
      bind: 127.0.0.1
      captureMode: NONE
      hosts: ["./*"]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: catalog, namespace: demo}
spec:
  host: catalog
  # The backends here are plain gRPC servers (mTLS and authorization are covered by mesh-grpc-authorization.test.ts).
  trafficPolicy: {tls: {mode: DISABLE}}
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
    - {name: flaky, labels: {version: flaky}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: catalog, namespace: demo}
spec:
  hosts: [catalog]
  http:
    - match: [{headers: {x-canary: {exact: "true"}}}]
      route: [{destination: {host: catalog, subset: v2}}]
    - match: [{headers: {x-fault: {exact: "1"}}}]
      fault: {abort: {httpStatus: 503, percentage: {value: 50}}}
      route: [{destination: {host: catalog, subset: v1}}]
    - match: [{headers: {x-flaky: {exact: retry}}}]
      route: [{destination: {host: catalog, subset: flaky}}]
      retries: {attempts: 3, retryOn: unavailable}
    - match: [{headers: {x-flaky: {exact: plain}}}]
      route: [{destination: {host: catalog, subset: flaky}}]
      retries: {attempts: 0}
    - route:
        - {destination: {host: catalog, subset: v1}, weight: ${split[0]}}
        - {destination: {host: catalog, subset: v2}, weight: ${split[1]}}
      # Envoy's view runs a CORS filter for this route; gRPC clients get it as an optional filter
      # (is_optional, FilterConfig-wrapped per-route config) and must still accept the listener.
      corsPolicy: {allowOrigins: [{exact: "https://shop.example.com"}], allowMethods: [POST]}
`,
  ].join('---\n');
}

describe('e2e: Istio resources served to @grpc/grpc-js-xds (proxyless view of a sidecar group)', () => {
  let backends: BackendSet;
  let cp: TestControlPlane;
  let client: XdsClientProcess;

  before(async () => {
    backends = await startBackends(['v1', 'v2', 'flaky'], { flaky: 'fail-every-other' });
    cp = await startTestControlPlane();
    await cp.admin.apply(documents(backends, [90, 10]));
    client = new XdsClientProcess({
      target: 'catalog.demo.svc.cluster.local:8080',
      xdsPort: cp.xdsPort,
      nodeId: NODE_ID,
      cluster: 'frontend',
      metadata: { meshgate_group: GROUP, meshgate_proxyless: true },
    });
  });

  after(async () => {
    await client?.stop();
    await cp?.close();
    await backends?.stop();
  });

  it('VirtualService weights 90/10 over subsets: 2,000 calls within ±4 points', async () => {
    const ready = await client.waitFor({ timeoutMs: 10_000, batch: 100, reach: ['v1', 'v2'], noErrors: true });
    assert.ok(ready.ok, `calls never reached both subsets: ${JSON.stringify(ready.last)}\n${client.stderr}`);
    const tally = await client.calls(2000);
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    assert.equal(totalOf(tally), 2000);
    const shareV1 = shareOf(tally, 'v1');
    assert.ok(shareV1 >= 0.86 && shareV1 <= 0.94, `share of v1 was ${shareV1}: ${JSON.stringify(tally.counts)}`);
  });

  it('the client was served the CORS filter as optional, and still called (it ACKed the listener)', () => {
    const listeners = [...(cp.cache.getSnapshot(`grpc:${GROUP}`)?.resources.get(TypeUrl.Listener)?.values() ?? [])];
    const served = listeners.find((l) => l.name === 'catalog.demo.svc.cluster.local:8080');
    assert.ok(served, 'the api_listener the client dials is served');
    const hcm = (served.json['api_listener'] as { api_listener: { http_filters: { name: string; is_optional?: boolean }[] } }).api_listener;
    assert.deepEqual(
      hcm.http_filters.map((f) => [f.name, f.is_optional === true]),
      [['envoy.filters.http.cors', true], ['envoy.filters.http.fault', false], ['envoy.filters.http.router', false]],
    );
  });

  it('header canary: x-canary: true always goes to v2', async () => {
    const tally = await client.calls(300, { metadata: { 'x-canary': 'true' } });
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    assert.deepEqual(tally.counts, { v2: 300 });
  });

  it('fault abort 50 % (HTTP 503 → UNAVAILABLE): about half of 2,000 calls fail', async () => {
    const tally = await client.calls(2000, { metadata: { 'x-fault': '1' } });
    const aborted = tally.errors['UNAVAILABLE'] ?? 0;
    assert.deepEqual(Object.keys(tally.errors).filter((code) => code !== 'UNAVAILABLE'), [], tally.errorSamples.join('; '));
    const share = aborted / 2000;
    assert.ok(share >= 0.46 && share <= 0.54, `aborted share was ${share}; ${JSON.stringify(tally)}`);
  });

  it('retries recover from a backend that fails every other call; without retries half fail', async () => {
    const plain = await client.calls(100, { concurrency: 1, metadata: { 'x-flaky': 'plain' } });
    assert.equal(plain.errors['UNAVAILABLE'], 50, `without retries: ${JSON.stringify(plain)}`);
    const retried = await client.calls(100, { concurrency: 1, metadata: { 'x-flaky': 'retry' } });
    assert.deepEqual(retried.errors, {}, `with retries: ${retried.errorSamples.join('; ')}`);
    assert.deepEqual(retried.counts, { flaky: 100 });
  });

  it('a weight change applied through the admin API (50/50) reaches the client', async () => {
    await cp.admin.apply(documents(backends, [50, 50]));
    const moved = await client.waitFor({ timeoutMs: 5000, batch: 200, share: { v1: [0.35, 0.65] }, noErrors: true });
    assert.ok(moved.ok, `50/50 never showed in traffic: ${JSON.stringify(moved.last)}`);
  });
});
