// Route semantics checked by behaviour: the generated match and rewrite are applied to request
// paths the way Envoy applies them (path_separated_prefix, prefix_rewrite, RE2 GlobalReplace), so
// the tests say what a client sees rather than which fields were written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/envoy/resource';
import type { PathMatch, Rewrite } from '../../src/ir/route';
import { duration, fractionalPercent } from '../../src/xds/json';
import { pathRewrite } from '../../src/xds/path-rewrite';
import { mirrorPolicy, retryPolicy } from '../../src/xds/route-action';
import { pathSpecifier, routeMatch } from '../../src/xds/route-match';
import { effectivePolicy } from '../../src/xds/effective-policy';

/** Does Envoy's path specifier match this path (query string excluded)? */
function matches(spec: JsonObject, path: string): boolean {
  if (typeof spec['path'] === 'string') return path === spec['path'];
  if (typeof spec['prefix'] === 'string') return path.startsWith(spec['prefix']);
  if (typeof spec['path_separated_prefix'] === 'string') {
    const p = spec['path_separated_prefix'];
    return path === p || path.startsWith(`${p}/`);
  }
  const regex = (spec['safe_regex'] as JsonObject)['regex'] as string;
  return new RegExp(`^(?:${regex})$`).test(path);
}

/** The upstream path after Envoy's rewrite of a request that matched `spec`. */
function rewritten(spec: JsonObject, rewrite: JsonObject, path: string): string {
  if (typeof rewrite['prefix_rewrite'] === 'string') {
    const matched = (spec['path_separated_prefix'] ?? spec['prefix'] ?? spec['path']) as string;
    return rewrite['prefix_rewrite'] + path.slice(matched.length);
  }
  const regexRewrite = rewrite['regex_rewrite'] as JsonObject;
  const pattern = (regexRewrite['pattern'] as JsonObject)['regex'] as string;
  const substitution = (regexRewrite['substitution'] as string).replace(/\\(\d)/g, '$$$1');
  return path.replace(new RegExp(pattern, 'g'), substitution);
}

function rewrite(match: PathMatch, rule: NonNullable<Rewrite['path']>, path: string): string {
  const spec = pathSpecifier(match);
  assert.ok(matches(spec, path), `${path} must match ${JSON.stringify(match)}`);
  return rewritten(spec, pathRewrite(rule, match), path);
}

test('PathPrefix matches whole segments; StringPrefix matches characters', () => {
  const prefix = pathSpecifier({ type: 'PathPrefix', value: '/api/' });
  assert.deepEqual(prefix, { path_separated_prefix: '/api' });
  assert.ok(matches(prefix, '/api'));
  assert.ok(matches(prefix, '/api/v1'));
  assert.ok(!matches(prefix, '/apix'));
  assert.deepEqual(pathSpecifier({ type: 'PathPrefix', value: '/' }), { prefix: '/' });
  const plain = pathSpecifier({ type: 'StringPrefix', value: '/api' });
  assert.ok(matches(plain, '/apix'));
  assert.ok(matches(pathSpecifier({ type: 'RegularExpression', value: '/v[0-9]+/.*' }), '/v2/items'));
  assert.ok(!matches(pathSpecifier({ type: 'Exact', value: '/a' }), '/a/b'));
});

test('ReplacePrefixMatch follows Gateway API path segments', () => {
  const cases: [string, string, string, string][] = [
    ['/prefix/one', '/one', '/prefix/one/two', '/one/two'],
    ['/prefix/one', '/one', '/prefix/one', '/one'],
    ['/strip-prefix', '/', '/strip-prefix/three', '/three'],
    ['/strip-prefix', '/', '/strip-prefix', '/'],
    ['/strip-prefix', '/', '/strip-prefix//x', '/x'],
    ['/old/', '/new/', '/old/page', '/new/page'],
    ['/', '/api', '/users', '/api/users'],
    ['/', '/api/', '/', '/api/'],
  ];
  for (const [prefix, replacement, path, expected] of cases) {
    assert.equal(rewrite({ type: 'PathPrefix', value: prefix }, { type: 'ReplacePrefixMatch', value: replacement }, path), expected, `${prefix} → ${replacement} on ${path}`);
  }
  assert.equal(rewrite({ type: 'StringPrefix', value: '/svc' }, { type: 'ReplacePrefixMatch', value: '/internal' }, '/svcfoo'), '/internalfoo');
});

test('ReplaceFullPath and regex rewrites', () => {
  assert.equal(rewrite({ type: 'PathPrefix', value: '/full' }, { type: 'ReplaceFullPath', value: '/one' }, '/full/one/two'), '/one');
  assert.equal(rewrite({ type: 'Exact', value: '/about' }, { type: 'ReplacePrefixMatch', value: '/pages/about' }, '/about'), '/pages/about');
  assert.equal(
    rewrite({ type: 'RegularExpression', value: '/users/[0-9]+/profile' }, { type: 'Regex', pattern: '^/users/([0-9]+)/profile$', substitution: '/profiles/\\1' }, '/users/42/profile'),
    '/profiles/42',
  );
});

test('method, header, query and gRPC matches', () => {
  const m = routeMatch({
    path: { type: 'Exact', value: '/x' },
    method: 'post',
    headers: [{ name: 'x-a', type: 'Present', invert: true }],
    queryParams: [{ name: 'q', type: 'RegularExpression', value: '[a-z]+' }],
    grpc: true,
  });
  assert.deepEqual(m, {
    path: '/x',
    headers: [
      { name: 'x-a', present_match: true, invert_match: true },
      { name: ':method', string_match: { exact: 'POST' } },
    ],
    query_parameters: [{ name: 'q', string_match: { safe_regex: { regex: '[a-z]+' } } }],
    grpc: {},
  });
});

test('retries add retriable-status-codes when codes are given', () => {
  assert.deepEqual(retryPolicy({ attempts: 2, retryOn: ['5xx'], retriableStatusCodes: [503], perTryTimeoutMs: 1500, backoff: { baseIntervalMs: 100 } }), {
    retry_on: '5xx,retriable-status-codes',
    num_retries: 2,
    per_try_timeout: '1.500s',
    retriable_status_codes: [503],
    retry_back_off: { base_interval: '0.100s' },
  });
});

test('mirror fractions: all requests, whole percents, millionths for fractions', () => {
  assert.deepEqual(mirrorPolicy({ cluster: 'm' }), { cluster: 'm' });
  assert.deepEqual(mirrorPolicy({ cluster: 'm', percent: 100 }), { cluster: 'm' });
  assert.deepEqual(mirrorPolicy({ cluster: 'm', percent: 25 }), { cluster: 'm', runtime_fraction: { default_value: { numerator: 25 } } });
  assert.deepEqual(fractionalPercent(0.5), { numerator: 5000, denominator: 'MILLION' });
  assert.deepEqual(fractionalPercent(0), {});
});

test('durations are proto3 JSON strings', () => {
  assert.equal(duration(5000), '5s');
  assert.equal(duration(250), '0.250s');
  assert.equal(duration(1500), '1.500s');
  assert.equal(duration(0), '0s');
  assert.equal(duration(1999.6), '2s');
});

test('a route policy overrides its host policy feature by feature', () => {
  const jwt = { providers: [{ name: 'idp', jwks: { type: 'local', inline: '{}' } }] } as const;
  const merged = effectivePolicy({ jwt, cors: { allowOrigins: ['a'] } }, { cors: { allowOrigins: ['b'] }, maxRequestBodyBytes: undefined });
  assert.deepEqual(merged, { jwt, cors: { allowOrigins: ['b'] } });
});
