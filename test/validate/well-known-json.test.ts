// The proto3 JSON forms of the well-known types, as Envoy's config_dump prints them.
import { describe, it } from 'node:test';
import { validateMessage, validateResource } from '../../src/validate';
import { assertOnlyIssue, assertValid, cluster } from './helpers';
import { validateTest } from './synthetic';

describe('well-known JSON forms', () => {
  it('Struct holds any JSON; a required BoolValue must be present', () => {
    assertValid(validateResource(cluster('c', { metadata: { filter_metadata: { m: { a: [1, 'two', null, { b: true }], c: null } } } })));
    const name = 'envoy.config.core.v3.RuntimeFeatureFlag';
    assertOnlyIssue(validateMessage(name, { runtime_key: 'k' }), 'default_value', 'message.required');
    assertValid(validateMessage(name, { runtime_key: 'k', default_value: false }));
  });

  it('wrappers are plain values of their scalar type', () => {
    assertOnlyIssue(validateResource(cluster('c', { per_connection_buffer_limit_bytes: '1MiB' })), 'per_connection_buffer_limit_bytes', 'json.type');
    assertValid(validateResource(cluster('c', { per_connection_buffer_limit_bytes: 1048576 })));
    assertOnlyIssue(validateResource(cluster('c', { per_connection_buffer_limit_bytes: { value: 1 } })), 'per_connection_buffer_limit_bytes', 'json.type');
  });

  it('64-bit integers as decimal strings or numbers', () => {
    const rh = (size: unknown) => cluster('c', { lb_policy: 'RING_HASH', ring_hash_lb_config: { maximum_ring_size: size as string } });
    assertValid(validateResource(rh('1024')));
    assertValid(validateResource(rh(1024)));
    assertOnlyIssue(validateResource(rh('1e3')), 'ring_hash_lb_config.maximum_ring_size', 'json.type');
  });

  it('FieldMask is a string, Empty is {}, ListValue a list, Value anything (null included)', () => {
    assertValid(validateTest('WellKnown', { mask: 'a.b,cD', empty: {}, list: [1, 'x', null], value: null, struct: { a: { b: [] } }, big: '-9223372036854775808' }));
    assertOnlyIssue(validateTest('WellKnown', { value: 1, mask: ['a'] }), 'mask', 'json.type');
    assertOnlyIssue(validateTest('WellKnown', { value: 1, empty: { a: 1 } }), 'empty.a', 'json.unknown_field');
    assertOnlyIssue(validateTest('WellKnown', { value: 1, list: {} }), 'list', 'json.type');
    assertOnlyIssue(validateTest('WellKnown', { value: 1, struct: [] }), 'struct', 'json.type');
    assertOnlyIssue(validateTest('WellKnown', {}), 'value', 'message.required');
    assertOnlyIssue(validateTest('WellKnown', { value: 'x', big: '9223372036854775808' }), 'big', 'json.range');
  });

  it('an Empty in the Envoy API: JwtRequirement.allow_missing', () => {
    const name = 'envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement';
    assertValid(validateMessage(name, { allow_missing: {} }));
    assertOnlyIssue(validateMessage(name, { allow_missing: true }), 'allow_missing', 'json.type');
  });

  it('doubles accept numbers and the special strings', () => {
    const pc = (ratio: unknown) => cluster('c', { preconnect_policy: { predictive_preconnect_ratio: ratio as number } });
    assertValid(validateResource(pc(2)));
    assertValid(validateResource(pc('2.5')));
    assertOnlyIssue(validateResource(pc('Infinity')), 'preconnect_policy.predictive_preconnect_ratio', 'double.lte');
    assertOnlyIssue(validateResource(pc(true)), 'preconnect_policy.predictive_preconnect_ratio', 'json.type');
  });
});
