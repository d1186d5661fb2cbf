// RE2 → JavaScript translation: the constructs where the dialects differ, RE2's search semantics,
// and every pattern the loaded Envoy API carries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { envoyApi } from '../../src/envoy/api';
import { compileRe2, Re2SyntaxError } from '../../src/validate/re2';
import { fieldRulesOf, isRuleObject } from '../../src/validate/rule-options';

function matches(pattern: string, text: string): boolean {
  return compileRe2(pattern).test(text);
}

describe('RE2 patterns', () => {
  it('search semantics: an unanchored pattern matches anywhere', () => {
    assert.equal(matches('b+', 'aabbcc'), true);
    assert.equal(matches('^b+', 'aabbcc'), false);
  });

  it('^ and $ anchor the whole text; (?m) makes them line anchors', () => {
    assert.equal(matches('^b$', 'a\nb\nc'), false);
    assert.equal(matches('(?m)^b$', 'a\nb\nc'), true);
    assert.equal(matches('\\Aab\\z', 'ab'), true);
    assert.equal(matches('\\Aab\\z', 'ab\n'), false);
  });

  it('. does not match \\n (but does match \\r) unless (?s)', () => {
    assert.equal(matches('^a.b$', 'a\nb'), false);
    assert.equal(matches('^a.b$', 'a\rb'), true);
    assert.equal(matches('(?s)^a.b$', 'a\nb'), true);
  });

  it('(?i) flags, scoped groups and (?P<name>...)', () => {
    assert.equal(matches('(?i)^abc$', 'AbC'), true);
    assert.equal(matches('^a(?i:b)c$', 'aBc'), true);
    assert.equal(matches('^a(?i:b)c$', 'aBC'), false);
    assert.equal(matches('^(?P<major>\\d+)\\.(?P<minor>\\d+)$', '1.25'), true);
    assert.equal(matches('(?i)^[a-c]+$', 'ABCabc'), true);
  });

  it('\\s is ASCII whitespace only; POSIX and Unicode classes; \\Q...\\E; octal and \\x{...}', () => {
    assert.equal(matches('^\\s$', '\u00a0'), false);
    assert.equal(matches('^\\s$', '\t'), true);
    assert.equal(matches('^[[:alpha:]_]+$', 'ab_C'), true);
    assert.equal(matches('^[[:^digit:]]+$', 'abc'), true);
    assert.equal(matches('^\\pL+$', 'éa'), true);
    assert.equal(matches('^\\p{Greek}+$', 'αβ'), true);
    assert.equal(matches('^\\Qa.b\\E$', 'a.b'), true);
    assert.equal(matches('^\\Qa.b\\E$', 'axb'), false);
    assert.equal(matches('^\\101\\x{42}$', 'AB'), true);
  });

  it('literal braces and a leading ] in a class, as RE2 reads them', () => {
    assert.equal(matches('^a{,2}$', 'a{,2}'), true);
    assert.equal(matches('^[]a]+$', ']a'), true);
    assert.equal(matches('^x{2}$', 'xx'), true);
  });

  it('rejects what RE2 rejects: backreferences, lookaround', () => {
    assert.throws(() => compileRe2('(a)\\1'), Re2SyntaxError);
    assert.throws(() => compileRe2('a(?=b)'), Re2SyntaxError);
    assert.throws(() => compileRe2('(?<!a)b'), Re2SyntaxError);
    assert.throws(() => compileRe2('(ab'), Re2SyntaxError);
  });

  it('every string/bytes pattern of the loaded Envoy API translates', () => {
    const patterns: string[] = [];
    const collect = (rules: unknown): void => {
      if (!isRuleObject(rules)) return;
      for (const [key, value] of Object.entries(rules)) {
        if (key === 'pattern' && typeof value === 'string') patterns.push(value);
        else collect(value);
      }
    };
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) for (const field of nested.fieldsArray) collect(fieldRulesOf(field));
        if (nested instanceof protobuf.Namespace) walk(nested);
      }
    };
    walk(envoyApi().root);
    assert.ok(patterns.length >= 5, `only ${patterns.length} patterns found`);
    for (const p of patterns) assert.doesNotThrow(() => compileRe2(p), p);
  });
});
