// Text (YAML, multi-document, or JSON: one object, an array, or a Kubernetes List) → input documents.
// Only the envelope is checked here (apiVersion, kind, metadata.name, namespace default); what a
// kind's spec may hold is the translators' business. A Kong declarative file (no apiVersion/kind,
// a `_format_version`) is wrapped whole as the KongConfiguration default/kong.
import yaml from 'js-yaml';
import type { JsonObject, JsonValue } from '../envoy/resource';
import type { DocumentError, InputDocument } from './types';

export const DEFAULT_NAMESPACE = 'default';

/** A Kong declarative file (as decK writes it) is carried in this envelope: the whole file is the spec. */
export const KONG_CONFIGURATION_KIND = 'KongConfiguration';
export const KONG_CONFIGURATION_API_VERSION = 'meshgate.io/v1alpha1';
/** Name and namespace of the envelope a bare Kong file gets (write the envelope yourself for others). */
export const KONG_DEFAULT_NAME = 'kong';

/**
 * A bare Kong declarative file (a `_format_version` and no apiVersion/kind) wrapped as the input
 * document meshgate stores and translates; anything else is returned as it is.
 */
export function wrapKongFile(value: JsonValue): JsonValue {
  if (!isObject(value) || value['_format_version'] === undefined || value['apiVersion'] !== undefined || value['kind'] !== undefined) return value;
  return { apiVersion: KONG_CONFIGURATION_API_VERSION, kind: KONG_CONFIGURATION_KIND, metadata: { name: KONG_DEFAULT_NAME, namespace: DEFAULT_NAMESPACE }, spec: value };
}

export interface ParsedDocuments {
  readonly documents: InputDocument[];
  readonly errors: DocumentError[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Split text into raw values: YAML documents (JSON is YAML too) with empty documents dropped. */
export function parseRawDocuments(text: string): { values: JsonValue[]; errors: DocumentError[] } {
  try {
    const values = yaml.loadAll(text, undefined, { schema: yaml.JSON_SCHEMA }).filter((v) => v !== null && v !== undefined) as JsonValue[];
    const flattened: JsonValue[] = [];
    for (const value of values) {
      if (Array.isArray(value)) flattened.push(...value);
      else if (isObject(value) && value['kind'] === 'List' && Array.isArray(value['items'])) flattened.push(...value['items']);
      else flattened.push(value);
    }
    return { values: flattened, errors: [] };
  } catch (err) {
    const e = err as { mark?: { line: number; column: number }; reason?: string; message: string };
    const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    return { values: [], errors: [{ path: where, reason: `malformed YAML/JSON: ${e.reason ?? e.message}` }] };
  }
}

/** Check the Kubernetes envelope of one raw value and fill defaults (namespace "default"). */
export function toInputDocument(raw: JsonValue, index: number): { document?: InputDocument; errors: DocumentError[] } {
  const errors: DocumentError[] = [];
  const value = wrapKongFile(raw);
  const fail = (path: string, reason: string): { errors: DocumentError[] } => ({ errors: [...errors, { index, path, reason }] });
  if (!isObject(value)) return fail('', 'a document must be an object with apiVersion, kind, metadata and spec');
  const { apiVersion, kind, metadata, spec } = value;
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail('apiVersion', 'required string');
  if (typeof kind !== 'string' || kind === '') return fail('kind', 'required string');
  if (!isObject(metadata)) return fail('metadata', 'required object with at least a name');
  const { name, namespace } = metadata;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
    return fail('metadata.name', 'required: lower-case letters, digits, "-" and "." (a Kubernetes object name)');
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))) {
    return fail('metadata.namespace', 'must be a Kubernetes namespace name');
  }
  const created = metadata['creationTimestamp'];
  if (created !== undefined && (typeof created !== 'string' || Number.isNaN(Date.parse(created)))) {
    return fail('metadata.creationTimestamp', 'must be an RFC 3339 timestamp, e.g. "2024-01-01T00:00:00Z"');
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined) continue;
    if (!isObject(map) || Object.values(map).some((v) => typeof v !== 'string')) return fail(`metadata.${field}`, 'must map strings to strings');
  }
  if (spec !== undefined && !isObject(spec)) return fail('spec', 'must be an object');
  const extra = Object.keys(value).filter((k) => !['apiVersion', 'kind', 'metadata', 'spec', 'status', 'data', 'stringData', 'type'].includes(k));
  if (extra.length > 0) return fail(extra[0]!, `unknown top-level field "${extra[0]}"`);
  const document: InputDocument = {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: typeof namespace === 'string' ? namespace : DEFAULT_NAMESPACE,
      ...(isObject(metadata['labels']) ? { labels: metadata['labels'] as Record<string, string> } : {}),
      ...(isObject(metadata['annotations']) ? { annotations: metadata['annotations'] as Record<string, string> } : {}),
      ...(typeof metadata['creationTimestamp'] === 'string' ? { creationTimestamp: metadata['creationTimestamp'] } : {}),
    },
    // Core Secrets keep their payload outside spec; carry it inside spec so every kind has one shape.
    spec: isObject(spec) ? spec : secretPayload(value),
  };
  return { document, errors };
}

function secretPayload(value: JsonObject): JsonObject {
  const payload: JsonObject = {};
  for (const key of ['type', 'data', 'stringData'] as const) if (value[key] !== undefined) payload[key] = value[key]!;
  return payload;
}

/** Parse a whole submission; every document is checked and every error reported, none half-taken. */
export function parseDocuments(text: string): ParsedDocuments {
  const raw = parseRawDocuments(text);
  if (raw.errors.length > 0) return { documents: [], errors: raw.errors };
  const documents: InputDocument[] = [];
  const errors: DocumentError[] = [];
  raw.values.forEach((value, index) => {
    const result = toInputDocument(value, index);
    if (result.document) documents.push(result.document);
    errors.push(...result.errors);
  });
  return { documents, errors };
}
