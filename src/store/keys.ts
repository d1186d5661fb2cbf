// Identity and canonical order of stored documents. The order is fixed (kind, namespace, name by
// UTF-16 code units, never locale-dependent) so that a restart hands the translators the same
// sequence of documents and they produce byte-identical resources and versions.
import type { JsonObject, JsonValue } from '../envoy/resource';
import { stableStringify } from '../cache/stable-json';
import { StoreInputError } from './errors';
import type { DocumentRef, StoredDocument } from './types';

/** A map key for a document; JSON-encoded so no separator can make two refs collide. */
export function documentKey(ref: DocumentRef): string {
  return JSON.stringify([ref.kind, ref.namespace, ref.name]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRefs(a: DocumentRef, b: DocumentRef): number {
  return compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

export function sortDocuments(docs: StoredDocument[]): StoredDocument[] {
  return docs.sort((a, b) => compareRefs(a.key, b.key));
}

/** Checks a ref supplied by a caller and returns a plain copy (no extra fields reach the disk). */
export function checkedRef(ref: unknown, where: string): DocumentRef {
  if (typeof ref !== 'object' || ref === null) throw new StoreInputError(`${where}: the document key must be an object`);
  const { kind, namespace, name } = ref as Record<string, unknown>;
  if (typeof kind !== 'string' || kind === '') throw new StoreInputError(`${where}: kind must be a non-empty string`);
  if (typeof namespace !== 'string') throw new StoreInputError(`${where}: namespace must be a string ("" for cluster-scoped kinds)`);
  if (typeof name !== 'string' || name === '') throw new StoreInputError(`${where}: name must be a non-empty string`);
  return { kind, namespace, name };
}

function deepFreeze(value: JsonValue): void {
  if (value === null || typeof value !== 'object') return;
  Object.freeze(value);
  if (Array.isArray(value)) for (const item of value) deepFreeze(item);
  else for (const key of Object.keys(value)) deepFreeze(value[key]!);
}

/**
 * Copies a body the way a restart would see it (a JSON round trip drops undefined fields and
 * normalises -0), then freezes it: the store hands out shared objects, and nobody may mutate
 * accepted state behind its back.
 */
export function canonicalBody(body: unknown, where: string): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StoreInputError(`${where}: the document body must be a JSON object`);
  }
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(body));
  } catch (err) {
    throw new StoreInputError(`${where}: the document body is not serialisable as JSON: ${(err as Error).message}`);
  }
  const frozen = copy as JsonObject;
  deepFreeze(frozen);
  return frozen;
}

/** Adopts a body freshly parsed from a record (already canonical JSON): check and freeze only. */
export function adoptParsedBody(body: unknown, where: string): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StoreInputError(`${where}: the document body must be a JSON object`);
  }
  const parsed = body as JsonObject;
  deepFreeze(parsed);
  return parsed;
}

/** Deep equality of two bodies, insensitive to object key order (JSON objects are unordered). */
export function sameBody(a: JsonObject, b: JsonObject): boolean {
  return a === b || stableStringify(a) === stableStringify(b);
}
