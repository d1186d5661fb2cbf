// End to end (issue 3): Gateway API documents applied through the admin API of a real control
// plane are served, as the proxyless view of their gateway group, to gRPC's own xDS client, whose
// calls reach real gRPC backends. A GRPCRoute routes by header, an HTTPRoute splits 90/10 over
// 2,000 calls, and a weight change applied later is followed by the clients' traffic.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { typeStatusOf } from './harness/admin-client';
import { startBackends, type BackendSet } from './harness/backends';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { eventually } from './harness/eventually';
import { shareOf, totalOf } from './harness/tally';
import { XdsClientProcess } from './harness/xds-client';

const GATEWAY_GROUP = 'gateway/default/edge';
const HEADER_CLIENT = 'e2e-gw-grpc-header';
const SPLIT_CLIENT = 'e2e-gw-grpc-split';

function documents(backends: BackendSet, weightA: number, weightB: number): string {
  const a = backends.byName('a');
  const b = backends.byName('b');
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: meshgate
  listeners:
    - {name: http, port: 8080, protocol: HTTP}
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: echo-a}
spec:
  protocol: grpc
  endpoints: [{address: ${a.host}, port: ${a.port}}]
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: echo-b}
spec:
  protocol: grpc
  endpoints: [{address: ${b.host}, port: ${b.port}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo}
spec:
  parentRefs: [{name: edge}]
  hostnames: [echo.grpc.test]
  rules:
    - matches:
        - method: {service: meshgate.test.Echo, method: Who}
          headers: [{name: x-backend, value: b}]
      backendRefs: [{group: meshgate.io, kind: Backend, name: echo-b}]
    - matches:
        - method: {service: meshgate.test.Echo, method: Who}
      backendRefs: [{group: meshgate.io, kind: Backend, name: echo-a}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: split}
spec:
  parentRefs: [{name: edge}]
  hostnames: [split.grpc.test]
  rules:
    - matches: [{path: {type: PathPrefix, value: /meshgate.test.Echo}}]
      backendRefs:
        - {group: meshgate.io, kind: Backend, name: echo-a, weight: ${weightA}}
        - {group: meshgate.io, kind: Backend, name: echo-b, weight: ${weightB}}
`;
}

describe('e2e: Gateway API routes served to @grpc/grpc-js-xds (proxyless view)', () => {
  let backends: BackendSet;
  let cp: TestControlPlane;
  let headerClient: XdsClientProcess;
  let splitClient: XdsClientProcess;

  before(async () => {
    backends = await startBackends(['a', 'b']);
    cp = await startTestControlPlane();
    await cp.admin.apply(documents(backends, 90, 10));
    // A gRPC node names the gateway group and says it is proxyless: it reads grpc:<group>.
    const metadata = { meshgate_group: GATEWAY_GROUP, meshgate_proxyless: true };
    headerClient = new XdsClientProcess({ target: 'echo.grpc.test', xdsPort: cp.xdsPort, nodeId: HEADER_CLIENT, cluster: 'grpc-clients', metadata });
    splitClient = new XdsClientProcess({ target: 'split.grpc.test:8080', xdsPort: cp.xdsPort, nodeId: SPLIT_CLIENT, cluster: 'grpc-clients', metadata: { ...metadata, meshgate_proxyless: 'true' } });
  });

  after(async () => {
    await headerClient?.stop();
    await splitClient?.stop();
    await cp?.close();
    await backends?.stop();
  });

  it('serves the proxyless group to a gRPC node, which ACKs every resource type', async () => {
    const ready = await headerClient.waitFor({ timeoutMs: 10_000, batch: 20, reach: ['a'], noErrors: true });
    assert.ok(ready.ok, `calls never reached backend a: ${JSON.stringify(ready.last)}\n${headerClient.stderr}`);
    const proxy = await cp.admin.proxy(HEADER_CLIENT);
    assert.equal(proxy?.group, `grpc:${GATEWAY_GROUP}`);
    for (const typeUrl of [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment]) {
      const status = await eventually(`${typeUrl} ACKed`, async () => {
        const t = typeStatusOf(await cp.admin.proxy(HEADER_CLIENT), typeUrl);
        return t?.state === 'synced' ? t : undefined;
      });
      assert.equal(status.nacks, 0, `${typeUrl} was NACKed: ${JSON.stringify(status.lastNack)}`);
    }
  });

  it('GRPCRoute header match: x-backend: b goes to b, every other call to a', async () => {
    const plain = await headerClient.calls(200);
    assert.deepEqual(plain.errors, {}, plain.errorSamples.join('; '));
    assert.deepEqual(plain.counts, { a: 200 });
    const withHeader = await headerClient.calls(200, { metadata: { 'x-backend': 'b' } });
    assert.deepEqual(withHeader.errors, {}, withHeader.errorSamples.join('; '));
    assert.deepEqual(withHeader.counts, { b: 200 });
    const otherValue = await headerClient.calls(100, { metadata: { 'x-backend': 'c' } });
    assert.deepEqual(otherValue.counts, { a: 100 });
  });

  it('HTTPRoute weights 90/10: 2,000 calls split within ±4 points', async () => {
    const ready = await splitClient.waitFor({ timeoutMs: 10_000, batch: 100, reach: ['a', 'b'], noErrors: true });
    assert.ok(ready.ok, `split traffic never reached both backends: ${JSON.stringify(ready.last)}\n${splitClient.stderr}`);
    const tally = await splitClient.calls(2000);
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    assert.equal(totalOf(tally), 2000);
    const shareA = shareOf(tally, 'a');
    assert.ok(shareA >= 0.86 && shareA <= 0.94, `share of a was ${shareA}: ${JSON.stringify(tally.counts)}`);
  });

  it('a weight change applied through the admin API (20/80) reaches the clients', async () => {
    await cp.admin.apply(documents(backends, 20, 80));
    const moved = await splitClient.waitFor({ timeoutMs: 5000, batch: 200, share: { a: [0.1, 0.3] }, noErrors: true });
    assert.ok(moved.ok, `20/80 never showed in traffic: ${JSON.stringify(moved.last)}`);
    const tally = await splitClient.calls(2000);
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    const shareA = shareOf(tally, 'a');
    assert.ok(shareA >= 0.16 && shareA <= 0.24, `share of a was ${shareA}: ${JSON.stringify(tally.counts)}`);
    // The header route was not touched by the change and still works.
    const header = await headerClient.calls(50, { metadata: { 'x-backend': 'b' } });
    assert.deepEqual(header.counts, { b: 50 });
  });
});
