// The durable store's vocabulary. The store is agnostic of what a document means: it keeps JSON
// bodies under a {kind, namespace, name} key, so Kubernetes-style input documents and raw Kong
// declarative files live side by side and share the same revision history.
import type { JsonObject } from '../envoy/resource';
import type { DocumentRef } from '../documents/types';

export type { DocumentRef };

/** One accepted document as the store keeps it. `body` is the whole document as the user wrote it. */
export interface StoredDocument {
  readonly key: DocumentRef;
  readonly body: JsonObject;
}

/** What one apply asks for: documents to create or replace, and documents to remove. */
export interface ChangeSet {
  readonly upserts?: readonly StoredDocument[];
  readonly deletes?: readonly DocumentRef[];
}

/** Who made a change and why; shown by `GET /v1/revisions`. */
export interface ApplyMeta {
  readonly author?: string;
  readonly message?: string;
}

/**
 * What happened to one document: kubectl's words for upserts, "deleted" for a removal, and
 * "not-found" for a delete of a document the store does not hold (nothing changes).
 */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged' | 'deleted' | 'not-found';

export interface DocumentResult {
  readonly key: DocumentRef;
  readonly outcome: ApplyOutcome;
}

export interface RevisionSummary {
  readonly created: number;
  readonly configured: number;
  readonly unchanged: number;
  readonly deleted: number;
}

/** One entry of the revision history. */
export interface RevisionInfo {
  readonly revision: number;
  /** ISO-8601 time at which the revision was accepted. */
  readonly time: string;
  readonly author?: string;
  readonly message?: string;
  /** Set when this revision restored the content of an earlier one. */
  readonly rollbackOf?: number;
  readonly summary: RevisionSummary;
  /** How many documents the store holds at this revision. */
  readonly documentCount: number;
}

/** The effective change of one revision: only documents whose content actually changed. */
export interface RevisionDelta {
  readonly upserts: readonly StoredDocument[];
  readonly deletes: readonly DocumentRef[];
}

/** What an apply would do, computed against the current state without storing anything. */
export interface ApplyPlan {
  /** Per submitted document, in submission order (upserts first, then deletes). */
  readonly results: readonly DocumentResult[];
  /** False when every document is unchanged / not-found: such an apply creates no revision. */
  readonly changed: boolean;
  readonly delta: RevisionDelta;
  /** The whole document set after the change, in the store's canonical order. */
  readonly documents: readonly StoredDocument[];
}

export interface ApplyResult {
  /** The new revision, or the current one when nothing changed. */
  readonly revision: number;
  readonly changed: boolean;
  readonly results: readonly DocumentResult[];
  /** The new revision's history entry; absent when nothing changed. */
  readonly info?: RevisionInfo;
}

export interface ApplyOptions {
  /**
   * Runs inside the store's write queue against the exact state the change would replace, before
   * anything is written. Throw (or reject) to refuse the change: nothing is stored and apply
   * rejects with that error. This is how translation + validation and storing become one step.
   */
  readonly validate?: (plan: ApplyPlan) => void | Promise<void>;
}

/** Delivered to `onChanged` listeners once a new revision is durable. */
export interface StoreChangedEvent {
  readonly revision: number;
  readonly info: RevisionInfo;
  readonly delta: RevisionDelta;
  /** The whole document set at `revision`, in canonical order. */
  readonly documents: readonly StoredDocument[];
}

export type StoreChangedListener = (event: StoreChangedEvent) => void;

export interface DocumentStoreOptions {
  /** Directory the store owns (created if missing), e.g. `<data dir>/store`. */
  readonly dir: string;
  /** How many revisions stay available to `documentsAt` / rollback (default 100, minimum 1). */
  readonly historyLimit?: number;
  /**
   * How many revisions beyond `historyLimit` may pile up before compaction folds the oldest into
   * a snapshot (default max(1, historyLimit / 5)); trades disk for fewer snapshot writes.
   */
  readonly compactionSlack?: number;
  /** Clock for revision times (tests pin it). */
  readonly now?: () => Date;
  /**
   * Errors that happen after a change was acknowledged (compaction, a throwing listener). The
   * acknowledged data is safe; these only mean housekeeping will be retried or a listener failed.
   */
  readonly onBackgroundError?: (err: unknown, context: string) => void;
}

/** What opening the store had to clean up, for the log. */
export interface RecoveryReport {
  /** Temporary files of writes that never completed (never acknowledged), removed. */
  readonly removedTempFiles: readonly string[];
  /** Damaged files moved to `quarantine/` (a torn last journal entry, a damaged newer snapshot). */
  readonly quarantined: readonly string[];
  /** Files made redundant by an interrupted compaction, removed. */
  readonly removedStaleFiles: readonly string[];
}
