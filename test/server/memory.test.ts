// 10,000 streams opened and closed against one server, half of them dropped in the middle of a
// push: afterwards the server holds no stream state and its heap has not grown with the churn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SnapshotCache } from '../../src/cache/snapshot-cache';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createXdsServer } from '../../src/server/xds-server';
import { assignment, cluster, listener, routeConfig } from '../cache/fixtures';
import { eventually, sleep } from './harness';
import { RawXdsClient, type DeltaClientStream, type SotwClientStream } from './raw-client';

const CYCLES = 10_000;
const BATCH = 250;
const WARM_UP = 1_000;
// A new connection every 1,000 streams: besides exercising connection churn, it keeps each
// connection under nghttp2's stream-reset rate limit (a client resetting ~1,000 streams in a burst
// is treated as a "rapid reset" attack and gets a GOAWAY).
const CONNECTION_EVERY = 1_000;

function forceGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

test('10,000 connect/disconnect cycles leave no stream state and bounded heap', { timeout: 120_000 }, async () => {
  const cache = new SnapshotCache({ validator: () => [], debounceMs: 1, maxDelayMs: 10 });
  let opened = 0;
  let closed = 0;
  const xds = createXdsServer({
    cache,
    identifier: 'memory-test',
    observers: [{ streamOpened: () => void (opened += 1), streamClosed: () => void (closed += 1) }],
  });
  const port = await xds.bind('127.0.0.1', 0);
  const resources = [
    ...Array.from({ length: 50 }, (_, i) => cluster(`c${i}`)),
    assignment('c0'),
    listener('l', 'r'),
    routeConfig('r', ['c0', 'c1']),
  ];
  cache.setSnapshot('test-cluster', resources);
  cache.flush();
  const gc = forceGc();
  let client = new RawXdsClient(`127.0.0.1:${port}`);
  let baseline = 0;
  const started = Date.now();
  try {
    for (let done = 0; done < CYCLES; done += BATCH) {
      if (done > 0 && done % CONNECTION_EVERY === 0) {
        client.close();
        client = new RawXdsClient(`127.0.0.1:${port}`);
      }
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < BATCH; i++) {
        const n = done + i;
        const node = { id: `proxy-${n}`, cluster: 'test-cluster' };
        const s: SotwClientStream | DeltaClientStream = n % 2 === 0 ? client.sotw({ node }) : client.delta({ node });
        if (n % 4 < 2) {
          // Complete exchange, then the proxy closes its side.
          s.send({ typeUrl: TypeUrl.Cluster });
          batch.push(
            s.next(10_000).then(() => {
              s.end();
              return s.status;
            }),
          );
        } else {
          // Disconnect while the push is being written.
          s.send({ typeUrl: TypeUrl.Cluster });
          s.send({ typeUrl: TypeUrl.Listener });
          setImmediate(() => s.cancel());
          batch.push(s.status);
        }
      }
      await Promise.all(batch);
      if (done + BATCH === WARM_UP && gc) {
        await eventually(() => xds.stats().streams === 0, 5000, 'warm-up streams released');
        baseline = await settledHeap(gc);
      }
    }
    await eventually(() => xds.stats().streams === 0, 10_000, 'all streams released');
    assert.deepEqual(xds.stats(), { streams: 0, groups: 0 });
    await eventually(() => closed === opened, 5000, 'every opened stream reported closed');
    assert.ok(opened > CYCLES / 2, `${opened} streams were opened`);
    if (gc) {
      const after = await settledHeap(gc);
      const growth = after - baseline;
      if (process.env.MESHGATE_TEST_DEBUG) console.log({ baselineMiB: baseline / 1048576, afterMiB: after / 1048576 });
      assert.ok(growth < 8 * 1024 * 1024, `heap grew by ${(growth / 1048576).toFixed(1)} MiB over ${CYCLES - WARM_UP} cycles`);
    }
    assert.ok(Date.now() - started < 90_000);
  } finally {
    client.close();
    await xds.close(200);
    cache.close();
  }
});
