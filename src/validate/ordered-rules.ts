// const / lt / lte / gt / gte / in / not_in, shared by every ordered kind: numbers, 64-bit
// integers, Durations and Timestamps. When both an upper and a lower bound are given PGV reads
// them as a range: lower < upper means "inside (gt, lt)", otherwise the range is exclusive and the
// value must lie outside [lt, gt].
import type { Predicate } from './check';
import { type RuleObject, ruleList } from './rule-options';

export interface Ordering<T> {
  /** A rule value as parsed from the proto text → comparable value (undefined when absent/malformed). */
  parse(ruleValue: unknown): T | undefined;
  compare(a: T, b: T): number;
  format(value: T): string;
}

type Bound<T> = { key: string; value: T };

export function orderedPredicates<T>(rules: RuleObject, prefix: string, ord: Ordering<T>): Predicate<T>[] {
  const out: Predicate<T>[] = [];
  const f = ord.format;
  const constValue = ord.parse(rules['const']);
  if (constValue !== undefined) {
    out.push({ rule: `${prefix}.const`, test: (v) => ord.compare(v, constValue) === 0, message: `must equal ${f(constValue)}` });
  }
  const bound = (key: string): Bound<T> | undefined => {
    const value = ord.parse(rules[key]);
    return value === undefined ? undefined : { key, value };
  };
  const upper = bound('lt') ?? bound('lte');
  const lower = bound('gt') ?? bound('gte');
  const below = (v: T, b: Bound<T>): boolean => (b.key === 'lt' ? ord.compare(v, b.value) < 0 : ord.compare(v, b.value) <= 0);
  const above = (v: T, b: Bound<T>): boolean => (b.key === 'gt' ? ord.compare(v, b.value) > 0 : ord.compare(v, b.value) >= 0);
  if (upper && lower) {
    const open = lower.key === 'gt' ? '(' : '[';
    const close = upper.key === 'lt' ? ')' : ']';
    if (ord.compare(upper.value, lower.value) > 0) {
      const message = `must be inside range ${open}${f(lower.value)}, ${f(upper.value)}${close}`;
      out.push({ rule: `${prefix}.${lower.key}`, test: (v) => above(v, lower), message });
      out.push({ rule: `${prefix}.${upper.key}`, test: (v) => below(v, upper), message });
    } else {
      // Exclusive range: the forbidden middle runs from the upper bound to the lower bound.
      const from = upper.key === 'lt' ? '[' : '(';
      const to = lower.key === 'gt' ? ']' : ')';
      const message = `must be outside range ${from}${f(upper.value)}, ${f(lower.value)}${to}`;
      out.push({ rule: `${prefix}.${upper.key}/${lower.key}`, test: (v) => below(v, upper) || above(v, lower), message });
    }
  } else if (upper) {
    const message = upper.key === 'lt' ? `must be less than ${f(upper.value)}` : `must be less than or equal to ${f(upper.value)}`;
    out.push({ rule: `${prefix}.${upper.key}`, test: (v) => below(v, upper), message });
  } else if (lower) {
    const message = lower.key === 'gt' ? `must be greater than ${f(lower.value)}` : `must be greater than or equal to ${f(lower.value)}`;
    out.push({ rule: `${prefix}.${lower.key}`, test: (v) => above(v, lower), message });
  }
  const inList = parseList(rules, 'in', ord);
  if (inList.length > 0) {
    out.push({
      rule: `${prefix}.in`,
      test: (v) => inList.some((x) => ord.compare(v, x) === 0),
      message: `must be in list [${inList.map(f).join(', ')}]`,
    });
  }
  const notInList = parseList(rules, 'not_in', ord);
  if (notInList.length > 0) {
    out.push({
      rule: `${prefix}.not_in`,
      test: (v) => !notInList.some((x) => ord.compare(v, x) === 0),
      message: `must not be in list [${notInList.map(f).join(', ')}]`,
    });
  }
  return out;
}

function parseList<T>(rules: RuleObject, key: string, ord: Ordering<T>): T[] {
  const out: T[] = [];
  for (const raw of ruleList(rules, key)) {
    const value = ord.parse(raw);
    if (value !== undefined) out.push(value);
  }
  return out;
}
