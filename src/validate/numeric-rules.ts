// Numeric, bool and enum rules. 64-bit integers are compared as bigint (JSON carries them as
// decimal strings precisely because a double cannot hold them); 32-bit integers, floats and
// doubles as numbers, floats rounded to single precision the way the proxy stores them.
import protobuf from 'protobufjs';
import { checkOf, type Predicate, type ValueCheck } from './check';
import { type Ordering, orderedPredicates } from './ordered-rules';
import { type RuleObject, ruleBool, ruleList } from './rule-options';

export const INT64_KINDS: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
export const INT32_KINDS: ReadonlySet<string> = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
export const FLOAT_KINDS: ReadonlySet<string> = new Set(['float', 'double']);

export function isNumericKind(kind: string): boolean {
  return INT64_KINDS.has(kind) || INT32_KINDS.has(kind) || FLOAT_KINDS.has(kind);
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

const BIGINT_ORDER: Ordering<bigint> = {
  parse: toBigInt,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  format: (v) => v.toString(),
};

const NUMBER_ORDER: Ordering<number> = {
  parse: toNumber,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN),
  format: (v) => String(v),
};

const FLOAT_ORDER: Ordering<number> = {
  ...NUMBER_ORDER,
  parse: (v) => {
    const n = toNumber(v);
    return n === undefined ? undefined : Math.fround(n);
  },
};

/** 64-bit integer fields: the value is a bigint. */
export function compileInt64Rules(rules: RuleObject, prefix: string): ValueCheck<bigint> | undefined {
  const skipZero = ruleBool(rules, 'ignore_empty') === true;
  return checkOf(orderedPredicates(rules, prefix, BIGINT_ORDER), skipZero ? (v) => v === 0n : undefined);
}

/** 32-bit integers, float and double: the value is a number (floats already rounded by the caller). */
export function compileNumberRules(kind: string, rules: RuleObject, prefix: string): ValueCheck<number> | undefined {
  const skipZero = ruleBool(rules, 'ignore_empty') === true;
  const order = kind === 'float' ? FLOAT_ORDER : NUMBER_ORDER;
  return checkOf(orderedPredicates(rules, prefix, order), skipZero ? (v) => v === 0 : undefined);
}

export function compileBoolRules(rules: RuleObject, prefix: string): ValueCheck<boolean> | undefined {
  const expected = ruleBool(rules, 'const');
  if (expected === undefined) return undefined;
  return checkOf([{ rule: `${prefix}.const`, test: (v) => v === expected, message: `must equal ${expected}` }]);
}

/** Enum values are numbers; names are resolved by the JSON reader. */
export function compileEnumRules(type: protobuf.Enum, rules: RuleObject, prefix: string): ValueCheck<number> | undefined {
  const name = (n: number): string => {
    const found = type.valuesById[n];
    return found === undefined ? String(n) : found;
  };
  const numbers = (key: string): number[] =>
    ruleList(rules, key).flatMap((v) => (typeof v === 'number' ? [v] : typeof v === 'string' && type.values[v] !== undefined ? [type.values[v]!] : []));
  const out: Predicate<number>[] = [];
  const constRaw = rules['const'];
  const constValue = typeof constRaw === 'number' ? constRaw : typeof constRaw === 'string' ? type.values[constRaw] : undefined;
  if (constValue !== undefined) out.push({ rule: `${prefix}.const`, test: (v) => v === constValue, message: `must equal ${name(constValue)}` });
  if (ruleBool(rules, 'defined_only') === true) {
    out.push({
      rule: `${prefix}.defined_only`,
      test: (v) => type.valuesById[v] !== undefined,
      message: (v) => `${v} is not a defined value of ${type.name}`,
    });
  }
  const inList = numbers('in');
  if (inList.length > 0) out.push({ rule: `${prefix}.in`, test: (v) => inList.includes(v), message: `must be in list [${inList.map(name).join(', ')}]` });
  const notIn = numbers('not_in');
  if (notIn.length > 0) out.push({ rule: `${prefix}.not_in`, test: (v) => !notIn.includes(v), message: `must not be in list [${notIn.map(name).join(', ')}]` });
  return checkOf(out);
}
