// RedisCounterStore against the real Redis on 127.0.0.1:6379 (fails, never skips, when it is not
// running): counts shared by two stores as two replicas would share them, expiry set once per
// window, the script reloaded after SCRIPT FLUSH, and UNAVAILABLE when Redis cannot be reached.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CounterStoreUnavailableError } from '../../src/ratelimit/counter-store';
import { RedisClient } from '../../src/ratelimit/redis-client';
import { RedisCounterStore } from '../../src/ratelimit/redis-store';
import { deleteKeysWithPrefix, keysWithPrefix, REDIS_HOST, REDIS_PORT, requireRedis, uniquePrefix } from './helpers';

const prefix = uniquePrefix('store');
let admin: RedisClient;
const stores: RedisCounterStore[] = [];

function newStore(): RedisCounterStore {
  const store = new RedisCounterStore({ client: new RedisClient({ host: REDIS_HOST, port: REDIS_PORT, db: 0 }), keyPrefix: prefix });
  stores.push(store);
  return store;
}

before(async () => {
  admin = await requireRedis();
});

after(async () => {
  for (const s of stores) await s.close();
  if (!admin) return; // Redis was not reachable: before() has already failed the file
  await deleteKeysWithPrefix(admin, prefix);
  await admin.close();
});

test('two stores on one Redis count into the same counters', async () => {
  const a = newStore();
  const b = newStore();
  assert.deepEqual(await a.increment([{ key: 'shared', hits: 1, ttlMs: 60_000 }]), [1]);
  assert.deepEqual(await b.increment([{ key: 'shared', hits: 2, ttlMs: 60_000 }, { key: 'other', hits: 1, ttlMs: 60_000 }]), [3, 1]);
  assert.deepEqual(await a.increment([{ key: 'shared', hits: 0, ttlMs: 60_000 }]), [3]);
  assert.deepEqual((await keysWithPrefix(admin, prefix)).sort(), [`${prefix}other`, `${prefix}shared`]);
});

test('the expiry is set by the first hit of a window and not pushed back by later ones', async () => {
  const store = newStore();
  await store.increment([{ key: 'ttl', hits: 1, ttlMs: 10_000 }]);
  const first = await admin.command(['PTTL', `${prefix}ttl`]);
  assert.ok(typeof first === 'number' && first > 10_000 && first <= 15_000, `PTTL ${String(first)}: window rest plus replica clock slack`);
  await store.increment([{ key: 'ttl', hits: 1, ttlMs: 60_000 }]);
  const second = await admin.command(['PTTL', `${prefix}ttl`]);
  assert.ok(typeof second === 'number' && second <= first, `PTTL ${String(second)} after a later hit`);
});

test('after SCRIPT FLUSH the script is loaded again and counting goes on', async () => {
  const store = newStore();
  await store.increment([{ key: 'flush', hits: 1, ttlMs: 60_000 }]);
  await admin.command(['SCRIPT', 'FLUSH']);
  assert.deepEqual(await store.increment([{ key: 'flush', hits: 1, ttlMs: 60_000 }, { key: 'flush', hits: 1, ttlMs: 60_000 }]), [2, 3]);
});

test('an unreachable Redis makes the store unavailable, quickly', async () => {
  // Port 1 on loopback: nothing listens there.
  const store = new RedisCounterStore({ client: new RedisClient({ host: '127.0.0.1', port: 1, db: 0 }), keyPrefix: prefix });
  stores.push(store);
  const started = Date.now();
  await assert.rejects(store.increment([{ key: 'x', hits: 1, ttlMs: 1_000 }]), CounterStoreUnavailableError);
  await assert.rejects(store.increment([{ key: 'x', hits: 1, ttlMs: 1_000 }]), CounterStoreUnavailableError);
  assert.ok(Date.now() - started < 1_500);
});
