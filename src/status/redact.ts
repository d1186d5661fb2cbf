// Redaction of secrets before a resource is shown to anyone, as Envoy's own config_dump does: every
// field the Envoy API marks `(udpa.annotations.sensitive) = true` (private keys, key passwords,
// PKCS#12 blobs, session ticket keys, generic secret values, private key provider configs, ...)
// keeps its shape but every string in it becomes "[redacted]". This covers Secrets and equally
// inline keys inside Listener or Cluster transport sockets (reached through typed_config Anys).
import protobuf from 'protobufjs';
import type { JsonObject, JsonValue } from '../envoy/resource';
import { envoyApi } from '../envoy/api';
import { messageNameOf } from '../envoy/type-urls';

export const REDACTED = '[redacted]';
/** "[redacted]" as a protobuf bytes value in JSON (base64), for output that must re-encode. */
export const REDACTED_BYTES_BASE64 = Buffer.from(REDACTED).toString('base64');

export interface RedactOptions {
  /** What a redacted bytes field holds in the JSON: "[redacted]" (default) or valid base64. */
  readonly bytesPlaceholder?: string;
}

export interface Redacted {
  readonly json: JsonObject;
  /** True when something was replaced (the input is returned untouched otherwise). */
  readonly changed: boolean;
}

const SENSITIVE = '(udpa.annotations.sensitive)';
const WELL_KNOWN = /^\.google\.protobuf\./;

function isSensitive(field: protobuf.Field): boolean {
  return field.options?.[SENSITIVE] === true;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Redacts a resource given as canonical JSON (without "@type") of the message named by typeUrl. */
export function redactResource(typeUrl: string, json: JsonObject, options: RedactOptions = {}): Redacted {
  const type = envoyApi().findMessageType(messageNameOf(typeUrl));
  if (!type) return { json, changed: false };
  const walker = new Walker(options.bytesPlaceholder ?? REDACTED);
  const out = walker.message(type, json, false);
  return { json: isObject(out) ? out : json, changed: walker.changed };
}

class Walker {
  changed = false;

  constructor(private readonly bytesPlaceholder: string) {}

  /** A message value; returns the same object when nothing inside changed. */
  message(type: protobuf.Type, value: JsonValue, sensitive: boolean): JsonValue {
    if (type.fullName === '.google.protobuf.Any') return this.any(value, sensitive);
    if (WELL_KNOWN.test(type.fullName)) return sensitive ? this.everything(value, type.fullName === '.google.protobuf.BytesValue') : value;
    if (!isObject(value)) return sensitive ? this.everything(value, false) : value;
    let out: JsonObject | undefined;
    for (const [key, fieldValue] of Object.entries(value)) {
      const field = type.fields[key];
      let next: JsonValue;
      if (!field) next = sensitive ? this.everything(fieldValue, false) : fieldValue;
      else next = this.field(field, fieldValue, sensitive || isSensitive(field));
      if (next !== fieldValue) {
        out ??= { ...value };
        out[key] = next;
      }
    }
    return out ?? value;
  }

  private field(field: protobuf.Field, value: JsonValue, sensitive: boolean): JsonValue {
    field.resolve();
    if (field.map && isObject(value)) return this.mapEach(value, (v) => this.single(field, v, sensitive));
    if (field.repeated && Array.isArray(value)) return this.arrayEach(value, (v) => this.single(field, v, sensitive));
    return this.single(field, value, sensitive);
  }

  private single(field: protobuf.Field, value: JsonValue, sensitive: boolean): JsonValue {
    if (field.resolvedType instanceof protobuf.Type) return this.message(field.resolvedType, value, sensitive);
    if (!sensitive || field.resolvedType instanceof protobuf.Enum) return value;
    if (field.type === 'bytes') return this.replace(value, this.bytesPlaceholder);
    if (field.type === 'string') return this.replace(value, REDACTED);
    return value; // numbers and booleans carry no secret material
  }

  /** An Any: walk the packed message by its "@type" so annotated fields inside are found. */
  private any(value: JsonValue, sensitive: boolean): JsonValue {
    if (!isObject(value) || typeof value['@type'] !== 'string') return sensitive ? this.everything(value, false) : value;
    const inner = envoyApi().findMessageType(messageNameOf(value['@type']));
    const { '@type': typeUrl, ...fields } = value;
    let walked: JsonValue;
    if (!inner) {
      walked = sensitive ? this.everything(fields, false) : fields;
    } else if (WELL_KNOWN.test(inner.fullName) && 'value' in fields) {
      const packed = this.message(inner, fields['value']!, sensitive);
      walked = packed === fields['value'] ? fields : { ...fields, value: packed };
    } else {
      walked = this.message(inner, fields, sensitive);
    }
    if (walked === fields) return value;
    return { '@type': typeUrl!, ...(walked as JsonObject) };
  }

  /** Inside a sensitive field whose structure we do not know: every string goes. */
  private everything(value: JsonValue, bytes: boolean): JsonValue {
    if (typeof value === 'string') return this.replace(value, bytes ? this.bytesPlaceholder : REDACTED);
    if (Array.isArray(value)) return this.arrayEach(value, (v) => this.everything(v, bytes));
    if (isObject(value)) return this.mapEach(value, (v, k) => (k === '@type' ? v : this.everything(v, bytes)));
    return value;
  }

  private replace(value: JsonValue, placeholder: string): JsonValue {
    if (typeof value !== 'string' || value === placeholder) return value;
    this.changed = true;
    return placeholder;
  }

  private arrayEach(items: JsonValue[], fn: (v: JsonValue) => JsonValue): JsonValue[] {
    let out: JsonValue[] | undefined;
    items.forEach((item, i) => {
      const next = fn(item);
      if (next !== item) {
        out ??= [...items];
        out[i] = next;
      }
    });
    return out ?? items;
  }

  private mapEach(obj: JsonObject, fn: (v: JsonValue, key: string) => JsonValue): JsonObject {
    let out: JsonObject | undefined;
    for (const [key, item] of Object.entries(obj)) {
      const next = fn(item, key);
      if (next !== item) {
        out ??= { ...obj };
        out[key] = next;
      }
    }
    return out ?? obj;
  }
}
