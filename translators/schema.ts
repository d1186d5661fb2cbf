// A tiny structural schema checker for input documents: types, required fields, unknown fields,
// enums, patterns, ranges, plus per-object `check` hooks for the cross-field rules the Gateway API
// CRDs express in CEL. Schemas are plain TypeScript data (see gateway-api/schemas/, meshgate/*),
// so the rules stay next to the kinds they describe and no JSON-schema dependency is needed.
import type { JsonObject, JsonValue } from '../src/envoy/resource';

/** One violation; `path` is relative to where the checked value sits (joined by the caller). */
export interface SchemaIssue {
  readonly path: string;
  readonly reason: string;
}

export interface StringSchema {
  readonly kind: 'string';
  readonly enum?: readonly string[];
  readonly pattern?: RegExp;
  /** Said instead of the raw pattern when the value does not match, e.g. "a DNS label". */
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Extra check on the value; returns the reason when it is invalid. */
  readonly check?: (value: string) => string | undefined;
}

export interface IntegerSchema {
  readonly kind: 'integer';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly number[];
}

export interface NumberSchema {
  readonly kind: 'number';
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface BooleanSchema {
  readonly kind: 'boolean';
}

export interface ObjectSchema {
  readonly kind: 'object';
  readonly properties: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /** Exactly one of these fields must be present. */
  readonly exactlyOneOf?: readonly string[];
  /** At most one of these fields may be present. */
  readonly atMostOneOf?: readonly string[];
  /** Cross-field rules (they must read fields defensively: they also run on invalid values). Paths are relative. */
  readonly check?: (value: JsonObject) => readonly SchemaIssue[];
}

export interface ArraySchema {
  readonly kind: 'array';
  readonly items: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  /** Items whose key is equal are duplicates (undefined keys are never compared). */
  readonly uniqueBy?: (item: JsonValue) => string | undefined;
  readonly uniqueWhat?: string;
}

export interface MapSchema {
  readonly kind: 'map';
  readonly values: Schema;
  readonly keyPattern?: RegExp;
  readonly maxProperties?: number;
}

/** Anything; used for fields meshgate accepts but ignores (and reports as warnings later). */
export interface AnySchema {
  readonly kind: 'any';
}

export type Schema = StringSchema | IntegerSchema | NumberSchema | BooleanSchema | ObjectSchema | ArraySchema | MapSchema | AnySchema;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "spec" + "rules" → "spec.rules"; "spec.rules" + "[0]" → "spec.rules[0]". */
export function joinPath(base: string, rel: string): string {
  if (rel === '') return base;
  if (base === '') return rel.startsWith('.') ? rel.slice(1) : rel;
  return rel.startsWith('[') ? base + rel : `${base}.${rel}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)}`;
  return `${typeof value} ${String(value)}`;
}

const KIND_NAMES: Record<Schema['kind'], string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'a list',
  map: 'an object (map)',
  any: 'a value',
};

/** Check `value` against `schema`; issues carry paths joined onto `path`. */
export function checkSchema(schema: Schema, value: unknown, path: string): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  visit(schema, value, path, issues);
  return issues;
}

function visit(schema: Schema, value: unknown, path: string, issues: SchemaIssue[]): void {
  switch (schema.kind) {
    case 'any':
      return;
    case 'string':
      return visitString(schema, value, path, issues);
    case 'integer':
    case 'number':
      return visitNumber(schema, value, path, issues);
    case 'boolean':
      if (typeof value !== 'boolean') issues.push({ path, reason: `expected ${KIND_NAMES.boolean}, got ${describe(value)}` });
      return;
    case 'object':
      return visitObject(schema, value, path, issues);
    case 'array':
      return visitArray(schema, value, path, issues);
    case 'map':
      return visitMap(schema, value, path, issues);
  }
}

