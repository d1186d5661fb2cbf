// Reading one proto3-JSON value as the proto type expects it, with the same acceptance as the
// codec (src/envoy/json-to-binary.ts): anything the codec would refuse is reported here with its
// path instead of surfacing later as an encode error.
import protobuf from 'protobufjs';
import { parseDuration, parseTimestamp, toNanos } from '../envoy/well-known-json';
import { describeJson, type RawIssue } from './issue';
import { FLOAT_KINDS, INT64_KINDS } from './numeric-rules';

export type ScalarValue = string | number | bigint | boolean | Uint8Array;

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function typeIssue(out: RawIssue[], path: string, expected: string, got: unknown): undefined {
  out.push({ path, rule: 'json.type', message: `expected ${expected}, got ${describeJson(got)}` });
  return undefined;
}

/** A scalar field's JSON value → number (32-bit ints, float, double), bigint (64-bit ints), string, boolean or bytes. */
export function readScalar(kind: string, json: unknown, path: string, out: RawIssue[]): ScalarValue | undefined {
  switch (kind) {
    case 'string':
      return typeof json === 'string' ? json : typeIssue(out, path, 'a string', json);
    case 'bool':
      return typeof json === 'boolean' ? json : typeIssue(out, path, 'true or false', json);
    case 'bytes':
      if (typeof json !== 'string' || !BASE64.test(json)) return typeIssue(out, path, 'base64 text', json);
      return Buffer.from(json, json.includes('-') || json.includes('_') ? 'base64url' : 'base64');
    default:
      break;
  }
  if (FLOAT_KINDS.has(kind)) {
    let n: number | undefined;
    if (typeof json === 'number') n = json;
    else if (json === 'NaN') n = NaN;
    else if (json === 'Infinity') n = Infinity;
    else if (json === '-Infinity') n = -Infinity;
    else if (typeof json === 'string' && json.trim() !== '' && !Number.isNaN(Number(json))) n = Number(json);
    if (n === undefined) return typeIssue(out, path, 'a number', json);
    return kind === 'float' ? Math.fround(n) : n;
  }
  const range = INT_RANGES[kind];
  if (!range) return typeIssue(out, path, `a value of type ${kind}`, json);
  if (typeof json === 'number' && Number.isSafeInteger(json) && !INT64_KINDS.has(kind)) {
    if (json < range[0] || json > range[1]) return rangeIssue(out, path, String(json), kind);
    return json;
  }
  const text = typeof json === 'number' ? String(json) : typeof json === 'string' ? json.trim() : undefined;
  if (text === undefined || !/^-?\d+$/.test(text)) return typeIssue(out, path, 'an integer', json);
  const n = BigInt(text);
  if (n < range[0] || n > range[1]) return rangeIssue(out, path, text, kind);
  return INT64_KINDS.has(kind) ? n : Number(n);
}

function rangeIssue(out: RawIssue[], path: string, text: string, kind: string): undefined {
  out.push({ path, rule: 'json.range', message: `${text} is out of range for ${kind}` });
  return undefined;
}

/** An enum's JSON value (its name, or a number) → the number. */
export function readEnum(type: protobuf.Enum, json: unknown, path: string, out: RawIssue[]): number | undefined {
  if (typeof json === 'string') {
    const n = type.values[json];
    if (n === undefined) {
      const names = Object.keys(type.values);
      out.push({
        path,
        rule: 'json.enum',
        message: `"${json}" is not a value of enum ${type.name} (${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})`,
      });
      return undefined;
    }
    return n;
  }
  if (typeof json === 'number' && Number.isInteger(json) && json >= -(2 ** 31) && json < 2 ** 31) return json;
  return typeIssue(out, path, `an enum name of ${type.name}`, json);
}

/** Map keys are JSON object keys (strings) that must spell a value of the key type. */
export function readMapKey(keyType: string, key: string, path: string, out: RawIssue[]): ScalarValue | undefined {
  if (keyType === 'string') return key;
  if (keyType === 'bool') {
    if (key === 'true' || key === 'false') return key === 'true';
    out.push({ path, rule: 'json.type', message: `map key "${key}" is not a bool` });
    return undefined;
  }
  if (!/^-?\d+$/.test(key)) {
    out.push({ path, rule: 'json.type', message: `map key "${key}" is not a valid ${keyType}` });
    return undefined;
  }
  return readScalar(keyType, key, path, out);
}

export function readDuration(json: unknown, path: string, out: RawIssue[]): bigint | undefined {
  const d = typeof json === 'string' ? parseDuration(json) : undefined;
  if (!d) {
    out.push({ path, rule: 'json.type', message: `expected a duration such as "1.5s", got ${describeJson(json)}` });
    return undefined;
  }
  return toNanos(d);
}

export function readTimestamp(json: unknown, path: string, out: RawIssue[]): bigint | undefined {
  const t = typeof json === 'string' ? parseTimestamp(json) : undefined;
  if (!t) {
    out.push({ path, rule: 'json.type', message: `expected an RFC 3339 timestamp such as "2026-01-02T03:04:05Z", got ${describeJson(json)}` });
    return undefined;
  }
  return toNanos(t);
}

/** The default value of a scalar kind, used to judge fields the JSON leaves out (proto3: unset = default). */
export function defaultScalar(kind: string): ScalarValue {
  if (kind === 'string') return '';
  if (kind === 'bool') return false;
  if (kind === 'bytes') return new Uint8Array(0);
  if (INT64_KINDS.has(kind)) return 0n;
  return 0;
}
