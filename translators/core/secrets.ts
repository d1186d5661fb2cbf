// Core Kubernetes Secrets (v1): values come from stringData (plain) or data (base64), as kubectl
// merges them. The Secret fields may sit at the top level (Kubernetes shape) or under `spec`
// (how some tools normalise every document); both are read.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { isJsonObject } from '../schema';
import { getString, getStringMap } from './json';

/** The Secret's own fields (type, data, stringData), wherever the document carries them. */
export function secretBody(doc: unknown): JsonObject {
  const top = isJsonObject(doc) ? doc : {};
  const spec = isJsonObject(top['spec']) ? top['spec'] : {};
  const pick = (key: string): JsonObject | string | undefined => {
    const v = top[key] ?? spec[key];
    return isJsonObject(v) || typeof v === 'string' ? v : undefined;
  };
  const out: JsonObject = {};
  for (const key of ['type', 'data', 'stringData']) {
    const v = pick(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export function secretType(doc: InputDocument): string {
  return getString(secretBody(doc), 'type') ?? 'Opaque';
}

/** A Secret value as text; undefined when the key is absent. */
export function secretValue(doc: InputDocument, key: string): string | undefined {
  const body = secretBody(doc);
  const plain = getStringMap(body, 'stringData')[key];
  if (plain !== undefined) return plain;
  const encoded = getStringMap(body, 'data')[key];
  return encoded === undefined ? undefined : Buffer.from(encoded.replace(/\s+/g, ''), 'base64').toString('utf8');
}

export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
