// The in-memory counter store: counts per key, restarts a key whose lifetime has passed, sweeps
// expired counters so memory holds only live windows, and never holds more than maxCounters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCounterStore } from '../../src/ratelimit/memory-store';
import { ALIGNED, FakeClock } from './helpers';

test('hits add up per key and each key counts on its own', async () => {
  const store = new MemoryCounterStore({ clock: new FakeClock(ALIGNED) });
  assert.deepEqual(await store.increment([{ key: 'a', hits: 1, ttlMs: 1000 }]), [1]);
  assert.deepEqual(await store.increment([{ key: 'a', hits: 2, ttlMs: 1000 }, { key: 'b', hits: 1, ttlMs: 1000 }]), [3, 1]);
  assert.deepEqual(await store.increment([{ key: 'a', hits: 0, ttlMs: 1000 }]), [3], 'zero hits reads the count');
});

test('a counter lives exactly its ttl from creation; later hits do not extend it', async () => {
  const clock = new FakeClock(ALIGNED);
  const store = new MemoryCounterStore({ clock });
  await store.increment([{ key: 'a', hits: 1, ttlMs: 1000 }]);
  clock.advance(999);
  assert.deepEqual(await store.increment([{ key: 'a', hits: 1, ttlMs: 1 }]), [2]);
  clock.advance(1);
  assert.deepEqual(await store.increment([{ key: 'a', hits: 1, ttlMs: 1000 }]), [1], 'expired at creation + 1000 ms');
});

test('expired counters are swept, so only live windows stay in memory', async () => {
  const clock = new FakeClock(ALIGNED);
  const store = new MemoryCounterStore({ clock, sweepIntervalMs: 5_000 });
  for (let window = 0; window < 20; window++) {
    for (let client = 0; client < 50; client++) await store.increment([{ key: `w${window}|ip${client}`, hits: 1, ttlMs: 1_000 }]);
    clock.advance(1_000);
  }
  // 20 one-second windows × 50 clients were created; with a sweep every 5 s at most 5 windows' worth remain.
  assert.ok(store.size <= 5 * 50, `holds ${store.size} counters`);
  clock.advance(5_000);
  await store.increment([{ key: 'now', hits: 1, ttlMs: 1_000 }]);
  assert.equal(store.size, 1, 'everything but the live counter is gone');
  assert.equal(store.evicted, 0);
});

test('past maxCounters the oldest counters are dropped', async () => {
  const store = new MemoryCounterStore({ clock: new FakeClock(ALIGNED), maxCounters: 3 });
  for (const key of ['a', 'b', 'c', 'd', 'e']) await store.increment([{ key, hits: 1, ttlMs: 60_000 }]);
  assert.equal(store.size, 3);
  assert.equal(store.evicted, 2);
  assert.deepEqual(await store.increment([{ key: 'e', hits: 1, ttlMs: 60_000 }, { key: 'a', hits: 1, ttlMs: 60_000 }]), [2, 1], '"a" was dropped, "e" kept');
});
