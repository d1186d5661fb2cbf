// Reading a rule set from outside the process (a --config file for `meshgate ratelimit`): JSON or
// YAML in the RateLimitRuleSet shape, checked field by field so that a typo is an error naming the
// field rather than a limit that silently never applies.
//
//   domains:
//     - domain: meshgate
//       rules:
//         - id: default/login-limit/route
//           descriptor: [{ key: policy, value: default/login-limit/route }, { key: remote_address }]
//           requests: 10
//           unit: minute
import fs from 'node:fs';
import yaml from 'js-yaml';
import type { DomainRules, RateLimitRule, RateLimitRuleSet, RateLimitWindow, RuleEntry } from './rules';
import { isRateLimitUnit, RATE_LIMIT_UNITS } from './units';

export interface RuleSetIssue {
  /** Field path, e.g. "domains[0].rules[2].unit". */
  readonly path: string;
  readonly reason: string;
}

export class RuleSetError extends Error {
  override name = 'RuleSetError';
  constructor(
    readonly source: string,
    readonly issues: readonly RuleSetIssue[],
  ) {
    super(`${source}: ${issues.map((i) => `${i.path || '(top)'}: ${i.reason}`).join('; ')}`);
  }
}

const MAX_REQUESTS = 0xffff_ffff; // RateLimit.requests_per_unit is a uint32

type Fields = Readonly<Record<string, unknown>>;

function isRecord(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  readonly issues: RuleSetIssue[] = [];

  fail(path: string, reason: string): undefined {
    this.issues.push({ path, reason });
    return undefined;
  }

  record(v: unknown, path: string, allowed: readonly string[]): Fields | undefined {
    if (!isRecord(v)) return this.fail(path, 'must be an object');
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.fail(`${path ? `${path}.` : ''}${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
    return v;
  }

  string(v: unknown, path: string): string | undefined {
    if (typeof v !== 'string' || v === '') return this.fail(path, 'must be a non-empty string');
    return v;
  }

  array(v: unknown, path: string, minItems: number): readonly unknown[] | undefined {
    if (!Array.isArray(v)) return this.fail(path, 'must be a list');
    if (v.length < minItems) return this.fail(path, `must have at least ${minItems} item(s)`);
    return v;
  }
}

function entryOf(c: Checker, v: unknown, path: string): RuleEntry | undefined {
  const r = c.record(v, path, ['key', 'value', 'ignoreQuery']);
  if (!r) return undefined;
  const key = c.string(r.key, `${path}.key`);
  if (r.ignoreQuery !== undefined && typeof r.ignoreQuery !== 'boolean') c.fail(`${path}.ignoreQuery`, 'must be true or false');
  const ignoreQuery = r.ignoreQuery === true ? { ignoreQuery: true } : {};
  if (r.value === undefined) return key === undefined ? undefined : { key, ...ignoreQuery };
  const value = c.string(r.value, `${path}.value`);
  return key === undefined || value === undefined ? undefined : { key, value, ...ignoreQuery };
}

function windowOf(c: Checker, r: Fields, path: string): RateLimitWindow | undefined {
  const requests = r.requests;
  if (typeof requests !== 'number' || !Number.isInteger(requests) || requests < 0 || requests > MAX_REQUESTS) {
    c.fail(`${path}.requests`, `must be an integer from 0 to ${MAX_REQUESTS}`);
  }
  if (!isRateLimitUnit(r.unit)) c.fail(`${path}.unit`, `must be one of ${RATE_LIMIT_UNITS.join(', ')}`);
  return typeof requests === 'number' && isRateLimitUnit(r.unit) ? { requests, unit: r.unit } : undefined;
}

function ruleOf(c: Checker, v: unknown, path: string): RateLimitRule | undefined {
  const r = c.record(v, path, ['id', 'descriptor', 'requests', 'unit', 'additionalLimits', 'responseHeaders']);
  if (!r) return undefined;
  const id = c.string(r.id, `${path}.id`);
  const entries = (c.array(r.descriptor, `${path}.descriptor`, 1) ?? []).map((e, i) => entryOf(c, e, `${path}.descriptor[${i}]`));
  const primary = windowOf(c, r, path);
  const more = r.additionalLimits === undefined ? [] : (c.array(r.additionalLimits, `${path}.additionalLimits`, 1) ?? []).map((w, i) => {
    const wr = c.record(w, `${path}.additionalLimits[${i}]`, ['requests', 'unit']);
    return wr ? windowOf(c, wr, `${path}.additionalLimits[${i}]`) : undefined;
  });
  if (r.responseHeaders !== undefined && r.responseHeaders !== 'kong') c.fail(`${path}.responseHeaders`, 'must be "kong" when set');
  if (id === undefined || entries.length === 0 || entries.some((e) => e === undefined) || !primary || more.some((w) => w === undefined)) return undefined;
  return {
    id,
    descriptor: entries as RuleEntry[],
    ...primary,
    ...(more.length > 0 ? { additionalLimits: more as RateLimitWindow[] } : {}),
    ...(r.responseHeaders === 'kong' ? { responseHeaders: 'kong' as const } : {}),
  };
}

function patternOf(rule: RateLimitRule): string {
  return JSON.stringify(rule.descriptor.map((e) => [e.key, e.value ?? null]));
}

/** Checks an already-parsed document; throws RuleSetError listing every problem. */
export function parseRuleSet(value: unknown, source = 'rate limit rules'): RateLimitRuleSet {
  const c = new Checker();
  const top = c.record(value, '', ['domains']);
  const domains: DomainRules[] = [];
  const seenPatterns = new Map<string, string>();
  (c.array(top?.domains, 'domains', 0) ?? []).forEach((d, di) => {
    const path = `domains[${di}]`;
    const r = c.record(d, path, ['domain', 'rules']);
    if (!r) return;
    const domain = c.string(r.domain, `${path}.domain`);
    const rules: RateLimitRule[] = [];
    (c.array(r.rules, `${path}.rules`, 0) ?? []).forEach((rv, ri) => {
      const rule = ruleOf(c, rv, `${path}.rules[${ri}]`);
      if (!rule || domain === undefined) return;
      const pattern = `${domain}\u0000${patternOf(rule)}`;
      const earlier = seenPatterns.get(pattern);
      if (earlier) c.fail(`${path}.rules[${ri}].descriptor`, `same descriptor as rule "${earlier}" in domain "${domain}"`);
      else seenPatterns.set(pattern, rule.id);
      rules.push(rule);
    });
    if (domain !== undefined) domains.push({ domain, rules });
  });
  if (c.issues.length > 0) throw new RuleSetError(source, c.issues);
  return { domains };
}

/** Parses JSON or YAML text (JSON when the file name ends in .json). */
export function parseRuleSetText(text: string, source: string): RateLimitRuleSet {
  let doc: unknown;
  try {
    doc = source.endsWith('.json') ? JSON.parse(text) : yaml.load(text);
  } catch (err) {
    throw new RuleSetError(source, [{ path: '', reason: `not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}` }]);
  }
  return parseRuleSet(doc, source);
}

export function loadRuleSetFile(file: string): RateLimitRuleSet {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RuleSetError(file, [{ path: '', reason: `cannot read: ${(err as Error).message}` }]);
  }
  return parseRuleSetText(text, file);
}
