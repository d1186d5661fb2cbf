// Small builders for Envoy's canonical JSON (proto3 JSON with proto field names). The output is
// what decodeAny(encodeAny(x)) gives back: default scalars and enum zeros are left out, wrappers
// are plain values, 64-bit integers are strings, Durations are "<seconds>s".
import type { JsonObject, JsonValue } from '../envoy/resource';
import { TYPE_PREFIX } from '../envoy/type-urls';

/** Milliseconds → a proto3 JSON Duration ("5s", "0.250s", "0s"). */
export function duration(ms: number): string {
  const total = Math.round(ms);
  const whole = Math.floor(total / 1000);
  const rest = total % 1000;
  return rest === 0 ? `${whole}s` : `${whole}.${String(rest).padStart(3, '0')}s`;
}

/** A google.protobuf.Any in canonical JSON: "@type" next to the packed message's fields. */
export function typed(messageName: string, fields: JsonObject = {}): JsonObject {
  return { '@type': TYPE_PREFIX + messageName, ...fields };
}

/** int64/uint64 (and their wrappers) are strings in proto3 JSON. */
export function int64(n: number): string {
  return String(Math.trunc(n));
}

type Optional = JsonValue | undefined;

/**
 * An object without the entries whose value is undefined, so builders can list optional fields
 * inline: `compact({ a: 1, b: cond ? 2 : undefined })` → `{ a: 1 }`. Key order is kept.
 */
export function compact(fields: Record<string, Optional>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

/** A repeated field: absent when empty (proto3 JSON leaves empty lists out). */
export function list<T extends JsonValue>(values: readonly T[] | undefined): T[] | undefined {
  return values && values.length > 0 ? [...values] : undefined;
}

/** A plain bool field: absent when false (its default). */
export function flag(value: boolean | undefined): true | undefined {
  return value ? true : undefined;
}

/** A proto3 string: absent when empty. */
export function text(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** An object with its keys sorted (map fields: the order does not change the meaning). */
export function sortedMap<T extends JsonValue>(entries: Iterable<readonly [string, T]>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of [...entries].sort(([a], [b]) => compareStrings(a, b))) out[key] = value;
  return out;
}

/** Code-unit order, independent of the locale: the same input sorts the same everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ADS as the config source (the proxy's bootstrap names the management server). */
export function adsConfigSource(): JsonObject {
  return { ads: {}, resource_api_version: 'V3' };
}

/** A RuntimeFractionalPercent / FractionalPercent for a 0–100 percentage (fractions in millionths). */
export function fractionalPercent(percent: number): JsonObject {
  if (Number.isInteger(percent)) return compact({ numerator: percent === 0 ? undefined : percent });
  return { numerator: Math.round(percent * 10_000), denominator: 'MILLION' };
}
