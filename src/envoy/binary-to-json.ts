// Protobuf binary → Envoy canonical JSON, as Envoy's config_dump prints it: proto field names,
// default values left out, enums by name, 64-bit integers as decimal strings, bytes as base64,
// Durations and Timestamps as strings, wrappers as plain values, an Any as {"@type", ...fields}.
import protobuf from 'protobufjs';
import type { JsonObject, JsonValue } from './resource';
import { envoyApi } from './api';
import { CodecError } from './codec-error';
import { messageNameOf } from './type-urls';
import { formatDuration, formatTimestamp } from './well-known-json';
import { hasSpecialJson, tracksPresence, valueFieldNames } from './json-to-binary';

type Decoded = { [field: string]: unknown };

export function decodeBinaryMessage(type: protobuf.Type, bytes: Uint8Array, path: string): JsonValue {
  let message: Decoded;
  try {
    message = type.decode(bytes) as unknown as Decoded;
  } catch (err) {
    throw new CodecError(path, `cannot decode ${type.fullName.slice(1)}: ${(err as Error).message}`);
  }
  return messageToJson(type, message, path);
}

function messageToJson(type: protobuf.Type, message: Decoded, path: string): JsonValue {
  const special = wellKnownToJson(type, message, path);
  if (special !== undefined) return special;
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const value = message[field.name];
    if (value === null || value === undefined) continue;
    const fieldPath = path ? `${path}.${field.name}` : field.name;
    if (field.map) {
      const entries = value as Record<string, unknown>;
      const keys = Object.keys(entries).sort();
      if (keys.length === 0) continue;
      const map: JsonObject = {};
      for (const key of keys) map[key] = singleToJson(field, entries[key], `${fieldPath}[${JSON.stringify(key)}]`);
      out[field.name] = map;
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      out[field.name] = items.map((item, i) => singleToJson(field, item, `${fieldPath}[${i}]`));
    } else {
      if (!tracksPresence(field) && isDefaultScalar(value)) continue;
      out[field.name] = singleToJson(field, value, fieldPath);
    }
  }
  return out;
}

/** proto3 leaves out scalars that hold their default value (protobufjs decodes 64-bit zero as a Long). */
function isDefaultScalar(value: unknown): boolean {
  if (value === 0 || value === false || value === '') return true;
  if (value instanceof Uint8Array) return value.length === 0;
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const long = value as LongLike;
    return long.low === 0 && long.high === 0;
  }
  return false;
}

function singleToJson(field: protobuf.Field, value: unknown, path: string): JsonValue {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, value as Decoded, path);
  if (resolved instanceof protobuf.Enum) {
    const n = Number(value);
    return resolved.valuesById[n] ?? n;
  }
  return scalarToJson(field.type, value);
}

function scalarToJson(kind: string, value: unknown): JsonValue {
  switch (kind) {
    case 'int64':
    case 'sint64':
    case 'sfixed64':
    case 'uint64':
    case 'fixed64':
      return longToString(value, kind === 'uint64' || kind === 'fixed64');
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'double':
    case 'float': {
      const n = value as number;
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'Infinity';
      if (n === -Infinity) return '-Infinity';
      return n;
    }
    default:
      return value as JsonValue;
  }
}

interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

function longToString(value: unknown, unsigned: boolean): string {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint') return String(value);
  const long = value as LongLike;
  const big = (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
  if (unsigned) return big.toString();
  return BigInt.asIntN(64, big).toString();
}

function longToNumber(value: unknown): number {
  return Number(longToString(value, false));
}

const WRAPPERS = new Set([
  '.google.protobuf.DoubleValue',
  '.google.protobuf.FloatValue',
  '.google.protobuf.Int64Value',
  '.google.protobuf.UInt64Value',
  '.google.protobuf.Int32Value',
  '.google.protobuf.UInt32Value',
  '.google.protobuf.BoolValue',
  '.google.protobuf.StringValue',
  '.google.protobuf.BytesValue',
]);

function wellKnownToJson(type: protobuf.Type, message: Decoded, path: string): JsonValue | undefined {
  const name = type.fullName;
  if (WRAPPERS.has(name)) {
    const field = type.fields['value']!;
    const raw = message['value'];
    if (raw === undefined || raw === null) return scalarToJson(field.type, defaultFor(field.type));
    return scalarToJson(field.type, raw);
  }
  switch (name) {
    case '.google.protobuf.Any':
      return anyToJson(message, path);
    case '.google.protobuf.Duration':
      return formatDuration({ seconds: longToNumber(message['seconds'] ?? 0), nanos: Number(message['nanos'] ?? 0) });
    case '.google.protobuf.Timestamp':
      return formatTimestamp({ seconds: longToNumber(message['seconds'] ?? 0), nanos: Number(message['nanos'] ?? 0) });
    case '.google.protobuf.Struct':
      return structToJson(message);
    case '.google.protobuf.Value':
      return valueToJson(message);
    case '.google.protobuf.ListValue':
      return ((message['values'] as Decoded[] | undefined) ?? []).map(valueToJson);
    case '.google.protobuf.FieldMask':
      return ((message['paths'] as string[] | undefined) ?? []).join(',');
    default:
      return undefined;
  }
}

function defaultFor(kind: string): unknown {
  if (kind === 'bool') return false;
  if (kind === 'string') return '';
  if (kind === 'bytes') return new Uint8Array();
  return 0;
}

function structToJson(message: Decoded): JsonObject {
  const fields = (message['fields'] as Record<string, Decoded> | undefined) ?? {};
  const out: JsonObject = {};
  for (const key of Object.keys(fields).sort()) out[key] = valueToJson(fields[key]!);
  return out;
}

function valueToJson(message: Decoded): JsonValue {
  // protobufjs puts defaults on the prototype: only own properties say which member is set.
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(message, key) && message[key] != null;
  const f = valueFieldNames();
  if (has(f.struct)) return structToJson(message[f.struct] as Decoded);
  if (has(f.list)) return (((message[f.list] as Decoded)['values'] as Decoded[] | undefined) ?? []).map(valueToJson);
  if (has(f.string)) return message[f.string] as string;
  if (has(f.number)) return message[f.number] as number;
  if (has(f.bool)) return message[f.bool] as boolean;
  return null;
}

function anyToJson(message: Decoded, path: string): JsonValue {
  const typeUrl = String(message['type_url'] ?? '');
  const inner = envoyApi().findMessageType(messageNameOf(typeUrl));
  if (!inner) throw new CodecError(path, `cannot show an Any of unknown type "${typeUrl}"`);
  const value = (message['value'] as Uint8Array | undefined) ?? new Uint8Array();
  const json = decodeBinaryMessage(inner, value, path);
  if (hasSpecialJson(inner)) return { '@type': typeUrl, value: json };
  return { '@type': typeUrl, ...(json as JsonObject) };
}
