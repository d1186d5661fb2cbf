// What every Istio translation step shares: the documents by kind, the status being assembled
// per document, and the error sink (document + field path + reason).
import type { DocumentError, InputDocument } from '../../src/documents/types';
import { DocumentIndex, documentKey, refOfDocument } from '../core/documents';
import { StatusBuilder } from '../core/status';
import type { JsonObject } from '../../src/envoy/resource';
import { DEFAULT_TRUST_DOMAIN } from './kinds';

export class IstioContext {
  readonly index: DocumentIndex;
  readonly errors: DocumentError[] = [];
  private readonly statuses = new Map<InputDocument, StatusBuilder>();
  private readonly errorKeys = new Set<string>();

  constructor(
    docs: readonly InputDocument[],
    /** A document's position in the family's input, for DocumentError.index. */
    private readonly position: ReadonlyMap<InputDocument, number>,
    /** Core Secrets and Namespaces (credentialName lookups). */
    readonly shared: DocumentIndex,
    /** SPIFFE trust domain of workload identities, peer IDs and RBAC principals (the CA's). */
    readonly trustDomain: string = DEFAULT_TRUST_DOMAIN,
  ) {
    this.index = new DocumentIndex(docs);
  }

  statusOf(doc: InputDocument): StatusBuilder {
    let s = this.statuses.get(doc);
    if (!s) this.statuses.set(doc, (s = new StatusBuilder(refOfDocument(doc))));
    return s;
  }

  error(doc: InputDocument, path: string, reason: string): void {
    const key = `${doc.kind}|${documentKey(doc)}|${path}|${reason}`;
    if (this.errorKeys.has(key)) return;
    this.errorKeys.add(key);
    const index = this.position.get(doc);
    this.errors.push({ ...(index !== undefined ? { index } : {}), document: refOfDocument(doc), path, reason });
  }

  /** A field Istio defines but meshgate does not implement: a warning on the document's status. */
  unsupported(doc: InputDocument, parent: JsonObject | undefined, path: string, fields: readonly string[], why = 'is not supported by meshgate and is ignored'): void {
    if (!parent) return;
    for (const f of fields) if (parent[f] !== undefined && parent[f] !== null) this.statusOf(doc).warn(`${path ? `${path}.` : ''}${f} ${why}`);
  }

  allStatuses(): StatusBuilder[] {
    return [...this.statuses.values()];
  }
}
