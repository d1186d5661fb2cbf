import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache } from '../../src/cache/snapshot-cache';
import { KeyedDebouncer } from '../../src/cache/debounce';
import { envoyApi } from '../../src/envoy/api';
import { cluster } from './fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventuallyTrue(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < deadline, 'timed out');
    await sleep(5);
  }
}

describe('snapshot cache notifications', () => {
  // Load the Envoy API up front so that timing assertions measure the cache, not proto loading.
  before(() => {
    envoyApi();
  });

  test('a burst of changes is coalesced into one notification', async () => {
    const cache = new SnapshotCache({ validator: () => [], debounceMs: 40, maxDelayMs: 1000 });
    const heard: { groups: string[]; at: number }[] = [];
    cache.subscribe((g) => heard.push({ groups: [...g].sort(), at: Date.now() }));
    let lastMarkAt = 0;
    for (let i = 0; i < 5; i++) {
      cache.setSnapshot('g1', [cluster(`c${i}`)]);
      cache.setSnapshot('g2', [cluster(`d${i}`)]);
      lastMarkAt = Date.now();
      await sleep(5);
    }
    await eventuallyTrue(() => heard.length > 0, 2000);
    await sleep(100);
    assert.equal(heard.length, 1);
    assert.deepEqual(heard[0]!.groups, ['g1', 'g2']);
    assert.ok(heard[0]!.at - lastMarkAt >= 39, `notified ${heard[0]!.at - lastMarkAt} ms after the last change`);
    cache.close();
  });

  test('a steady stream of changes is notified no later than the cap', async () => {
    const cache = new SnapshotCache({ validator: () => [], debounceMs: 50, maxDelayMs: 150 });
    const heardAt: number[] = [];
    cache.subscribe(() => heardAt.push(Date.now()));
    const start = Date.now();
    for (let i = 0; i < 20; i++) {
      cache.setSnapshot('g', [cluster(`c${i}`)]);
      await sleep(20); // always inside the 50 ms quiet window
    }
    assert.ok(heardAt.length >= 2, `heard ${heardAt.length} times`);
    // The cap is 150 ms; the rest is slack for a loaded machine's timers.
    assert.ok(heardAt[0]! - start < 150 + 250, `first notification after ${heardAt[0]! - start} ms`);
    cache.close();
  });

  test('groups whose resources did not change are not notified', () => {
    const cache = new SnapshotCache({ validator: () => [], debounceMs: 5, maxDelayMs: 50 });
    const heard: string[][] = [];
    cache.subscribe((g) => heard.push([...g].sort()));
    cache.setSnapshot('g', [cluster('a')]);
    cache.setSnapshot('h', [cluster('a')]);
    cache.flush();
    assert.deepEqual(heard, [['g', 'h']]);
    cache.setSnapshot('g', [cluster('a')]); // identical content
    cache.setSnapshot('h', [cluster('b')]);
    cache.flush();
    assert.deepEqual(heard[1], ['h']);
    // Changed and changed back inside one window: nothing to tell.
    cache.setSnapshot('g', [cluster('z')]);
    cache.setSnapshot('g', [cluster('a')]);
    cache.flush();
    assert.equal(heard.length, 2);
    cache.close();
  });

  test('getSnapshot returns the latest snapshot before the notification', () => {
    const cache = new SnapshotCache({ validator: () => [], debounceMs: 1000, maxDelayMs: 1000 });
    const { snapshot } = cache.setSnapshot('g', [cluster('a')]);
    assert.equal(cache.getSnapshot('g'), snapshot);
    cache.close();
  });

  test('deleting a group notifies its listeners; unsubscribe stops notifications', async () => {
    const cache = new SnapshotCache({ validator: () => [], debounceMs: 1, maxDelayMs: 10 });
    const heard: string[][] = [];
    const off = cache.subscribe((g) => heard.push([...g]));
    cache.setSnapshot('g', [cluster('a')]);
    cache.flush();
    cache.deleteSnapshot('g');
    cache.flush();
    assert.deepEqual(heard, [['g'], ['g']]);
    off();
    cache.setSnapshot('g', [cluster('b')]);
    cache.flush();
    assert.equal(heard.length, 2);
    cache.close();
  });
});

describe('keyed debouncer', () => {
  test('the cap is measured from the first pending mark', () => {
    let now = 0;
    const flushed: string[][] = [];
    const d = new KeyedDebouncer({ quietMs: 100, maxDelayMs: 250, flush: (k) => flushed.push([...k]), now: () => now });
    d.mark('a');
    now = 200;
    d.mark('b');
    assert.equal(d.pendingCount, 2);
    d.flushNow();
    assert.deepEqual(flushed, [['a', 'b']]);
    assert.equal(d.pendingCount, 0);
    d.dispose();
  });
});
