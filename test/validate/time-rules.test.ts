// validate.DurationRules and validate.TimestampRules, and the JSON forms of both.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/envoy/resource';
import { formatIssue, validateMessage, validateResource } from '../../src/validate';
import { assertOnlyIssue, assertValid, cluster } from './helpers';
import { validateTest } from './synthetic';

describe('duration rules on Envoy fields', () => {
  it('duration.gt: Cluster.connect_timeout must be greater than 0s', () => {
    const issue = assertOnlyIssue(validateResource(cluster('web', { connect_timeout: '0s' })), 'connect_timeout', 'duration.gt');
    assert.equal(formatIssue(issue), "Cluster 'web': connect_timeout: duration.gt: must be greater than 0s");
    assertOnlyIssue(validateResource(cluster('web', { connect_timeout: '-1s' })), 'connect_timeout', 'duration.gt');
    assertValid(validateResource(cluster('web', { connect_timeout: '0.001s' })));
  });

  it('duration.gt with nanos: Cluster.dns_refresh_rate must exceed 1ms', () => {
    const issue = assertOnlyIssue(validateResource(cluster('c', { type: 'STRICT_DNS', dns_refresh_rate: '0.001s' })), 'dns_refresh_rate', 'duration.gt');
    assert.equal(issue.message, 'must be greater than 0.001s');
    assertValid(validateResource(cluster('c', { type: 'STRICT_DNS', dns_refresh_rate: '0.002s' })));
  });

  it('duration.required: HealthCheck.timeout', () => {
    const hc = (extra: JsonObject) => cluster('c', { health_checks: [{ interval: '5s', unhealthy_threshold: 2, healthy_threshold: 1, tcp_health_check: {}, ...extra }] });
    assertOnlyIssue(validateResource(hc({})), 'health_checks[0].timeout', 'duration.required');
    assertValid(validateResource(hc({ timeout: '1s' })));
  });

  it('duration range [0s, 4294967296s): HttpUri.timeout', () => {
    const name = 'envoy.config.core.v3.HttpUri';
    assertOnlyIssue(validateMessage(name, { uri: 'https://a.example/jwks', cluster: 'a', timeout: '4294967296s' }), 'timeout', 'duration.lt');
    assertOnlyIssue(validateMessage(name, { uri: 'https://a.example/jwks', cluster: 'a', timeout: '-0.5s' }), 'timeout', 'duration.gte');
    assertValid(validateMessage(name, { uri: 'https://a.example/jwks', cluster: 'a', timeout: '5s' }));
  });

  it('duration range [1s, 600s]: QuicProtocolOptions.idle_network_timeout', () => {
    const name = 'envoy.config.core.v3.QuicProtocolOptions';
    assertOnlyIssue(validateMessage(name, { idle_network_timeout: '601s' }), 'idle_network_timeout', 'duration.lte');
    assertValid(validateMessage(name, { idle_network_timeout: '600s' }));
  });

  it('a Duration must be a string such as "1.5s"', () => {
    assertOnlyIssue(validateResource(cluster('c', { connect_timeout: 5 })), 'connect_timeout', 'json.type');
    assertOnlyIssue(validateResource(cluster('c', { connect_timeout: '5 seconds' })), 'connect_timeout', 'json.type');
    assertOnlyIssue(validateResource(cluster('c', { connect_timeout: { seconds: 5 } })), 'connect_timeout', 'json.type');
  });
});

describe('duration rules on the test messages', () => {
  const base = { required_d: '1s', required_t: '2020-01-01T00:00:00Z' };
  const cases: { field: string; rule: string; bad: string; good: string }[] = [
    { field: 'const_d', rule: 'duration.const', bad: '5.001s', good: '5s' },
    { field: 'in_d', rule: 'duration.in', bad: '3s', good: '2s' },
    { field: 'not_in_d', rule: 'duration.not_in', bad: '0.5s', good: '0.500000001s' },
    { field: 'outside_d', rule: 'duration.lt/gt', bad: '5s', good: '11s' },
    { field: 'outside_d', rule: 'duration.lt/gt', bad: '1s', good: '0.999s' },
  ];
  for (const c of cases) {
    it(`${c.rule}: ${c.bad} fails, ${c.good} passes`, () => {
      assertOnlyIssue(validateTest('Times', { ...base, [c.field]: c.bad }), c.field, c.rule);
      assertValid(validateTest('Times', { ...base, [c.field]: c.good }));
    });
  }

  it('duration.required and timestamp.required', () => {
    assertOnlyIssue(validateTest('Times', { required_t: base.required_t }), 'required_d', 'duration.required');
    assertOnlyIssue(validateTest('Times', { required_d: base.required_d }), 'required_t', 'timestamp.required');
  });
});

describe('timestamp rules on the test messages', () => {
  const base = { required_d: '1s', required_t: '2020-01-01T00:00:00Z' };
  const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const HOUR = 3_600_000;
  const cases: { field: string; rule: string; bad: string; good: string }[] = [
    // 1700000000 = 2023-11-14T22:13:20Z
    { field: 'const_t', rule: 'timestamp.const', bad: '2023-11-14T22:13:21Z', good: '2023-11-14T22:13:20Z' },
    { field: 'const_t', rule: 'timestamp.const', bad: '2023-11-14T22:13:20.5Z', good: '2023-11-15T00:13:20+02:00' },
    { field: 'lt_t', rule: 'timestamp.lt', bad: '2023-11-14T22:13:20Z', good: '2023-11-14T22:13:19.999999999Z' },
    { field: 'gte_t', rule: 'timestamp.gte', bad: '2023-11-14T22:13:19Z', good: '2023-11-14T22:13:20Z' },
    { field: 'lt_now_t', rule: 'timestamp.lt_now', bad: iso(HOUR), good: iso(-HOUR) },
    { field: 'gt_now_t', rule: 'timestamp.gt_now', bad: iso(-HOUR), good: iso(HOUR) },
    { field: 'within_t', rule: 'timestamp.within', bad: iso(-2 * HOUR), good: iso(-HOUR / 2) },
    { field: 'within_t', rule: 'timestamp.within', bad: iso(2 * HOUR), good: iso(HOUR / 2) },
    { field: 'lt_now_within_t', rule: 'timestamp.lt_now', bad: iso(-2 * 60_000), good: iso(-30_000) },
  ];
  for (const c of cases) {
    it(`${c.rule}: ${c.bad} fails, ${c.good} passes`, () => {
      assertOnlyIssue(validateTest('Times', { ...base, [c.field]: c.bad }), c.field, c.rule);
      assertValid(validateTest('Times', { ...base, [c.field]: c.good }));
    });
  }

  it('a Timestamp must be RFC 3339 text', () => {
    assertOnlyIssue(validateTest('Times', { ...base, const_t: 1700000000 }), 'const_t', 'json.type');
    assertOnlyIssue(validateTest('Times', { ...base, const_t: '2023-11-14 22:13:20' }), 'const_t', 'json.type');
  });
});
