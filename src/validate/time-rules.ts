// validate.DurationRules and validate.TimestampRules. Values are compared as nanoseconds (bigint).
import { formatDuration, formatTimestamp } from '../envoy/well-known-json';
import { checkOf, type Predicate, type ValueCheck } from './check';
import { type Ordering, orderedPredicates } from './ordered-rules';
import { type RuleObject, isRuleObject, ruleBool } from './rule-options';

const NANOS_PER_SECOND = 1_000_000_000n;

function integer(value: unknown): bigint | undefined {
  if (value === undefined) return 0n;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** A google.protobuf.Duration/Timestamp rule literal ({seconds, nanos}; `{}` is zero) → nanoseconds. */
export function ruleNanos(value: unknown): bigint | undefined {
  if (!isRuleObject(value)) return undefined;
  const seconds = integer(value['seconds']);
  const nanos = integer(value['nanos']);
  if (seconds === undefined || nanos === undefined) return undefined;
  return seconds * NANOS_PER_SECOND + nanos;
}

function splitNanos(total: bigint): { seconds: number; nanos: number } {
  return { seconds: Number(total / NANOS_PER_SECOND), nanos: Number(total % NANOS_PER_SECOND) };
}

export function formatDurationNanos(total: bigint): string {
  return formatDuration(splitNanos(total));
}

export function formatTimestampNanos(total: bigint): string {
  const seconds = total >= 0n ? total / NANOS_PER_SECOND : -((-total + NANOS_PER_SECOND - 1n) / NANOS_PER_SECOND);
  return formatTimestamp({ seconds: Number(seconds), nanos: Number(total - seconds * NANOS_PER_SECOND) });
}

const compare = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const DURATION_ORDER: Ordering<bigint> = { parse: ruleNanos, compare, format: formatDurationNanos };
const TIMESTAMP_ORDER: Ordering<bigint> = { parse: ruleNanos, compare, format: formatTimestampNanos };

export function compileDurationRules(rules: RuleObject, prefix: string): ValueCheck<bigint> | undefined {
  return checkOf(orderedPredicates(rules, prefix, DURATION_ORDER));
}

function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

export function compileTimestampRules(rules: RuleObject, prefix: string): ValueCheck<bigint> | undefined {
  const p: Predicate<bigint>[] = orderedPredicates(rules, prefix, TIMESTAMP_ORDER);
  const within = ruleNanos(rules['within']);
  const ltNow = ruleBool(rules, 'lt_now') === true;
  const gtNow = ruleBool(rules, 'gt_now') === true;
  const span = within === undefined ? '' : formatDurationNanos(within);
  if (ltNow) {
    p.push({
      rule: `${prefix}.lt_now`,
      test: (v) => {
        const now = nowNanos();
        return v < now && (within === undefined || v >= now - within);
      },
      message: within === undefined ? 'must be less than now' : `must be less than now and within ${span} of it`,
    });
  } else if (gtNow) {
    p.push({
      rule: `${prefix}.gt_now`,
      test: (v) => {
        const now = nowNanos();
        return v > now && (within === undefined || v <= now + within);
      },
      message: within === undefined ? 'must be greater than now' : `must be greater than now and within ${span} of it`,
    });
  } else if (within !== undefined) {
    p.push({
      rule: `${prefix}.within`,
      test: (v) => {
        const delta = v - nowNanos();
        return (delta < 0n ? -delta : delta) <= within;
      },
      message: `must be within ${span} of now`,
    });
  }
  return checkOf(p);
}
