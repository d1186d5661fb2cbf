// The accepted documents at one revision, and the pure "what would this change do" computation.
// Both the live store and history reconstruction (documentsAt, compaction) use it, so a replayed
// revision is built by exactly the same code that built it the first time.
import { StoreInputError } from './errors';
import { canonicalBody, checkedRef, documentKey, sameBody, sortDocuments } from './keys';
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
    this.sorted = undefined;
  }
}

