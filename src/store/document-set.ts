// The accepted documents at one revision, and the pure "what would this change do" computation.
// Both the live store and history reconstruction (documentsAt, compaction) use it, so a replayed
// revision is built by exactly the same code that built it the first time.
import { StoreInputError } from './errors';
import { canonicalBody, checkedRef, compareRefs, documentKey, sameBody, sortDocuments } from './keys';
import type { ChangeSet, DocumentRef, DocumentResult, RevisionDelta, RevisionSummary, StoredDocument } from './types';

export interface PlannedChange {
  readonly results: readonly DocumentResult[];
  readonly delta: RevisionDelta;
  readonly summary: RevisionSummary;
}

export class DocumentSet {
  private readonly byKey = new Map<string, StoredDocument>();
  private sorted: readonly StoredDocument[] | undefined;

  static of(documents: readonly StoredDocument[]): DocumentSet {
    const set = new DocumentSet();
    set.applyDelta({ upserts: documents, deletes: [] });
    return set;
  }

  get size(): number {
    return this.byKey.size;
  }

  get(ref: DocumentRef): StoredDocument | undefined {
    return this.byKey.get(documentKey(ref));
  }

  /** Every document in canonical order (cached until the next change). */
  all(): readonly StoredDocument[] {
    if (!this.sorted) this.sorted = Object.freeze(sortDocuments([...this.byKey.values()]));
    return this.sorted;
  }

  clone(): DocumentSet {
    const copy = new DocumentSet();
    for (const [key, doc] of this.byKey) copy.byKey.set(key, doc);
    return copy;
  }

  /**
   * Compares a requested change with this set. Input is checked and copied here, so the delta
   * holds exactly the canonical, frozen bodies that will be written and kept.
   */
  plan(changes: ChangeSet): PlannedChange {
    const seen = new Set<string>();
    const results: DocumentResult[] = [];
    const upserts: StoredDocument[] = [];
    const deletes: DocumentRef[] = [];
    const counts = { created: 0, configured: 0, unchanged: 0, deleted: 0 };
    const claim = (ref: DocumentRef, where: string): string => {
      const key = documentKey(ref);
      if (seen.has(key)) {
        throw new StoreInputError(`${where}: ${ref.kind} ${ref.namespace}/${ref.name} appears more than once in the same change`);
      }
      seen.add(key);
      return key;
    };
    (changes.upserts ?? []).forEach((doc, i) => {
      const where = `upserts[${i}]`;
      const key = checkedRef((doc as Partial<StoredDocument> | undefined)?.key, where);
      const body = canonicalBody(doc.body, where);
      const existing = this.byKey.get(claim(key, where));
      let outcome: 'created' | 'configured' | 'unchanged';
      if (!existing) outcome = 'created';
      else if (sameBody(existing.body, body)) outcome = 'unchanged';
      else outcome = 'configured';
      counts[outcome]++;
      if (outcome !== 'unchanged') upserts.push(Object.freeze({ key: Object.freeze(key), body }));
      results.push({ key, outcome });
    });
    (changes.deletes ?? []).forEach((raw, i) => {
      const where = `deletes[${i}]`;
      const ref = checkedRef(raw, where);
      const present = this.byKey.has(claim(ref, where));
      if (present) {
        counts.deleted++;
        deletes.push(Object.freeze(ref));
      }
      results.push({ key: ref, outcome: present ? 'deleted' : 'not-found' });
    });
    return { results, delta: { upserts, deletes }, summary: counts };
  }

  applyDelta(delta: RevisionDelta): void {
    for (const doc of delta.upserts) this.byKey.set(documentKey(doc.key), doc);
    for (const ref of delta.deletes) this.byKey.delete(documentKey(ref));
    // A change of a few documents keeps the canonical order by merging them in (no full re-sort).
    this.sorted = this.sorted ? Object.freeze(withDelta(this.sorted, delta)) : undefined;
  }
}

/**
 * `sorted` (canonical order, as all() gives it) with `delta` applied, still in canonical order.
 * The delta's documents are sorted and merged in; the rest is one pass. A delta names each key at
 * most once (plan() refuses a key given twice), upserts and deletes alike.
 */
export function withDelta(sorted: readonly StoredDocument[], delta: RevisionDelta): StoredDocument[] {
  const upserts = sortDocuments([...delta.upserts]);
  const deletes = [...delta.deletes].sort(compareRefs);
  const out: StoredDocument[] = [];
  let u = 0;
  let d = 0;
  for (const doc of sorted) {
    while (u < upserts.length && compareRefs(upserts[u]!.key, doc.key) < 0) out.push(upserts[u++]!);
    while (d < deletes.length && compareRefs(deletes[d]!, doc.key) < 0) d++;
    if (d < deletes.length && compareRefs(deletes[d]!, doc.key) === 0) {
      d++;
      continue;
    }
    // Replaced by an upsert of the same key (pushed just below).
    if (u < upserts.length && compareRefs(upserts[u]!.key, doc.key) === 0) continue;
    out.push(doc);
  }
  while (u < upserts.length) out.push(upserts[u++]!);
  return out;
}

