// Bridges between Kubernetes-style input documents and the store's generic form. The stored body
// is the whole document (apiVersion, kind, metadata, spec), so reading it back yields exactly
// what was accepted.
import type { JsonObject } from '../envoy/resource';
import { qualifiedKind, type InputDocument } from '../documents/types';
import { StoreInputError } from './errors';
import type { StoredDocument } from './types';

export function storedDocumentOf(doc: InputDocument): StoredDocument {
  // InputDocument is JSON by construction (it was parsed from YAML/JSON); the store copies it.
  // Keyed by the group-qualified kind: an Istio Gateway and a Gateway API Gateway may share a name.
  return { key: { kind: qualifiedKind(doc), namespace: doc.metadata.namespace, name: doc.metadata.name }, body: doc as unknown as JsonObject };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a stored body back as an InputDocument, checking the envelope matches the key. */
export function inputDocumentOf(stored: StoredDocument): InputDocument {
  const { body, key } = stored;
  const metadata = body.metadata;
  if (typeof body.apiVersion !== 'string' || typeof body.kind !== 'string' || !isObject(metadata) || !isObject(body.spec)) {
    throw new StoreInputError(`${key.kind} ${key.namespace}/${key.name} is not a Kubernetes-style document (apiVersion, kind, metadata, spec)`);
  }
  if (qualifiedKind({ apiVersion: body.apiVersion, kind: body.kind }) !== key.kind || metadata.name !== key.name || (metadata.namespace ?? '') !== key.namespace) {
    throw new StoreInputError(`${key.kind} ${key.namespace}/${key.name}: the stored body names a different document`);
  }
  return body as unknown as InputDocument;
}
