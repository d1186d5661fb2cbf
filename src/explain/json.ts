// Narrow readers over Envoy's canonical JSON. Configs reach explain either from src/xds (proto3
// JSON: defaults omitted, wrappers as plain values, int64 maybe as strings) or written by hand, so
// every reader tolerates absent fields, {"value": x} wrappers and numeric strings.
import type { JsonObject, JsonValue } from '../envoy/resource';

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

/** Unwraps google.protobuf wrapper objects written as {"value": x}. */
function unwrap(v: JsonValue | undefined): JsonValue | undefined {
  return isObject(v) && 'value' in v && Object.keys(v).length === 1 ? v['value'] : v;
}

export function str(o: JsonObject | undefined, key: string): string | undefined {
  const v = unwrap(o?.[key]);
  return typeof v === 'string' ? v : undefined;
}

export function num(o: JsonObject | undefined, key: string): number | undefined {
  const v = unwrap(o?.[key]);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function bool(o: JsonObject | undefined, key: string): boolean | undefined {
  const v = unwrap(o?.[key]);
  return typeof v === 'boolean' ? v : undefined;
}

export function arr(o: JsonObject | undefined, key: string): JsonValue[] {
  const v = o?.[key];
  return Array.isArray(v) ? v : [];
}

export function objs(o: JsonObject | undefined, key: string): JsonObject[] {
  return arr(o, key).filter(isObject);
}

export function strs(o: JsonObject | undefined, key: string): string[] {
  return arr(o, key).filter((v): v is string => typeof v === 'string');
}

export function has(o: JsonObject | undefined, key: string): boolean {
  return o !== undefined && o[key] !== undefined && o[key] !== null;
}

/** "type.googleapis.com/envoy.x.v3.Foo" in an Any's "@type" → "envoy.x.v3.Foo". */
export function anyTypeName(any: JsonObject | undefined): string | undefined {
  const t = str(any, '@type');
  if (t === undefined) return undefined;
  const slash = t.lastIndexOf('/');
  return slash >= 0 ? t.slice(slash + 1) : t;
}

/** An enum given by name or by number, as a name from `names` (index = enum number). */
export function enumName(o: JsonObject | undefined, key: string, names: readonly string[]): string | undefined {
  const v = o?.[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return names[v] ?? String(v);
  return undefined;
}

/** A google.protobuf.Duration ("1.5s", or {seconds, nanos}) in milliseconds. */
export function durationMs(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(v.trim());
    return m ? Number(m[1]) * 1000 : undefined;
  }
  if (isObject(v)) {
    const seconds = num(v, 'seconds') ?? 0;
    const nanos = num(v, 'nanos') ?? 0;
    return seconds * 1000 + nanos / 1e6;
  }
  return undefined;
}

/** Milliseconds back to Envoy's duration text ("15s", "0.250s"). */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds}s` : `${Number(seconds.toFixed(9))}s`;
}

/** A Duration field as text, normalised; undefined when absent. */
export function durationText(o: JsonObject | undefined, key: string): string | undefined {
  const ms = durationMs(o?.[key]);
  return ms === undefined ? undefined : formatDuration(ms);
}

/** A FractionalPercent {numerator, denominator: HUNDRED|TEN_THOUSAND|MILLION} as 0–100. */
export function fractionalPercent(fp: JsonObject | undefined): number | undefined {
  if (!fp) return undefined;
  const numerator = num(fp, 'numerator') ?? 0;
  const denominator = enumName(fp, 'denominator', ['HUNDRED', 'TEN_THOUSAND', 'MILLION']) ?? 'HUNDRED';
  const scale = denominator === 'MILLION' ? 10_000 : denominator === 'TEN_THOUSAND' ? 100 : 1;
  return numerator / scale;
}

/** A config.core.v3.DataSource's inline content (files and environment variables are not readable offline). */
export function dataSourceText(ds: JsonObject | undefined): string | undefined {
  if (!ds) return undefined;
  const inline = str(ds, 'inline_string');
  if (inline !== undefined) return inline;
  const bytes = str(ds, 'inline_bytes');
  if (bytes !== undefined) return Buffer.from(bytes, 'base64').toString('utf8');
  return undefined;
}
