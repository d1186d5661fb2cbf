// How a request descriptor finds its rule: exact values, any-value entries, entry order and length,
// precedence of exact over any-value, unknown descriptors and domains, and live updates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimitRules, type RateLimitRule } from '../../src/ratelimit/rules';

function rule(id: string, descriptor: RateLimitRule['descriptor'], requests = 10): RateLimitRule {
  return { id, descriptor, requests, unit: 'minute' };
}

const e = (key: string, value: string) => ({ key, value });

const rules = new RateLimitRules({
  domains: [
    {
      domain: 'edge',
      rules: [
        rule('login', [e('policy', 'login')]),
        rule('per-ip', [e('policy', 'api'), { key: 'remote_address' }]),
        rule('vip-ip', [e('policy', 'api'), e('remote_address', '10.0.0.1')], 1000),
        rule('any-tenant-plan', [{ key: 'tenant' }, e('plan', 'free')]),
        rule('acme-any-plan', [e('tenant', 'acme'), { key: 'plan' }]),
      ],
    },
    { domain: 'other', rules: [rule('login-other', [e('policy', 'login')], 1)] },
  ],
});

test('an entry with a value matches only that value', () => {
  assert.equal(rules.match('edge', [e('policy', 'login')])?.id, 'login');
  assert.equal(rules.match('edge', [e('policy', 'logout')]), undefined);
});

test('an entry without a value matches any value', () => {
  assert.equal(rules.match('edge', [e('policy', 'api'), e('remote_address', '192.0.2.7')])?.id, 'per-ip');
  assert.equal(rules.match('edge', [e('policy', 'api'), e('remote_address', '2001:db8::1')])?.id, 'per-ip');
});

test('entries match in order and the descriptor must have exactly the rule\'s entries', () => {
  assert.equal(rules.match('edge', [e('remote_address', '192.0.2.7'), e('policy', 'api')]), undefined, 'reversed order');
  assert.equal(rules.match('edge', [e('policy', 'api')]), undefined, 'shorter than the rule');
  assert.equal(rules.match('edge', [e('policy', 'login'), e('remote_address', '192.0.2.7')]), undefined, 'longer than the rule');
});

test('an exact value wins over any-value at the same position', () => {
  assert.equal(rules.match('edge', [e('policy', 'api'), e('remote_address', '10.0.0.1')])?.id, 'vip-ip');
});

test('an exact value at an earlier position wins; a miss below it falls back to the any-value branch', () => {
  assert.equal(rules.match('edge', [e('tenant', 'acme'), e('plan', 'free')])?.id, 'acme-any-plan');
  assert.equal(rules.match('edge', [e('tenant', 'acme'), e('plan', 'gold')])?.id, 'acme-any-plan');
  assert.equal(rules.match('edge', [e('tenant', 'globex'), e('plan', 'free')])?.id, 'any-tenant-plan');
  assert.equal(rules.match('edge', [e('tenant', 'globex'), e('plan', 'gold')]), undefined);
});

test('unknown descriptor keys, unknown domains and empty descriptors match nothing', () => {
  assert.equal(rules.match('edge', [e('header', 'x')]), undefined);
  assert.equal(rules.match('nowhere', [e('policy', 'login')]), undefined);
  assert.equal(rules.match('edge', []), undefined);
  assert.equal(rules.hasDomain('edge'), true);
  assert.equal(rules.hasDomain('nowhere'), false);
});

test('domains keep separate rules', () => {
  assert.equal(rules.match('other', [e('policy', 'login')])?.requests, 1);
  assert.equal(rules.match('edge', [e('policy', 'login')])?.requests, 10);
});

test('update replaces the rules at once, and a domain split over blocks keeps all of them', () => {
  const live = new RateLimitRules();
  assert.equal(live.match('d', [e('policy', 'a')]), undefined);
  live.update({ domains: [{ domain: 'd', rules: [rule('a', [e('policy', 'a')])] }, { domain: 'd', rules: [rule('b', [e('policy', 'b')])] }] });
  assert.equal(live.match('d', [e('policy', 'a')])?.id, 'a');
  assert.equal(live.match('d', [e('policy', 'b')])?.id, 'b');
  live.update({ domains: [] });
  assert.equal(live.match('d', [e('policy', 'a')]), undefined);
  assert.equal(live.hasDomain('d'), false);
});
