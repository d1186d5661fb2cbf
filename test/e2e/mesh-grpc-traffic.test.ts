// End to end (issue 4, proxyless gRPC): the proxyless view of a mesh workload's sidecar group,
// built by src/xds/proxyless from mesh IR and served by a real control plane, drives gRPC's own
// xDS client against real gRPC servers: a 90/10 subset split over 2,000 calls, a header canary,
// fault abort at 50 %, and retries that recover from a backend failing every other call.
// The IR is built directly (harness/mesh-ir.ts) as translators/istio would produce it from
// ServiceEntry / WorkloadEntry / DestinationRule / VirtualService.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildProxylessResources, proxylessGroupOf } from '../../src/xds/proxyless';
import { startBackends, type BackendSet } from './harness/backends';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { CATALOG_HOST, CATALOG_PORT, frontendProxy, subsetCluster, type CatalogRoutes } from './harness/mesh-ir';
import { shareOf, totalOf } from './harness/tally';
import { XdsClientProcess } from './harness/xds-client';

const GROUP = 'sidecar/demo/frontend';
const NODE_ID = 'e2e-mesh-frontend-grpc';

describe('e2e: mesh routing served to @grpc/grpc-js-xds (proxyless view of a sidecar group)', () => {
  let backends: BackendSet;
  let cp: TestControlPlane;
  let client: XdsClientProcess;

  function serve(routes: CatalogRoutes): void {
    const clusters = [subsetCluster('v1', backends.byName('v1')), subsetCluster('v2', backends.byName('v2')), subsetCluster('flaky', backends.byName('flaky'))];
    cp.cache.setSnapshot(proxylessGroupOf(GROUP), buildProxylessResources(frontendProxy(clusters, routes)));
  }

  before(async () => {
    backends = await startBackends(['v1', 'v2', 'flaky'], { flaky: 'fail-every-other' });
    cp = await startTestControlPlane();
    serve({ split: [90, 10], faultPercent: 50 });
    client = new XdsClientProcess({
      target: `${CATALOG_HOST}:${CATALOG_PORT}`,
      xdsPort: cp.xdsPort,
      nodeId: NODE_ID,
      cluster: 'frontend',
      metadata: { meshgate_group: GROUP, meshgate_proxyless: 'true' },
    });
  });

  after(async () => {
    await client?.stop();
    await cp?.close();
    await backends?.stop();
  });

  it('splits 2,000 calls 90/10 between subsets v1 and v2 within ±4 points', async () => {
    const ready = await client.waitFor({ timeoutMs: 10_000, batch: 100, reach: ['v1', 'v2'], noErrors: true });
    assert.ok(ready.ok, `calls never reached both subsets: ${JSON.stringify(ready.last)}\n${client.stderr}`);
    assert.equal((await cp.admin.proxy(NODE_ID))?.group, proxylessGroupOf(GROUP));
    const tally = await client.calls(2000);
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    assert.equal(totalOf(tally), 2000);
    const shareV1 = shareOf(tally, 'v1');
    assert.ok(shareV1 >= 0.86 && shareV1 <= 0.94, `share of v1 was ${shareV1}: ${JSON.stringify(tally.counts)}`);
  });

  it('header canary: x-canary: true always goes to v2', async () => {
    const tally = await client.calls(300, { metadata: { 'x-canary': 'true' } });
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    assert.deepEqual(tally.counts, { v2: 300 });
  });

  it('fault abort at 50 %: about half of 2,000 calls fail with ABORTED, the rest reach v1', async () => {
    const tally = await client.calls(2000, { metadata: { 'x-fault': '1' } });
    const aborted = tally.errors['ABORTED'] ?? 0;
    assert.deepEqual(Object.keys(tally.errors).filter((code) => code !== 'ABORTED'), [], tally.errorSamples.join('; '));
    assert.deepEqual(Object.keys(tally.counts), aborted === 2000 ? [] : ['v1']);
    const share = aborted / 2000;
    assert.ok(share >= 0.46 && share <= 0.54, `aborted share was ${share}`);
  });

  it('retries recover from a backend that fails every other call; without retries half fail', async () => {
    // One call at a time, so the backend's alternation is what each call meets.
    const plain = await client.calls(100, { concurrency: 1, metadata: { 'x-flaky': 'plain' } });
    assert.equal(plain.errors['UNAVAILABLE'], 50, `without retries: ${JSON.stringify(plain)}`);
    assert.equal(plain.counts['flaky'], 50);
    const retried = await client.calls(100, { concurrency: 1, metadata: { 'x-flaky': 'retry' } });
    assert.deepEqual(retried.errors, {}, `with retries: ${retried.errorSamples.join('; ')}`);
    assert.deepEqual(retried.counts, { flaky: 100 });
  });

  it('follows a subset weight change (0/100) and a fault percentage change (0 %)', async () => {
    serve({ split: [0, 100], faultPercent: 0 });
    const moved = await client.waitFor({ timeoutMs: 5000, batch: 100, reach: ['v2'], avoid: ['v1'], noErrors: true });
    assert.ok(moved.ok, `0/100 never showed in traffic: ${JSON.stringify(moved.last)}`);
    const faults = await client.calls(200, { metadata: { 'x-fault': '1' } });
    assert.deepEqual(faults.errors, {}, faults.errorSamples.join('; '));
    assert.deepEqual(faults.counts, { v1: 200 });
  });
});