function visitString(schema: StringSchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (typeof value !== 'string') {
    issues.push({ path, reason: `expected ${KIND_NAMES.string}, got ${describe(value)}` });
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    issues.push({ path, reason: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')} (got ${JSON.stringify(value)})` });
    return;
  }
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    issues.push({ path, reason: schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long` });
    return;
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    issues.push({ path, reason: `must be at most ${schema.maxLength} characters long (got ${value.length})` });
    return;
  }
  if (schema.pattern && !schema.pattern.test(value)) {
    issues.push({ path, reason: `${JSON.stringify(value)} is not ${schema.patternHint ?? `matching ${schema.pattern.source}`}` });
    return;
  }
  const reason = schema.check?.(value);
  if (reason !== undefined) issues.push({ path, reason });
}

function visitNumber(schema: IntegerSchema | NumberSchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || (schema.kind === 'integer' && !Number.isInteger(value))) {
    issues.push({ path, reason: `expected ${KIND_NAMES[schema.kind]}, got ${describe(value)}` });
    return;
  }
  if (schema.kind === 'integer' && schema.enum && !schema.enum.includes(value)) {
    issues.push({ path, reason: `must be one of ${schema.enum.join(', ')} (got ${value})` });
    return;
  }
  if (schema.minimum !== undefined && value < schema.minimum) issues.push({ path, reason: `must be at least ${schema.minimum} (got ${value})` });
  else if (schema.maximum !== undefined && value > schema.maximum) issues.push({ path, reason: `must be at most ${schema.maximum} (got ${value})` });
}

function visitObject(schema: ObjectSchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (!isJsonObject(value)) {
    issues.push({ path, reason: `expected ${KIND_NAMES.object}, got ${describe(value)}` });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schema.properties[key];
    const childPath = joinPath(path, key);
    if (!childSchema) {
      issues.push({ path: childPath, reason: `unknown field "${key}" (known fields: ${Object.keys(schema.properties).join(', ') || 'none'})` });
      continue;
    }
    // YAML "key:" with nothing after it is null; treat an explicit null like an absent optional field.
    if (child === null && !schema.required?.includes(key)) continue;
    visit(childSchema, child, childPath, issues);
  }
  for (const key of schema.required ?? []) {
    if (value[key] === undefined || value[key] === null) issues.push({ path: joinPath(path, key), reason: 'required field is missing' });
  }
  const present = (keys: readonly string[]): string[] => keys.filter((k) => value[k] !== undefined && value[k] !== null);
  if (schema.exactlyOneOf) {
    const set = present(schema.exactlyOneOf);
    if (set.length !== 1) {
      issues.push({ path, reason: `exactly one of ${schema.exactlyOneOf.join(', ')} must be set (${set.length === 0 ? 'none is' : set.join(' and ') + ' are'})` });
    }
  }
  if (schema.atMostOneOf) {
    const set = present(schema.atMostOneOf);
    if (set.length > 1) issues.push({ path, reason: `only one of ${schema.atMostOneOf.join(', ')} may be set (${set.join(' and ')} are)` });
  }
  // Checks read fields defensively, so they run even when a field is wrong: one pass reports all.
  if (schema.check) {
    for (const issue of schema.check(value)) issues.push({ path: joinPath(path, issue.path), reason: issue.reason });
  }
}

function visitArray(schema: ArraySchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (!Array.isArray(value)) {
    issues.push({ path, reason: `expected ${KIND_NAMES.array}, got ${describe(value)}` });
    return;
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    issues.push({ path, reason: schema.minItems === 1 ? 'must have at least one entry' : `must have at least ${schema.minItems} entries` });
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    issues.push({ path, reason: `must have at most ${schema.maxItems} entries (got ${value.length})` });
  }
  value.forEach((item: JsonValue, i) => visit(schema.items, item, `${path}[${i}]`, issues));
  if (schema.uniqueBy) {
    const seen = new Map<string, number>();
    value.forEach((item: JsonValue, i) => {
      const key = schema.uniqueBy!(item);
      if (key === undefined) return;
      const first = seen.get(key);
      if (first !== undefined) issues.push({ path: `${path}[${i}]`, reason: `duplicate ${schema.uniqueWhat ?? 'entry'} ${JSON.stringify(key)} (also at [${first}])` });
      else seen.set(key, i);
    });
  }
}

function visitMap(schema: MapSchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (!isJsonObject(value)) {
    issues.push({ path, reason: `expected ${KIND_NAMES.map}, got ${describe(value)}` });
    return;
  }
  const entries = Object.entries(value);
  if (schema.maxProperties !== undefined && entries.length > schema.maxProperties) {
    issues.push({ path, reason: `must have at most ${schema.maxProperties} entries (got ${entries.length})` });
  }
  for (const [key, child] of entries) {
    const childPath = joinPath(path, key.includes('.') || key.includes('/') ? `[${JSON.stringify(key)}]` : key);
    if (schema.keyPattern && !schema.keyPattern.test(key)) issues.push({ path: childPath, reason: `key ${JSON.stringify(key)} is not valid (must match ${schema.keyPattern.source})` });
    visit(schema.values, child, childPath, issues);
  }
}

// ---- builders: keep the per-kind schema files short and readable ----

export function str(options: Omit<StringSchema, 'kind'> = {}): StringSchema {
  return { kind: 'string', ...options };
}
export function int(minimum?: number, maximum?: number): IntegerSchema {
  return { kind: 'integer', ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}) };
}
export function num(minimum?: number, maximum?: number): NumberSchema {
  return { kind: 'number', ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}) };
}
export const bool: BooleanSchema = { kind: 'boolean' };
export const anything: AnySchema = { kind: 'any' };
export function obj(properties: Record<string, Schema>, options: Omit<ObjectSchema, 'kind' | 'properties'> = {}): ObjectSchema {
  return { kind: 'object', properties, ...options };
}
export function arr(items: Schema, options: Omit<ArraySchema, 'kind' | 'items'> = {}): ArraySchema {
  return { kind: 'array', items, ...options };
}
export function map(values: Schema, options: Omit<MapSchema, 'kind' | 'values'> = {}): MapSchema {
  return { kind: 'map', values, ...options };
}
export function oneOfStrings(...values: string[]): StringSchema {
  return { kind: 'string', enum: values };
}
