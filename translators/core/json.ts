// Readers for JSON that has already passed its schema: they narrow `JsonValue` without `any` and
// return undefined for absent (or null) fields, so translation code stays free of casts.
import type { JsonObject, JsonValue } from '../../src/envoy/resource';
import { isJsonObject } from '../schema';

export function field(o: JsonObject | undefined, key: string): JsonValue | undefined {
  if (!o) return undefined;
  const v = o[key];
  return v === null ? undefined : v;
}

export function getString(o: JsonObject | undefined, key: string): string | undefined {
  const v = field(o, key);
  return typeof v === 'string' ? v : undefined;
}

export function getNumber(o: JsonObject | undefined, key: string): number | undefined {
  const v = field(o, key);
  return typeof v === 'number' ? v : undefined;
}

export function getBoolean(o: JsonObject | undefined, key: string): boolean | undefined {
  const v = field(o, key);
  return typeof v === 'boolean' ? v : undefined;
}

export function getObject(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = field(o, key);
  return isJsonObject(v) ? v : undefined;
}

export function getArray(o: JsonObject | undefined, key: string): readonly JsonValue[] {
  const v = field(o, key);
  return Array.isArray(v) ? v : [];
}

export function getObjects(o: JsonObject | undefined, key: string): readonly JsonObject[] {
  return getArray(o, key).filter(isJsonObject);
}

export function getStrings(o: JsonObject | undefined, key: string): readonly string[] {
  return getArray(o, key).filter((v): v is string => typeof v === 'string');
}

export function getStringMap(o: JsonObject | undefined, key: string): Readonly<Record<string, string>> {
  const m = getObject(o, key);
  const out: Record<string, string> = {};
  if (!m) return out;
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** True when the key is present with a non-null value. */
export function has(o: JsonObject | undefined, key: string): boolean {
  return field(o, key) !== undefined;
}
