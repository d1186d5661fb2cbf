// Envoy canonical JSON → protobuf binary, walking the reflection types of the loaded Envoy API.
//
// Why not protobufjs' own fromObject: it silently drops unknown fields, knows nothing of the proto3
// JSON forms of the well-known types (Duration "1s", wrappers as plain values, Struct, Any with
// "@type"), and writes default scalar values, so two equal configs could encode differently.
// Here every unknown field or wrong-typed value is an error with a field path, defaults are left
// out, and map entries are written in sorted key order: equal configs give equal bytes, which is
// what resource versions are hashed from.
import protobuf from 'protobufjs';
import type { JsonObject, JsonValue } from './resource';
import { envoyApi } from './api';
import { CodecError } from './codec-error';
import { messageNameOf } from './type-urls';
import { parseDuration, parseTimestamp } from './well-known-json';

type ProtoObject = { [field: string]: unknown };

/** Encode a message given in canonical JSON. */
export function encodeJsonMessage(type: protobuf.Type, json: JsonValue, path: string): Uint8Array {
  return type.encode(toProtoObject(type, json, path)).finish();
}

/** Encode a google.protobuf.Any whose packed message is given as {"@type": url, ...fields}. */
export function encodeJsonAny(json: JsonValue, path: string): Uint8Array {
  const any = envoyApi().messageType('google.protobuf.Any');
  return any.encode(anyToProtoObject(json, path)).finish();
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** proto name or lowerCamelCase json name → field. Cached per type. */
const fieldIndexCache = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();
function fieldIndex(type: protobuf.Type): Map<string, protobuf.Field> {
  let index = fieldIndexCache.get(type);
  if (!index) {
    index = new Map();
    for (const field of type.fieldsArray) {
      index.set(field.name, field);
      index.set(camelCase(field.name), field);
      const jsonName = field.options?.['json_name'];
      if (typeof jsonName === 'string') index.set(jsonName, field);
    }
    fieldIndexCache.set(type, index);
  }
  return index;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A field whose presence is tracked: it is written even when it holds its default value. */
export function tracksPresence(field: protobuf.Field): boolean {
  return Boolean(field.partOf) || field.resolvedType instanceof protobuf.Type;
}

function toProtoObject(type: protobuf.Type, json: JsonValue, path: string): ProtoObject {
  const special = wellKnownToProtoObject(type, json, path);
  if (special) return special;
  if (!isObject(json)) throw new CodecError(path, `expected an object for ${type.fullName.slice(1)}, got ${describe(json)}`);
  const out: ProtoObject = {};
  const index = fieldIndex(type);
  const setOneofs = new Map<string, string>();
  for (const key of Object.keys(json).sort()) {
    const value = json[key]!;
    const fieldPath = path ? `${path}.${key}` : key;
    if (key === '@type') throw new CodecError(fieldPath, '"@type" is only allowed inside a google.protobuf.Any');
    const field = index.get(key);
    if (!field) throw new CodecError(fieldPath, `unknown field "${key}" in ${type.fullName.slice(1)}`);
    if (value === null) continue; // JSON null means "not set"
    if (field.name in out) throw new CodecError(fieldPath, `field "${field.name}" given twice`);
    if (field.partOf && !field.partOf.name.startsWith('_')) {
      const other = setOneofs.get(field.partOf.name);
      if (other) throw new CodecError(fieldPath, `oneof "${field.partOf.name}" already set by "${other}"`);
      setOneofs.set(field.partOf.name, field.name);
    }
    const converted = fieldToProto(field, value, fieldPath);
    if (converted !== undefined) out[field.name] = converted;
  }
  return out;
}

function fieldToProto(field: protobuf.Field, value: JsonValue, path: string): unknown {
  field.resolve();
  if (field.map) {
    if (!isObject(value)) throw new CodecError(path, `expected an object (map), got ${describe(value)}`);
    const map: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entryPath = `${path}[${JSON.stringify(key)}]`;
      checkMapKey((field as unknown as protobuf.MapField).keyType, key, entryPath);
      map[key] = singleToProto(field, value[key]!, entryPath);
    }
    return map;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new CodecError(path, `expected a list, got ${describe(value)}`);
    if (value.length === 0) return undefined;
    return value.map((item, i) => singleToProto(field, item, `${path}[${i}]`));
  }
  const single = singleToProto(field, value, path);
  if (!tracksPresence(field) && isDefaultScalar(single, field.type)) return undefined;
  return single;
}

const INT64_KINDS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** The proto3 default of a scalar of this kind. "0" is the zero of a 64-bit integer only, never of a string. */
function isDefaultScalar(value: unknown, kind: string): boolean {
  if (value === 0 || value === false || value === '') return true;
  if (value === '0') return INT64_KINDS.has(kind);
  return value instanceof Uint8Array && value.length === 0;
}

function checkMapKey(keyType: string, key: string, path: string): void {
  if (keyType === 'string') return;
  if (keyType === 'bool' && (key === 'true' || key === 'false')) return;
  if (/^-?\d+$/.test(key)) return;
  throw new CodecError(path, `map key "${key}" is not a valid ${keyType}`);
}

function singleToProto(field: protobuf.Field, value: JsonValue, path: string): unknown {
  if (value === null) throw new CodecError(path, 'null is not allowed here');
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return toProtoObject(resolved, value, path);
  if (resolved instanceof protobuf.Enum) return enumToProto(resolved, value, path);
  return scalarToProto(field.type, value, path);
}

function enumToProto(type: protobuf.Enum, value: JsonValue, path: string): number {
  if (typeof value === 'string') {
    const n = type.values[value];
    if (n === undefined) throw new CodecError(path, `"${value}" is not a value of enum ${type.name} (${Object.keys(type.values).join(', ')})`);
    return n;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new CodecError(path, `expected an enum name of ${type.name}, got ${describe(value)}`);
}

const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32_TYPES = new Set(['uint32', 'fixed32']);
const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

function scalarToProto(kind: string, value: JsonValue, path: string): unknown {
  if (kind === 'string') {
    if (typeof value !== 'string') throw new CodecError(path, `expected a string, got ${describe(value)}`);
    return value;
  }
  if (kind === 'bool') {
    if (typeof value !== 'boolean') throw new CodecError(path, `expected true or false, got ${describe(value)}`);
    return value;
  }
  if (kind === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
      throw new CodecError(path, `expected base64 text, got ${describe(value)}`);
    }
    return new Uint8Array(Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64'));
  }
  if (kind === 'double' || kind === 'float') {
    if (typeof value === 'number') return value;
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
    throw new CodecError(path, `expected a number, got ${describe(value)}`);
  }
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^-?\d+$/.test(text)) throw new CodecError(path, `expected an integer, got ${describe(value)}`);
  const n = BigInt(text);
  const unsigned = UINT32_TYPES.has(kind) || kind === 'uint64' || kind === 'fixed64';
  const [min, max] = INT32_TYPES.has(kind)
    ? [-(2n ** 31n), 2n ** 31n - 1n]
    : UINT32_TYPES.has(kind)
      ? [0n, 2n ** 32n - 1n]
      : unsigned
        ? [0n, 2n ** 64n - 1n]
        : [-(2n ** 63n), 2n ** 63n - 1n];
  if (n < min || n > max) throw new CodecError(path, `${text} is out of range for ${kind}`);
  if (INT64_TYPES.has(kind)) return n.toString(); // protobufjs writes 64-bit values from decimal text exactly
  return Number(n);
}

// ---- well-known types ------------------------------------------------------------------------

const WRAPPER_KINDS: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};

