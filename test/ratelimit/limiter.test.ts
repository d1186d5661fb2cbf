// The rate limit decision with a fake clock and the memory store: N requests pass then the next is
// over, remaining and reset follow the aligned window, hits_addend and overrides are honoured,
// distinct values count apart, and unknown descriptors and domains are OK without a limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter, RateLimitQueryError, counterKey } from '../../src/ratelimit/limiter';
import { MemoryCounterStore } from '../../src/ratelimit/memory-store';
import { RateLimitRules } from '../../src/ratelimit/rules';
import { ALIGNED, FakeClock } from './helpers';

const e = (key: string, value: string) => ({ key, value });

function setup(start = ALIGNED) {
  const clock = new FakeClock(start);
  const rules = new RateLimitRules({
    domains: [
      {
        domain: 'meshgate',
        rules: [
          { id: 'three-per-minute', descriptor: [e('policy', 'p')], requests: 3, unit: 'minute' },
          { id: 'two-per-ip-per-second', descriptor: [e('policy', 'ip'), { key: 'remote_address' }], requests: 2, unit: 'second' },
          { id: 'blocked', descriptor: [e('policy', 'none')], requests: 0, unit: 'hour' },
        ],
      },
    ],
  });
  const limiter = new RateLimiter({ rules, store: new MemoryCounterStore({ clock }), clock });
  return { clock, limiter };
}

test('N requests pass, the next is OVER_LIMIT, with remaining and time to reset', async () => {
  const { clock, limiter } = setup(ALIGNED + 15_000); // 15 s into a minute
  const ask = () => limiter.decide({ domain: 'meshgate', descriptors: [{ entries: [e('policy', 'p')] }] });
  const seen = [];
  for (let i = 0; i < 4; i++) {
    seen.push(await ask());
    clock.advance(1_000);
  }
  assert.deepEqual(
    seen.map((d) => [d.overallCode, d.statuses[0]!.code, d.statuses[0]!.limitRemaining, d.statuses[0]!.durationUntilResetMs]),
    [
      ['OK', 'OK', 2, 45_000],
      ['OK', 'OK', 1, 44_000],
      ['OK', 'OK', 0, 43_000],
      ['OVER_LIMIT', 'OVER_LIMIT', 0, 42_000],
    ],
  );
  assert.deepEqual(seen[0]!.statuses[0]!.currentLimit, { name: 'three-per-minute', requestsPerUnit: 3, unit: 'minute' });
  // The window is aligned to the minute: at :00 of the next minute the counter starts again.
  clock.ms = ALIGNED + 60_000;
  const fresh = await ask();
  assert.equal(fresh.overallCode, 'OK');
  assert.equal(fresh.statuses[0]!.limitRemaining, 2);
  assert.equal(fresh.statuses[0]!.durationUntilResetMs, 60_000);
});

test('each distinct value of an any-value entry has its own counter', async () => {
  const { limiter } = setup();
  const ask = (ip: string) => limiter.decide({ domain: 'meshgate', descriptors: [{ entries: [e('policy', 'ip'), e('remote_address', ip)] }] });
  assert.equal((await ask('192.0.2.1')).overallCode, 'OK');
  assert.equal((await ask('192.0.2.1')).overallCode, 'OK');
  assert.equal((await ask('192.0.2.1')).overallCode, 'OVER_LIMIT');
  assert.equal((await ask('192.0.2.2')).overallCode, 'OK', 'another client is not limited by the first');
});

test('one descriptor over makes the whole answer OVER_LIMIT; unknown descriptors are OK without a limit', async () => {
  const { limiter } = setup();
  const d = await limiter.decide({ domain: 'meshgate', descriptors: [{ entries: [e('policy', 'p')] }, { entries: [e('policy', 'none')] }, { entries: [e('policy', 'unknown')] }] });
  assert.equal(d.overallCode, 'OVER_LIMIT');
  assert.deepEqual(
    d.statuses.map((s) => [s.code, s.currentLimit?.name]),
    [
      ['OK', 'three-per-minute'],
      ['OVER_LIMIT', 'blocked'],
      ['OK', undefined],
    ],
  );
  assert.deepEqual(d.statuses[2], { code: 'OK', limitRemaining: 0 });
});

