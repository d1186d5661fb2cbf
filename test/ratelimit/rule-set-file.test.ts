// Rule files for `meshgate ratelimit --config`: YAML and JSON accepted, every mistake reported
// with its field path, and nothing accepted that would silently never limit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadRuleSetFile, parseRuleSet, parseRuleSetText, RuleSetError } from '../../src/ratelimit/rule-set-file';

const YAML = `
domains:
  - domain: meshgate
    rules:
      - id: team/login
        descriptor: [{ key: policy, value: team/login }, { key: remote_address }]
        requests: 5
        unit: minute
      - id: team/all
        descriptor:
          - key: policy
            value: team/all
        requests: 0
        unit: day
`;

test('a YAML rule set is read as written', () => {
  assert.deepEqual(parseRuleSetText(YAML, 'rules.yaml'), {
    domains: [
      {
        domain: 'meshgate',
        rules: [
          { id: 'team/login', descriptor: [{ key: 'policy', value: 'team/login' }, { key: 'remote_address' }], requests: 5, unit: 'minute' },
          { id: 'team/all', descriptor: [{ key: 'policy', value: 'team/all' }], requests: 0, unit: 'day' },
        ],
      },
    ],
  });
});

test('a JSON file is read from disk and gives the same rules as its YAML twin', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-rl-'));
  try {
    const file = path.join(dir, 'rules.json');
    fs.writeFileSync(file, JSON.stringify(parseRuleSetText(YAML, 'x.yaml')));
    assert.deepEqual(loadRuleSetFile(file), parseRuleSetText(YAML, 'x.yaml'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function issuesOf(value: unknown): { path: string; reason: string }[] {
  try {
    parseRuleSet(value);
  } catch (err) {
    assert.ok(err instanceof RuleSetError);
    return [...err.issues];
  }
  assert.fail('expected a RuleSetError');
}

test('every mistake is reported with its field path', () => {
  const issues = issuesOf({
    domains: [
      {
        domain: '',
        rules: [{ id: 'a', descriptor: [{ key: 'policy', value: 'a' }], requests: 1.5, unit: 'week', burst: 3 }],
      },
      { domain: 'd', rules: [{ id: 'b', descriptor: [], requests: 1, unit: 'second' }, { id: 'c', descriptor: [{ key: '', value: '' }], requests: -1, unit: 'second' }] },
    ],
  });
  const paths = issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    'domains[0].domain',
    'domains[0].rules[0].burst',
    'domains[0].rules[0].requests',
    'domains[0].rules[0].unit',
    'domains[1].rules[0].descriptor',
    'domains[1].rules[1].descriptor[0].key',
    'domains[1].rules[1].descriptor[0].value',
    'domains[1].rules[1].requests',
  ]);
  assert.match(issues.find((i) => i.path.endsWith('unit'))!.reason, /second, minute, hour, day/);
});

test('two rules with the same descriptor in one domain are rejected', () => {
  const r = (id: string) => ({ id, descriptor: [{ key: 'policy', value: 'p' }, { key: 'remote_address' }], requests: 1, unit: 'second' });
  const issues = issuesOf({ domains: [{ domain: 'd', rules: [r('first')] }, { domain: 'd', rules: [r('second')] }] });
  assert.deepEqual(issues, [{ path: 'domains[1].rules[0].descriptor', reason: 'same descriptor as rule "first" in domain "d"' }]);
  // The same descriptor in different domains is fine.
  parseRuleSet({ domains: [{ domain: 'd', rules: [r('first')] }, { domain: 'e', rules: [r('second')] }] });
});

test('malformed text and a missing file are errors naming the file', () => {
  assert.throws(() => parseRuleSetText('domains: [', 'bad.yaml'), (err: unknown) => err instanceof RuleSetError && /bad\.yaml: .*not valid YAML/.test(err.message));
  assert.throws(() => parseRuleSetText('{', 'bad.json'), (err: unknown) => err instanceof RuleSetError && /not valid JSON/.test(err.message));
  assert.throws(() => loadRuleSetFile('/nonexistent/rules.yaml'), (err: unknown) => err instanceof RuleSetError && /cannot read/.test(err.message));
  assert.throws(() => parseRuleSetText('', 'empty.yaml'), /must be an object/);
});

test('several windows, a path entry counted without its query, and Kong headers are read; mistakes in them are named', () => {
  const text = `
domains:
  - domain: meshgate
    rules:
      - id: team/kong
        descriptor: [{ key: policy, value: team/kong }, { key: path, ignoreQuery: true }]
        requests: 5
        unit: minute
        additionalLimits: [{ requests: 100, unit: hour }, { requests: 1000, unit: month }]
        responseHeaders: kong
`;
  assert.deepEqual(parseRuleSetText(text, 'rules.yaml').domains[0]!.rules[0], {
    id: 'team/kong',
    descriptor: [{ key: 'policy', value: 'team/kong' }, { key: 'path', ignoreQuery: true }],
    requests: 5,
    unit: 'minute',
    additionalLimits: [{ requests: 100, unit: 'hour' }, { requests: 1000, unit: 'month' }],
    responseHeaders: 'kong',
  });
  const bad = () =>
    parseRuleSet({
      domains: [{ domain: 'd', rules: [{ id: 'r', descriptor: [{ key: 'path', ignoreQuery: 'yes' }], requests: 1, unit: 'minute', additionalLimits: [{ requests: 2, unit: 'week' }], responseHeaders: 'draft' }] }],
    });
  assert.throws(bad, (err: unknown) => {
    assert.ok(err instanceof RuleSetError);
    assert.deepEqual(err.issues.map((i) => i.path), ['domains[0].rules[0].descriptor[0].ignoreQuery', 'domains[0].rules[0].additionalLimits[0].unit', 'domains[0].rules[0].responseHeaders']);
    return true;
  });
});