/** The proto object for a well-known type written in its special JSON form, or undefined for other types. */
function wellKnownToProtoObject(type: protobuf.Type, json: JsonValue, path: string): ProtoObject | undefined {
  const name = type.fullName;
  const wrapped = WRAPPER_KINDS[name];
  if (wrapped) {
    const inner = scalarToProto(wrapped, json, path);
    return isDefaultScalar(inner, wrapped) ? {} : { value: inner };
  }
  switch (name) {
    case '.google.protobuf.Any':
      return anyToProtoObject(json, path);
    case '.google.protobuf.Duration': {
      const d = typeof json === 'string' ? parseDuration(json) : undefined;
      if (!d) throw new CodecError(path, `expected a duration such as "1.5s", got ${describe(json)}`);
      return secondsNanos(d.seconds, d.nanos);
    }
    case '.google.protobuf.Timestamp': {
      const t = typeof json === 'string' ? parseTimestamp(json) : undefined;
      if (!t) throw new CodecError(path, `expected an RFC 3339 timestamp, got ${describe(json)}`);
      return secondsNanos(t.seconds, t.nanos);
    }
    case '.google.protobuf.Struct':
      if (!isObject(json)) throw new CodecError(path, `expected an object, got ${describe(json)}`);
      return structToProto(json);
    case '.google.protobuf.Value':
      return valueToProto(json);
    case '.google.protobuf.ListValue':
      if (!Array.isArray(json)) throw new CodecError(path, `expected a list, got ${describe(json)}`);
      return { values: json.map(valueToProto) };
    case '.google.protobuf.FieldMask':
      if (typeof json !== 'string') throw new CodecError(path, `expected a field mask string, got ${describe(json)}`);
      return { paths: json === '' ? [] : json.split(',').map((p) => p.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())) };
    case '.google.protobuf.Empty':
      if (!isObject(json) || Object.keys(json).length > 0) throw new CodecError(path, 'expected {}');
      return {};
    default:
      return undefined;
  }
}