test('an unknown domain is never limited, even with a proxy-supplied override', async () => {
  const { limiter } = setup();
  const d = await limiter.decide({ domain: 'elsewhere', descriptors: [{ entries: [e('policy', 'p')], limitOverride: { requestsPerUnit: 0, unit: 'second' } }] });
  assert.deepEqual(d, { overallCode: 'OK', statuses: [{ code: 'OK', limitRemaining: 0 }] });
});

test('hits_addend: the request\'s applies to every descriptor; a descriptor\'s own wins, 0 reads without charging', async () => {
  const { limiter } = setup();
  const a = await limiter.decide({ domain: 'meshgate', hitsAddend: 2, descriptors: [{ entries: [e('policy', 'p')] }] });
  assert.equal(a.statuses[0]!.limitRemaining, 1);
  const b = await limiter.decide({ domain: 'meshgate', hitsAddend: 2, descriptors: [{ entries: [e('policy', 'p')], hitsAddend: 0 }] });
  assert.equal(b.statuses[0]!.limitRemaining, 1, 'nothing charged');
  const c = await limiter.decide({ domain: 'meshgate', hitsAddend: 0, descriptors: [{ entries: [e('policy', 'p')] }] });
  assert.equal(c.statuses[0]!.limitRemaining, 0, 'request hits_addend 0 means 1');
  const d = await limiter.decide({ domain: 'meshgate', descriptors: [{ entries: [e('policy', 'p')], hitsAddend: 5 }] });
  assert.equal(d.overallCode, 'OVER_LIMIT');
});

test('a descriptor\'s own limit overrides the configured rule and applies to descriptors no rule names', async () => {
  const { limiter } = setup(ALIGNED + 500);
  const d = await limiter.decide({ domain: 'meshgate', descriptors: [{ entries: [e('policy', 'p')], limitOverride: { requestsPerUnit: 10, unit: 'second' } }, { entries: [e('other', 'x')], limitOverride: { requestsPerUnit: 1, unit: 'day' } }] });
  assert.deepEqual(d.statuses[0], { code: 'OK', currentLimit: { requestsPerUnit: 10, unit: 'second' }, limitRemaining: 9, durationUntilResetMs: 500 });
  assert.equal(d.statuses[1]!.currentLimit?.unit, 'day');
  assert.equal(d.statuses[1]!.limitRemaining, 0);
});

test('rules updated while running apply to the next request and keep the counters', async () => {
  const clock = new FakeClock(ALIGNED);
  const rules = new RateLimitRules({ domains: [{ domain: 'd', rules: [{ id: 'r', descriptor: [e('policy', 'p')], requests: 1, unit: 'minute' }] }] });
  const limiter = new RateLimiter({ rules, store: new MemoryCounterStore({ clock }), clock });
  const ask = () => limiter.decide({ domain: 'd', descriptors: [{ entries: [e('policy', 'p')] }] });
  await ask();
  assert.equal((await ask()).overallCode, 'OVER_LIMIT');
  rules.update({ domains: [{ domain: 'd', rules: [{ id: 'r', descriptor: [e('policy', 'p')], requests: 5, unit: 'minute' }] }] });
  const after = await ask();
  assert.equal(after.overallCode, 'OK');
  assert.equal(after.statuses[0]!.limitRemaining, 2, 'the two earlier hits still count');
});

test('malformed queries are rejected', async () => {
  const { limiter } = setup();
  await assert.rejects(limiter.decide({ domain: '', descriptors: [{ entries: [e('policy', 'p')] }] }), RateLimitQueryError);
  await assert.rejects(limiter.decide({ domain: 'meshgate', descriptors: [] }), RateLimitQueryError);
  await assert.rejects(limiter.decide({ domain: 'meshgate', descriptors: [{ entries: [] }] }), RateLimitQueryError);
});

test('counter keys separate domain, entries, unit and window, and escape the separators', () => {
  assert.equal(counterKey('meshgate', [e('policy', 'a|b'), e('remote_address', '::1')], 'minute', 60_000), 'meshgate|policy=a%7Cb|remote_address=::1|minute|60000');
  assert.notEqual(counterKey('d', [e('a', 'b=c')], 'second', 0), counterKey('d', [e('a=b', 'c')], 'second', 0));
});
