// Kong-style global limits end to end in the RateLimitService: rules derived from the IR the
// translator makes for `limits`, `key: path`, `overrides` and `responseHeaders: kong`, decided over
// real gRPC (the response decoded with the Envoy protos, as Envoy reads it), with counters in memory
// and in the real Redis on 127.0.0.1:6379. Several windows are all enforced, overrides count apart,
// and Kong's headers come back on allowed and on limited answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { CounterStore } from '../../src/ratelimit/counter-store';
import { MemoryCounterStore } from '../../src/ratelimit/memory-store';
import { RedisClient } from '../../src/ratelimit/redis-client';
import { RedisCounterStore } from '../../src/ratelimit/redis-store';
import { rulesFromIr } from '../../src/ratelimit/rules-from-ir';
import { RateLimitRules } from '../../src/ratelimit/rules';
import { registerRateLimitService } from '../../src/ratelimit/service';
import { windowAt } from '../../src/ratelimit/units';
import type { GlobalRateLimitPolicy } from '../../src/ir/policy';
import type { IR } from '../../src/ir/types';
import { ALIGNED, deleteKeysWithPrefix, descriptor, FakeClock, RawRateLimitClient, REDIS_HOST, REDIS_PORT, requireRedis, uniquePrefix, type RawResponse } from './helpers';

const POLICY: GlobalRateLimitPolicy = {
  id: 'default/kong-limits/httproute/default/api',
  requests: 2,
  unit: 'second',
  additionalLimits: [{ requests: 3, unit: 'minute' }],
  key: { type: 'path' },
  responseHeaders: 'kong',
  overrides: [{ header: 'x-consumer-username', values: ['alice'], limits: [{ requests: 5, unit: 'second' }] }],
};

function irWith(policy: GlobalRateLimitPolicy): IR {
  const route = { name: 'r', match: { path: { type: 'PathPrefix' as const, value: '/' } }, action: { type: 'forward' as const, backends: [{ cluster: 'c', weight: 1 }] }, policy: { globalRateLimit: policy }, source: { kind: 'HTTPRoute', namespace: 'default', name: 'api' } };
  const listener = {
    name: 'http', address: '0.0.0.0', port: 8080, protocol: 'HTTP' as const, hostnames: [], source: route.source,
    virtualHosts: [{ name: 'vh', domains: ['*'], routes: [route] }],
    options: { accessLog: false, requestId: { generate: false, preserveExternal: false, returnInResponse: false }, websocket: false, http2: false },
  };
  return { version: 1, proxies: [{ name: 'gateway/default/edge', kind: 'gateway', listeners: [listener], clusters: [], secrets: [] }] };
}

const P = POLICY.id;
const asDefault = (path: string) => descriptor(['policy', P], ['override', 'default'], ['path', path]);
const asAlice = (path: string) => descriptor(['policy', P], ['override', '0'], ['path', path]);

function headers(r: RawResponse): Record<string, string> {
  return Object.fromEntries((r.response_headers_to_add ?? []).map((h) => [h.key ?? '', h.value ?? '']));
}

function scenarios(label: string, makeStore: (clock: FakeClock) => Promise<CounterStore>): void {
  describe(`${label}`, () => {
    const clock = new FakeClock(ALIGNED + 250); // 0.25 s into a second, minute, hour...
    let server: grpc.Server;
    let client: RawRateLimitClient;
    let store: CounterStore;

    before(async () => {
      store = await makeStore(clock);
      server = new grpc.Server();
      registerRateLimitService(server, { rules: new RateLimitRules(rulesFromIr(irWith(POLICY))), store, clock });
      const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
      client = new RawRateLimitClient(port);
    });

    after(async () => {
      client.close();
      server.forceShutdown();
      await store.close();
    });

    const call = (d: ReturnType<typeof descriptor>) => client.call({ domain: 'meshgate', descriptors: [d] });

    test('several windows are all enforced: the per-second one first, then the per-minute one', async () => {
      const first = await call(asDefault('/a'));
      const second = await call(asDefault('/a?page=2')); // same path: the query string is not part of the counter
      const third = await call(asDefault('/a'));
      assert.deepEqual([first, second, third].map((r) => r.overall_code), ['OK', 'OK', 'OVER_LIMIT']);
      clock.advance(1_000); // a new second; the minute has now counted 3 requests
      const fourth = await call(asDefault('/a'));
      assert.equal(fourth.overall_code, 'OVER_LIMIT');
      assert.equal(fourth.statuses?.[0]?.current_limit?.unit, 'MINUTE');
      const otherPath = await call(asDefault('/b'));
      assert.equal(otherPath.overall_code, 'OK', 'another path has counters of its own');
    });

    test('Kong headers come back on allowed and on limited answers', async () => {
      clock.advance(60_000); // a fresh minute
      const minuteStart = windowAt(clock.ms, 'minute');
      const ok = headers(await call(asDefault('/k')));
      assert.deepEqual(ok, {
        'X-RateLimit-Limit-Second': '2',
        'X-RateLimit-Remaining-Second': '1',
        'X-RateLimit-Limit-Minute': '3',
        'X-RateLimit-Remaining-Minute': '2',
        'RateLimit-Limit': '2',
        'RateLimit-Remaining': '1',
        'RateLimit-Reset': '1',
      });
      await call(asDefault('/k'));
      const limited = await call(asDefault('/k'));
      assert.equal(limited.overall_code, 'OVER_LIMIT');
      const h = headers(limited);
      assert.equal(h['X-RateLimit-Remaining-Second'], '0');
      assert.equal(h['X-RateLimit-Remaining-Minute'], '0');
      // Both windows are exhausted: Kong reports the longer one, and Retry-After is its reset.
      assert.equal(h['RateLimit-Limit'], '3');
      const reset = String(Math.ceil((minuteStart.end - clock.ms) / 1000));
      assert.equal(h['RateLimit-Reset'], reset);
      assert.equal(h['Retry-After'], reset);
    });

    test('an override has limits and counters of its own, apart from the default ones', async () => {
      clock.advance(60_000);
      const aliceAnswers: string[] = [];
      for (let i = 0; i < 5; i++) aliceAnswers.push((await call(asAlice('/o'))).overall_code ?? '');
      assert.deepEqual(aliceAnswers, ['OK', 'OK', 'OK', 'OK', 'OK'], 'alice gets 5 a second');
      assert.equal((await call(asAlice('/o'))).overall_code, 'OVER_LIMIT');
      assert.equal(headers(await call(asAlice('/o')))['X-RateLimit-Limit-Second'], '5');
      // alice's requests did not touch the default counters for the same path
      const others = [await call(asDefault('/o')), await call(asDefault('/o'))];
      assert.deepEqual(others.map((r) => r.overall_code), ['OK', 'OK']);
      assert.equal((await call(asDefault('/o'))).overall_code, 'OVER_LIMIT');
    });
  });
}

scenarios('in memory', (clock) => Promise.resolve(new MemoryCounterStore({ clock })));

const prefix = uniquePrefix('kong-windows');
let admin: RedisClient | undefined;
scenarios('on Redis', async () => {
  admin = await requireRedis();
  return new RedisCounterStore({ client: new RedisClient({ host: REDIS_HOST, port: REDIS_PORT, db: 0 }), keyPrefix: prefix });
});

after(async () => {
  if (!admin) return;
  await deleteKeysWithPrefix(admin, prefix);
  await admin.close();
});
