// End to end with gRPC's own xDS client: a proxyless client dials xds:///echo against meshgate,
// its calls reach real gRPC backends, a weighted split holds over 2,000 calls, and weight changes
// reach the client's traffic within seconds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { typeStatusOf } from './harness/admin-client';
import { startBackends, type BackendSet } from './harness/backends';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { eventually } from './harness/eventually';
import { serviceResources, type Endpoint } from './harness/resources';
import { shareOf, totalOf } from './harness/tally';
import { XdsClientProcess } from './harness/xds-client';

const GROUP = 'e2e-weights';
const NODE_ID = 'e2e-weights-client';

describe('e2e: weighted routing through @grpc/grpc-js-xds', () => {
  let backends: BackendSet;
  let cp: TestControlPlane;
  let client: XdsClientProcess;

  function endpointsOf(name: string): Endpoint[] {
    const b = backends.byName(name);
    return [{ host: b.host, port: b.port }];
  }

  function snapshot(weightA: number, weightB: number) {
    return serviceResources({
      listener: 'echo',
      routeConfig: 'echo-routes',
      clusters: { 'echo-a': endpointsOf('a'), 'echo-b': endpointsOf('b') },
      weights: [
        { cluster: 'echo-a', weight: weightA },
        { cluster: 'echo-b', weight: weightB },
      ],
    });
  }

  before(async () => {
    backends = await startBackends(['a', 'b']);
    cp = await startTestControlPlane();
    cp.cache.setSnapshot(GROUP, snapshot(90, 10));
    // The group comes from the node's cluster (no meshgate_group metadata).
    client = new XdsClientProcess({ target: 'echo', xdsPort: cp.xdsPort, nodeId: NODE_ID, cluster: GROUP });
  });

  after(async () => {
    await client?.stop();
    await cp?.close();
    await backends?.stop();
  });

  it('routes a client dialing xds:///echo to the real backends', async () => {
    const reached = await client.waitFor({ timeoutMs: 10_000, batch: 100, reach: ['a', 'b'], noErrors: true });
    assert.ok(reached.ok, `traffic never reached both backends: ${JSON.stringify(reached.last)}\n${client.stderr}`);
    assert.ok(backends.byName('a').served() > 0 && backends.byName('b').served() > 0);
    const proxy = await cp.admin.proxy(NODE_ID);
    assert.equal(proxy?.state, 'connected');
    assert.equal(proxy?.group, GROUP, 'the group comes from node.cluster');
  });

  it('splits 2,000 calls 90/10 within ±4 points', async () => {
    const tally = await client.calls(2000);
    assert.deepEqual(tally.errors, {}, `calls failed: ${tally.errorSamples.join('; ')}`);
    assert.equal(totalOf(tally), 2000);
    const shareA = shareOf(tally, 'a');
    assert.ok(shareA >= 0.86 && shareA <= 0.94, `share of a was ${shareA}: ${JSON.stringify(tally.counts)}`);
  });

  it('follows a weight change to 50/50 within a few seconds, and the proxy ACKs it', async () => {
    cp.cache.setSnapshot(GROUP, snapshot(50, 50));
    const moved = await client.waitFor({ timeoutMs: 5000, batch: 200, share: { a: [0.35, 0.65] }, noErrors: true });
    assert.ok(moved.ok, `50/50 never showed in traffic: ${JSON.stringify(moved.last)}`);
    const tally = await client.calls(2000);
    assert.deepEqual(tally.errors, {});
    const shareA = shareOf(tally, 'a');
    assert.ok(shareA >= 0.46 && shareA <= 0.54, `share of a was ${shareA}: ${JSON.stringify(tally.counts)}`);

    const rds = await eventually('RDS ACKed', async () => {
      const t = typeStatusOf(await cp.admin.proxy(NODE_ID), TypeUrl.RouteConfiguration);
      return t?.state === 'synced' ? t : undefined;
    });
    assert.equal(rds.acked?.version, rds.sent?.version);
    assert.equal(rds.nacks, 0);
  });

  it('follows a weight change to 0/100: a gets no more calls', async () => {
    cp.cache.setSnapshot(GROUP, snapshot(0, 100));
    const moved = await client.waitFor({ timeoutMs: 5000, batch: 200, reach: ['b'], avoid: ['a'], noErrors: true });
    assert.ok(moved.ok, `0/100 never showed in traffic: ${JSON.stringify(moved.last)}`);
    const servedByA = backends.byName('a').served();
    const tally = await client.calls(1000);
    assert.deepEqual(tally.counts, { b: 1000 });
    assert.equal(backends.byName('a').served(), servedByA, 'backend a still served calls after its weight went to 0');
  });
});
