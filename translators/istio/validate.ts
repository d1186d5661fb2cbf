// Schema checks of Istio documents: the envelope (apiVersion, kind, metadata, spec)
// and the spec against the kind's schema; security.istio.io documents only for their metadata here
// (translators/istio/security checks their specs). Every problem names the document, the field
// path and the reason.
import type { DocumentError, DocumentRef, InputDocument } from '../../src/documents/types';
import { getString } from '../core/json';
import { DEFAULT_NAMESPACE } from '../core/kinds';
import { anything, checkSchema, int, isJsonObject, map, obj, str, type Schema } from '../schema';
import { NETWORKING_KINDS, NETWORKING_VERSIONS, SECURITY_GROUP, type NetworkingKind } from './kinds';
import { NETWORKING_SPECS } from './schemas';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const metadata = obj(
  {
    name: str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN, patternHint: 'a lower-case DNS subdomain name' }),
    namespace: str({ minLength: 1, maxLength: 63, pattern: DNS_LABEL, patternHint: 'a lower-case DNS label' }),
    labels: map(str()),
    annotations: map(str()),
    creationTimestamp: str({ check: (v) => (Number.isNaN(Date.parse(v)) ? 'is not an RFC 3339 timestamp' : undefined) }),
    uid: str(),
    resourceVersion: str(),
    generation: int(0),
    generateName: str(),
    managedFields: anything,
    finalizers: anything,
    ownerReferences: anything,
  },
  { required: ['name'] },
);

export function isNetworkingKind(kind: string): kind is NetworkingKind {
  return (NETWORKING_KINDS as readonly string[]).includes(kind);
}

function isSecurityGroup(doc: unknown): boolean {
  const apiVersion = isJsonObject(doc) ? doc['apiVersion'] : undefined;
  return typeof apiVersion === 'string' && apiVersion.startsWith(`${SECURITY_GROUP}/`);
}

function refOfRaw(raw: Record<string, unknown>): DocumentRef | undefined {
  const md = isJsonObject(raw['metadata']) ? raw['metadata'] : undefined;
  const name = getString(md, 'name');
  if (typeof raw['kind'] !== 'string' || name === undefined) return undefined;
  return { kind: raw['kind'], namespace: getString(md, 'namespace') ?? DEFAULT_NAMESPACE, name };
}

/** Schema errors of one networking document (index = its position in the family's documents). */
export function validateNetworkingDocument(raw: unknown, index: number): DocumentError[] {
  if (!isJsonObject(raw)) return [{ index, path: '', reason: 'a document must be an object with apiVersion, kind, metadata and spec' }];
  const document = refOfRaw(raw);
  const errors: DocumentError[] = [];
  const push = (path: string, reason: string): void => void errors.push({ index, ...(document ? { document } : {}), path, reason });
  const kind = raw['kind'];
  if (typeof kind !== 'string' || !isNetworkingKind(kind)) {
    push('kind', `unknown networking.istio.io kind ${JSON.stringify(kind)} (meshgate reads: ${NETWORKING_KINDS.join(', ')})`);
    return errors;
  }
  const apiVersion = raw['apiVersion'];
  if (typeof apiVersion !== 'string' || !NETWORKING_VERSIONS.includes(apiVersion)) {
    push('apiVersion', `apiVersion ${JSON.stringify(apiVersion)} is not supported for ${kind} (use ${NETWORKING_VERSIONS.join(', ')})`);
  }
  const spec = NETWORKING_SPECS[kind];
  const envelope: Schema = obj({ apiVersion: anything, kind: anything, metadata, spec, status: anything }, { required: ['metadata', 'spec'] });
  for (const issue of checkSchema(envelope, raw, '')) push(issue.path, issue.reason);
  return errors;
}

/** The metadata of a security document (its spec is checked by translators/istio/security). */
function validateSecurityEnvelope(raw: unknown, index: number): DocumentError[] {
  if (!isJsonObject(raw)) return [{ index, path: '', reason: 'a document must be an object with apiVersion, kind, metadata and spec' }];
  const document = refOfRaw(raw);
  return checkSchema(obj({ metadata }, {}), { metadata: raw['metadata'] ?? null }, '')
    .concat(raw['metadata'] === undefined || raw['metadata'] === null ? [{ path: 'metadata', reason: 'required field is missing' }] : [])
    .map((issue) => ({ index, ...(document ? { document } : {}), path: issue.path, reason: issue.reason }));
}

/** Schema errors of the family's networking documents, plus names defined twice. */
export function validateIstioDocuments(docs: readonly InputDocument[]): DocumentError[] {
  const errors: DocumentError[] = [];
  const seen = new Map<string, number>();
  docs.forEach((doc, index) => {
    // security.istio.io documents are checked by translators/istio/security (applyIstioSecurity).
    if (!isSecurityGroup(doc)) errors.push(...validateNetworkingDocument(doc, index));
    else errors.push(...validateSecurityEnvelope(doc, index));
    const ref = isJsonObject(doc) ? refOfRaw(doc) : undefined;
    if (!ref) return;
    const key = `${ref.kind}|${ref.namespace}/${ref.name}`;
    const first = seen.get(key);
    if (first !== undefined) errors.push({ index, document: ref, path: 'metadata.name', reason: `${ref.kind} ${ref.namespace}/${ref.name} is defined twice (also document ${first})` });
    else seen.set(key, index);
  });
  return errors;
}
