// Counting rules of validate.RepeatedRules (min_items, max_items) and validate.MapRules
// (min_pairs, max_pairs); uniqueness and sparseness are judged item by item in the walker.
import { checkOf, type Predicate, type ValueCheck } from './check';
import { type RuleObject, ruleBool, ruleCount } from './rule-options';

function items(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function countPredicates(rules: RuleObject, prefix: string, minKey: string, maxKey: string, unit: string): Predicate<number>[] {
  const out: Predicate<number>[] = [];
  const min = ruleCount(rules, minKey);
  const max = ruleCount(rules, maxKey);
  if (min) out.push({ rule: `${prefix}.${minKey}`, test: (n) => n >= min, message: `must contain at least ${items(min, unit)}` });
  if (max !== undefined) out.push({ rule: `${prefix}.${maxKey}`, test: (n) => n <= max, message: `must contain no more than ${items(max, unit)}` });
  return out;
}

/** Checks the number of items of a repeated field; `prefix` is "repeated". */
export function compileRepeatedCount(rules: RuleObject, prefix: string): ValueCheck<number> | undefined {
  const skip = ruleBool(rules, 'ignore_empty') === true ? (n: number) => n === 0 : undefined;
  return checkOf(countPredicates(rules, prefix, 'min_items', 'max_items', 'item'), skip);
}

/** Checks the number of pairs of a map field; `prefix` is "map". */
export function compileMapCount(rules: RuleObject, prefix: string): ValueCheck<number> | undefined {
  const skip = ruleBool(rules, 'ignore_empty') === true ? (n: number) => n === 0 : undefined;
  return checkOf(countPredicates(rules, prefix, 'min_pairs', 'max_pairs', 'pair'), skip);
}

/** A key under which equal scalar items collide, for the `unique` rule. */
export function uniquenessKey(value: string | number | bigint | boolean | Uint8Array): string {
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('base64')}`;
  return `${typeof value}:${String(value)}`;
}
