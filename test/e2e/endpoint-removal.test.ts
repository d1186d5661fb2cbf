// End to end with gRPC's own xDS client: endpoints removed from a ClusterLoadAssignment stop
// receiving calls, an empty assignment fails calls fast, and a restored endpoint gets traffic back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBackends, type BackendSet } from './harness/backends';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { serviceResources, type Endpoint } from './harness/resources';
import { XdsClientProcess } from './harness/xds-client';

const GROUP = 'e2e-endpoints';
const NODE_ID = 'e2e-endpoints-client';

describe('e2e: endpoint removal through @grpc/grpc-js-xds', () => {
  let backends: BackendSet;
  let cp: TestControlPlane;
  let client: XdsClientProcess;

  function snapshot(names: readonly string[]) {
    const endpoints: Endpoint[] = names.map((n) => {
      const b = backends.byName(n);
      return { host: b.host, port: b.port };
    });
    return serviceResources({
      listener: 'echo-pool',
      routeConfig: 'echo-pool-routes',
      clusters: { 'echo-pool': endpoints },
      weights: [{ cluster: 'echo-pool', weight: 1 }],
    });
  }

  before(async () => {
    backends = await startBackends(['p1', 'p2']);
    cp = await startTestControlPlane();
    cp.cache.setSnapshot(GROUP, snapshot(['p1', 'p2']));
    // The group comes from node metadata here; the node's cluster names something else.
    client = new XdsClientProcess({
      target: 'echo-pool',
      xdsPort: cp.xdsPort,
      nodeId: NODE_ID,
      cluster: 'unrelated-cluster',
      metadata: { meshgate_group: GROUP },
    });
  });

  after(async () => {
    await client?.stop();
    await cp?.close();
    await backends?.stop();
  });

  it('round-robins over both endpoints of the cluster', async () => {
    const reached = await client.waitFor({ timeoutMs: 10_000, batch: 50, reach: ['p1', 'p2'], noErrors: true });
    assert.ok(reached.ok, `traffic never reached both endpoints: ${JSON.stringify(reached.last)}\n${client.stderr}`);
    const proxy = await cp.admin.proxy(NODE_ID);
    assert.equal(proxy?.group, GROUP, 'the group comes from node metadata meshgate_group');
  });

  it('stops sending calls to an endpoint removed from the assignment', async () => {
    cp.cache.setSnapshot(GROUP, snapshot(['p1']));
    const moved = await client.waitFor({ timeoutMs: 5000, batch: 50, reach: ['p1'], avoid: ['p2'], noErrors: true });
    assert.ok(moved.ok, `p2 kept receiving calls: ${JSON.stringify(moved.last)}`);
    const servedByP2 = backends.byName('p2').served();
    const tally = await client.calls(500);
    assert.deepEqual(tally.counts, { p1: 500 });
    assert.equal(backends.byName('p2').served(), servedByP2, 'the removed endpoint still served calls');
  });

  it('fails calls with UNAVAILABLE when the assignment is empty, and recovers when an endpoint returns', async () => {
    cp.cache.setSnapshot(GROUP, snapshot([]));
    const drained = await client.waitFor({ timeoutMs: 5000, batch: 20, avoid: ['p1', 'p2'] });
    assert.ok(drained.ok, `calls still succeeded with no endpoints: ${JSON.stringify(drained.last)}`);
    assert.deepEqual(Object.keys(drained.last.errors), ['UNAVAILABLE']);

    cp.cache.setSnapshot(GROUP, snapshot(['p2']));
    const back = await client.waitFor({ timeoutMs: 5000, batch: 50, reach: ['p2'], avoid: ['p1'], noErrors: true });
    assert.ok(back.ok, `traffic did not return to p2: ${JSON.stringify(back.last)}`);
  });
});
