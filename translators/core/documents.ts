// Lookup of the documents being translated, by kind and namespace/name, plus the metadata
// helpers every translator uses (namespace defaulting, creation time, namespace labels).
import type { DocumentRef, InputDocument } from '../../src/documents/types';
import { DEFAULT_NAMESPACE } from './kinds';

export function namespaceOf(doc: InputDocument): string {
  const ns = (doc.metadata as { namespace?: unknown }).namespace;
  return typeof ns === 'string' && ns !== '' ? ns : DEFAULT_NAMESPACE;
}

export function refOfDocument(doc: InputDocument): DocumentRef {
  return { kind: doc.kind, namespace: namespaceOf(doc), name: doc.metadata.name };
}

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function documentKey(doc: InputDocument): string {
  return keyOf(namespaceOf(doc), doc.metadata.name);
}

/** metadata.creationTimestamp in ms since the epoch; undefined when absent (sorts after dated ones). */
export function createdAt(doc: InputDocument): number | undefined {
  const ts = (doc.metadata as { creationTimestamp?: unknown }).creationTimestamp;
  if (typeof ts !== 'string') return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Gateway API tie-break between documents: the oldest creationTimestamp first, then
 * alphabetical "namespace/name". Documents without a timestamp come after dated ones.
 */
export function compareAge(a: InputDocument, b: InputDocument): number {
  const ta = createdAt(a);
  const tb = createdAt(b);
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return ta - tb;
  }
  const ka = documentKey(a);
  const kb = documentKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function compareByKey(a: InputDocument, b: InputDocument): number {
  const ka = documentKey(a);
  const kb = documentKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Kubernetes sets this label on every namespace; selectors may rely on it without Namespace documents. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export class DocumentIndex {
  private readonly byKind = new Map<string, Map<string, InputDocument>>();
  private readonly sorted = new Map<string, readonly InputDocument[]>();

  constructor(documents: readonly InputDocument[]) {
    for (const doc of documents) {
      let m = this.byKind.get(doc.kind);
      if (!m) this.byKind.set(doc.kind, (m = new Map()));
      // Namespaces are cluster-scoped: key them by name alone.
      m.set(doc.kind === 'Namespace' ? doc.metadata.name : documentKey(doc), doc);
    }
  }

  get(kind: string, namespace: string, name: string): InputDocument | undefined {
    return this.byKind.get(kind)?.get(keyOf(namespace, name));
  }

  /** All documents of a kind, sorted by namespace/name. */
  list(kind: string): readonly InputDocument[] {
    let s = this.sorted.get(kind);
    if (!s) {
      s = [...(this.byKind.get(kind)?.values() ?? [])].sort(compareByKey);
      this.sorted.set(kind, s);
    }
    return s;
  }

  /** Labels of a namespace: those of its Namespace document, plus kubernetes.io/metadata.name. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> {
    const doc = this.byKind.get('Namespace')?.get(namespace);
    return { ...(doc?.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: namespace };
  }
}
