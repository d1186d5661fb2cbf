// The small rules the translators are built on: hostname matching and intersection, durations,
// CIDRs, CORS origins, label selectors, and the schema checker's paths and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSpecificity, covers, intersectHostnames } from '../../translators/core/hostnames';
import { parseDurationMs } from '../../translators/core/durations';
import { normaliseCidr } from '../../translators/core/addresses';
import { corsOrigin } from '../../translators/gateway-api/cors';
import { selectorMatches } from '../../translators/core/label-selector';
import { arr, checkSchema, int, obj, str } from '../../translators/schema';

test('wildcard hostnames are suffix matches that need at least one more label', () => {
  assert.ok(covers('*.example.com', 'a.example.com'));
  assert.ok(covers('*.example.com', 'a.b.example.com'));
  assert.ok(!covers('*.example.com', 'example.com'));
  assert.ok(covers('*.example.com', '*.a.example.com'));
  assert.ok(!covers('*.a.example.com', '*.example.com'));
  assert.ok(covers('*', 'anything.test'));
  assert.ok(!covers('a.example.com', '*.example.com'));
});

test('route and listener hostnames intersect as the Gateway API describes', () => {
  // Listener test.example.com takes routes for test.example.com or *.example.com, or without hostnames.
  assert.deepEqual(intersectHostnames('test.example.com', ['*.example.com']), ['test.example.com']);
  assert.deepEqual(intersectHostnames('test.example.com', []), ['test.example.com']);
  // Listener *.example.com: route names it covers are kept, non-matching ones are ignored.
  assert.deepEqual(intersectHostnames('*.example.com', ['test.example.com', 'test.example.net', 'foo.test.example.com']), ['test.example.com', 'foo.test.example.com']);
  assert.deepEqual(intersectHostnames('*.example.com', ['example.com', 'test.example.net']), []);
  assert.deepEqual(intersectHostnames('*.example.com', ['*.com']), ['*.example.com']);
  assert.deepEqual(intersectHostnames(undefined, []), ['*']);
  assert.deepEqual(intersectHostnames(undefined, ['a.test', 'a.test']), ['a.test']);
});

test('hostnames order from most to least specific', () => {
  const sorted = ['*', '*.example.com', 'b.example.com', '*.a.example.com', 'a.example.com'].sort(compareSpecificity);
  assert.deepEqual(sorted, ['a.example.com', 'b.example.com', '*.a.example.com', '*.example.com', '*']);
});

test('GEP-2257 durations', () => {
  assert.equal(parseDurationMs('1h'), 3_600_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('1500ms'), 1500);
  assert.equal(parseDurationMs('0s'), 0);
  assert.equal(parseDurationMs('1.5s'), undefined);
  assert.equal(parseDurationMs('10'), undefined);
  assert.equal(parseDurationMs('123456s'), undefined);
});

test('CIDR blocks are normalised; bare addresses get a full-length prefix', () => {
  assert.equal(normaliseCidr('10.0.0.0/8'), '10.0.0.0/8');
  assert.equal(normaliseCidr('10.1.2.3'), '10.1.2.3/32');
  assert.equal(normaliseCidr('2001:db8::/32'), '2001:db8::/32');
  assert.equal(normaliseCidr('::1'), '::1/128');
  assert.equal(normaliseCidr('10.0.0.0/33'), undefined);
  assert.equal(normaliseCidr('example.com/8'), undefined);
});

test('CORS origins with a wildcard host become anchored regular expressions', () => {
  assert.equal(corsOrigin('*'), '*');
  assert.equal(corsOrigin('https://app.example.com'), 'https://app.example.com');
  const re = corsOrigin('https://*.example.com');
  assert.equal(re, '~^https://[-A-Za-z0-9.]+\\.example\\.com$');
  const compiled = new RegExp(re.slice(1));
  assert.ok(compiled.test('https://a.b.example.com'));
  assert.ok(!compiled.test('https://example.com.evil.test'));
  assert.ok(!compiled.test('http://a.example.com'));
  assert.ok(!compiled.test('https://evil.test/.example.com'));
  assert.ok(!compiled.test('https://.example.com'));
});

test('label selectors: matchLabels and every matchExpressions operator', () => {
  const labels = { env: 'prod', team: 'a' };
  assert.ok(selectorMatches({}, labels));
  assert.ok(selectorMatches({ matchLabels: { env: 'prod' } }, labels));
  assert.ok(!selectorMatches({ matchLabels: { env: 'dev' } }, labels));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] }, labels));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, labels));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }, labels));
});

test('the schema checker reports every problem with its full path', () => {
  const schema = obj(
    { name: str({ minLength: 1 }), ports: arr(int(1, 65535), { maxItems: 2 }), inner: obj({ flag: str({ enum: ['a', 'b'] }) }, { required: ['flag'] }) },
    { required: ['name'] },
  );
  const issues = checkSchema(schema, { ports: [0, 80, 'x'], inner: {}, extra: 1 }, 'spec');
  assert.deepEqual(
    issues.map((i) => i.path),
    ['spec.ports', 'spec.ports[0]', 'spec.ports[2]', 'spec.inner.flag', 'spec.extra', 'spec.name'],
  );
  assert.match(issues.find((i) => i.path === 'spec.extra')!.reason, /unknown field "extra" \(known fields: name, ports, inner\)/);
  assert.match(issues.find((i) => i.path === 'spec.ports[0]')!.reason, /must be at least 1/);
  assert.deepEqual(checkSchema(schema, { name: 'ok', ports: [80], inner: { flag: 'a' } }, 'spec'), []);
});
