// An ApplyPlan whose resulting document set is computed only when someone asks for it (dry runs
// and validate hooks do; a plain apply does not need to pay for a full copy of the state).
import { type PlannedChange, withDelta } from './document-set';
import type { ApplyPlan, DocumentResult, RevisionDelta, StoredDocument } from './types';

export class LazyApplyPlan implements ApplyPlan {
  readonly results: readonly DocumentResult[];
  readonly delta: RevisionDelta;
  readonly changed: boolean;
  private next: readonly StoredDocument[] | undefined;

  /** `before` is the (immutable) canonical document array the change applies to. */
  constructor(
    private readonly before: readonly StoredDocument[],
    planned: PlannedChange,
  ) {
    this.results = planned.results;
    this.delta = planned.delta;
    this.changed = planned.delta.upserts.length > 0 || planned.delta.deletes.length > 0;
  }

  get documents(): readonly StoredDocument[] {
    if (!this.next) {
      if (!this.changed) this.next = this.before;
      // Merged into the canonical order, not rebuilt and re-sorted.
      else this.next = Object.freeze(withDelta(this.before, this.delta));
    }
    return this.next;
  }
}
