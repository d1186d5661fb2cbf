// Schema checks on submitted documents, before any translation: the envelope (apiVersion, kind,
// metadata, spec), every field against its kind's schema (unknown fields, wrong types, missing
// required fields, bad values), and names defined twice. Each problem names the document, the
// field path and the reason.
import type { DocumentError, DocumentRef } from '../src/documents/types';
import { DEFAULT_NAMESPACE } from './core/kinds';
import { getString } from './core/json';
import { KIND_NAMES, KINDS, type KindSpec } from './registry';
import { checkSchema, isJsonObject, map, obj, str, anything, int, type Schema, type SchemaIssue } from './schema';
import { namespaceName } from './gateway-api/schemas/common';
import { secretBody } from './core/secrets';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const metadataSchema = obj(
  {
    name: str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN, patternHint: 'a lower-case DNS subdomain name (letters, digits, "-" and ".")' }),
    namespace: namespaceName,
    labels: map(str({ maxLength: 63 })),
    annotations: map(str()),
    creationTimestamp: str({ check: (v) => (Number.isNaN(Date.parse(v)) ? 'is not an RFC 3339 timestamp' : undefined) }),
    // Fields kubectl prints; accepted so that `kubectl get -o yaml` output can be applied as is.
    uid: str(),
    resourceVersion: str(),
    generation: int(0),
    generateName: str(),
    managedFields: anything,
    finalizers: anything,
    ownerReferences: anything,
    deletionTimestamp: anything,
    deletionGracePeriodSeconds: anything,
    selfLink: anything,
  },
  { required: ['name'] },
);

/** How a (possibly malformed) document is named in errors. */
function refOf(raw: Record<string, unknown>): DocumentRef | undefined {
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : undefined;
  const md = isJsonObject(raw['metadata']) ? raw['metadata'] : undefined;
  const name = getString(md, 'name');
  if (kind === undefined || name === undefined) return undefined;
  return { kind, namespace: getString(md, 'namespace') ?? DEFAULT_NAMESPACE, name };
}

function validateOne(raw: unknown, index: number): DocumentError[] {
  if (!isJsonObject(raw)) return [{ index, path: '', reason: 'a document must be an object with apiVersion, kind, metadata and spec' }];
  const document = refOf(raw);
  const errors: DocumentError[] = [];
  const push = (path: string, reason: string): void => {
    errors.push({ index, ...(document ? { document } : {}), path, reason });
  };
  const apiVersion = raw['apiVersion'];
  const kind = raw['kind'];
  if (typeof kind !== 'string' || kind === '') {
    push('kind', 'required field is missing');
    return errors;
  }
  const spec = KINDS[kind];
  if (!spec) {
    push('kind', `unknown kind "${kind}" (meshgate accepts: ${KIND_NAMES.join(', ')})`);
    return errors;
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') push('apiVersion', `required field is missing (use ${spec.apiVersions[0]})`);
  else if (!spec.apiVersions.includes(apiVersion)) push('apiVersion', `apiVersion "${apiVersion}" is not supported for kind ${kind} (use ${spec.apiVersions.join(' or ')})`);

  const topLevel: Record<string, Schema> = { apiVersion: anything, kind: anything, metadata: metadataSchema, status: anything, ...(spec.topLevel ?? {}) };
  if (spec.spec) topLevel['spec'] = spec.spec;
  const envelope = obj(topLevel, { required: spec.spec ? ['metadata', 'spec'] : ['metadata'] });
  for (const issue of checkSchema(envelope, raw, '')) push(issue.path, issue.reason);
  for (const issue of annotationIssues(spec.annotations, raw)) push(issue.path, issue.reason);
  if (kind === 'Secret') errors.push(...secretRules(raw, index, document));
  return errors;
}

/**
 * Annotations meshgate reads (e.g. meshgate.io/priority) checked against their schema. Values that
 * are not strings are already reported by the metadata schema; other annotations are not meshgate's.
 */
function annotationIssues(known: KindSpec['annotations'], raw: Record<string, unknown>): SchemaIssue[] {
  if (!known) return [];
  const annotations = isJsonObject(raw['metadata']) ? raw['metadata']['annotations'] : undefined;
  if (!isJsonObject(annotations)) return [];
  return Object.entries(known).flatMap(([key, schema]) => {
    const value = annotations[key];
    return typeof value === 'string' ? checkSchema(schema, value, `metadata.annotations[${JSON.stringify(key)}]`) : [];
  });
}

/** A kubernetes.io/tls Secret must carry tls.crt and tls.key (the API server enforces this too). */
function secretRules(raw: Record<string, unknown>, index: number, document: DocumentRef | undefined): DocumentError[] {
  const body = secretBody(raw);
  if (getString(body, 'type') !== 'kubernetes.io/tls') return [];
  const keys = new Set([...Object.keys(isJsonObject(body['data']) ? body['data'] : {}), ...Object.keys(isJsonObject(body['stringData']) ? body['stringData'] : {})]);
  return ['tls.crt', 'tls.key']
    .filter((k) => !keys.has(k))
    .map((k) => ({ index, ...(document ? { document } : {}), path: `data["${k}"]`, reason: `a kubernetes.io/tls Secret needs the key ${k}` }));
}

/**
 * Schema errors for each document, plus names defined twice in the same set. With `memo`, a
 * frozen document checked before keeps its answer (the store deep-freezes what it keeps), so
 * re-translating after a one-document change checks one document.
 */
export function validateDocuments(documents: readonly unknown[], memo?: { get(key: object): readonly DocumentError[] | undefined; set(key: object, value: readonly DocumentError[]): unknown }): DocumentError[] {
  const errors: DocumentError[] = [];
  const seen = new Map<string, number>();
  documents.forEach((raw, index) => {
    const memoised = memo && isJsonObject(raw) && Object.isFrozen(raw) ? raw : undefined;
    const known = memoised && memo?.get(memoised);
    const own = known ? known.map((e) => ({ ...e, index })) : validateOne(raw, index);
    if (memoised && !known) memo?.set(memoised, own);
    errors.push(...own);
    if (!isJsonObject(raw)) return;
    const ref = refOf(raw);
    if (!ref) return;
    const key = `${ref.kind}|${ref.kind === 'Namespace' ? '' : ref.namespace}/${ref.name}`;
    const first = seen.get(key);
    if (first !== undefined) errors.push({ index, document: ref, path: 'metadata.name', reason: `${ref.kind} ${ref.namespace}/${ref.name} is defined twice (also document ${first})` });
    else seen.set(key, index);
  });
  return errors;
}