function secondsNanos(seconds: number, nanos: number): ProtoObject {
  const out: ProtoObject = {};
  if (seconds !== 0) out['seconds'] = String(seconds);
  if (nanos !== 0) out['nanos'] = nanos;
  return out;
}

function structToProto(json: JsonObject): ProtoObject {
  const fields: Record<string, ProtoObject> = {};
  for (const key of Object.keys(json).sort()) fields[key] = valueToProto(json[key]!);
  return { fields };
}

function valueToProto(json: JsonValue): ProtoObject {
  const f = valueFieldNames();
  if (json === null) return { [f.null]: 0 };
  if (typeof json === 'number') return { [f.number]: json };
  if (typeof json === 'string') return { [f.string]: json };
  if (typeof json === 'boolean') return { [f.bool]: json };
  if (Array.isArray(json)) return { [f.list]: { values: json.map(valueToProto) } };
  return { [f.struct]: structToProto(json) };
}

/**
 * google.protobuf.Value's field names. protobufjs defines the well-known types itself, in
 * lowerCamelCase whatever keepCase says, so the names are looked up by field number.
 */
export function valueFieldNames(): { null: string; number: string; string: string; bool: string; struct: string; list: string } {
  const type = envoyApi().messageType('google.protobuf.Value');
  const byId = (id: number): string => type.fieldsById[id]!.name;
  return { null: byId(1), number: byId(2), string: byId(3), bool: byId(4), struct: byId(5), list: byId(6) };
}

/** Types whose JSON form inside an Any is {"@type": ..., "value": <special form>}. Empty is an ordinary {}. */
export function hasSpecialJson(type: protobuf.Type): boolean {
  return type.fullName in WRAPPER_KINDS || /^\.google\.protobuf\.(Any|Duration|Timestamp|Struct|Value|ListValue|FieldMask)$/.test(type.fullName);
}

function anyToProtoObject(json: JsonValue, path: string): ProtoObject {
  if (!isObject(json)) throw new CodecError(path, `expected an object with "@type", got ${describe(json)}`);
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string' || typeUrl === '') throw new CodecError(`${path ? path + '.' : ''}@type`, 'an Any needs "@type"');
  const inner = envoyApi().findMessageType(messageNameOf(typeUrl));
  if (!inner) throw new CodecError(`${path ? path + '.' : ''}@type`, `unknown type "${typeUrl}"`);
  const { '@type': _drop, ...fields } = json;
  let value: Uint8Array;
  if (hasSpecialJson(inner)) {
    if (!('value' in fields)) throw new CodecError(path, `an Any of ${inner.name} carries its value in "value"`);
    value = encodeJsonMessage(inner, fields['value']!, path ? `${path}.value` : 'value');
  } else {
    value = encodeJsonMessage(inner, fields, path);
  }
  return { type_url: typeUrl, value };
}
