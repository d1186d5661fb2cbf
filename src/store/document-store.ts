// The durable document store: the accepted set of input documents, a numbered revision for every
// accepted change, and a bounded history for diffs and rollback. An apply resolves only once its
// journal entry is durable on disk; see recovery.ts for what a restart makes of a crash and
// layout.ts for the files.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DocumentSet, type PlannedChange } from './document-set';
import { DurabilityUnknownError, removeFilesDurably, writeFileDurably } from './durable-fs';
import { RevisionNotFoundError, StoreInputError, StoreUnavailableError } from './errors';
import { documentsAtRevision } from './history';
import { documentKey } from './keys';
import { recordName, storePaths, type StorePaths } from './layout';
import { acquireStoreLock, type StoreLock } from './lock';
import { LazyApplyPlan } from './plan';
import { encodeRecord } from './record-file';
import { journalPayload, type SnapshotPayload } from './records';
import { ensureDirectories, recoverStore } from './recovery';
import { SerialQueue } from './serial-queue';
import type {
  ApplyMeta,
  ApplyOptions,
  ApplyPlan,
  ApplyResult,
  ChangeSet,
  DocumentRef,
  DocumentStoreOptions,
  RecoveryReport,
  RevisionInfo,
  StoreChangedListener,
  StoredDocument,
} from './types';

export const DEFAULT_HISTORY_LIMIT = 100;

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`);
  return value;
}

function checkedMeta(meta: ApplyMeta): ApplyMeta {
  for (const field of ['author', 'message'] as const) {
    const value: unknown = meta[field];
    if (value !== undefined && typeof value !== 'string') throw new StoreInputError(`${field} must be a string`);
  }
  return meta;
}

export class DocumentStore {
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<StoreChangedListener>();
  private readonly historyLimit: number;
  private readonly compactionSlack: number;
  private readonly now: () => Date;
  private closed = false;
  /** Set when a write's durability became unknown: the store refuses further writes (fail-stop). */
  private failure: Error | undefined;

  private constructor(
    private readonly paths: StorePaths,
    private readonly lock: StoreLock,
    private readonly options: DocumentStoreOptions,
    private readonly documents: DocumentSet,
    private base: number,
    private currentRevision: number,
    private infos: RevisionInfo[],
    readonly recoveryReport: RecoveryReport,
  ) {
    this.historyLimit = positiveInteger(options.historyLimit, DEFAULT_HISTORY_LIMIT, 'historyLimit');
    this.compactionSlack = positiveInteger(options.compactionSlack, Math.max(1, Math.floor(this.historyLimit / 5)), 'compactionSlack');
    this.now = options.now ?? (() => new Date());
  }

  /** Opens (creating if needed) the store in `options.dir`, recovering from any earlier crash. */
  static async open(options: DocumentStoreOptions): Promise<DocumentStore> {
    positiveInteger(options.historyLimit, DEFAULT_HISTORY_LIMIT, 'historyLimit');
    positiveInteger(options.compactionSlack, 1, 'compactionSlack');
    const resolved = path.resolve(options.dir);
    await ensureDirectories(storePaths(resolved));
    // The real path, so that two spellings of one directory (symlinks) share one lock.
    const paths = storePaths(await fsp.realpath(resolved));
    const lock = await acquireStoreLock(paths.lock, paths.root);
    try {
      const recovered = await recoverStore(paths);
      const store = new DocumentStore(paths, lock, options, recovered.documents, recovered.base, recovered.current, recovered.infos, recovered.report);
      // A lowered historyLimit takes effect right away.
      await store.queue.run(() => store.compactIfDue());
      return store;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** The current revision (0 before the first change). */
  get revision(): number {
    return this.currentRevision;
  }

  /** The oldest revision `documentsAt` and `rollback` can still reach. */
  get oldestRevision(): number {
    return this.base;
  }

  current(): { readonly revision: number; readonly documents: readonly StoredDocument[] } {
    return { revision: this.currentRevision, documents: this.documents.all() };
  }

  get(ref: DocumentRef): StoredDocument | undefined {
    return this.documents.get(ref);
  }

  /** Documents in canonical order (kind, namespace, name), optionally filtered. */
  list(filter: { readonly kind?: string; readonly namespace?: string } = {}): readonly StoredDocument[] {
    const all = this.documents.all();
    if (filter.kind === undefined && filter.namespace === undefined) return all;
    return all.filter((d) => (filter.kind === undefined || d.key.kind === filter.kind) && (filter.namespace === undefined || d.key.namespace === filter.namespace));
  }

  /** The retained history, oldest first. */
  revisions(): readonly RevisionInfo[] {
    return [...this.infos];
  }

  /** What `apply` would do right now, storing nothing (for dry runs). */
  plan(changes: ChangeSet): ApplyPlan {
    return new LazyApplyPlan(this.documents.all(), this.documents.plan(changes));
  }

  /**
   * Applies a change as one new revision. Resolves once the revision is durable; a change that
   * alters nothing creates no revision and resolves with the current one and `changed: false`.
   */
  apply(changes: ChangeSet, meta: ApplyMeta = {}, options: ApplyOptions = {}): Promise<ApplyResult> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return this.queue.run(async () => {
      this.checkWritable();
      const planned = this.documents.plan(changes);
      return this.commit(planned, checkedMeta(meta), options);
    });
  }

  /** A NEW revision whose content equals revision `target` (the history is never rewritten). */
  rollback(target: number, meta: ApplyMeta = {}, options: ApplyOptions = {}): Promise<ApplyResult> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return this.queue.run(async () => {
      this.checkWritable();
      checkedMeta(meta);
      const restored = await this.documentsAtLocked(target);
      const keep = new Set(restored.all().map((d) => documentKey(d.key)));
      const planned = this.documents.plan({
        upserts: restored.all(),
        deletes: this.documents.all().filter((d) => !keep.has(documentKey(d.key))).map((d) => d.key),
      });
      // A rollback answers with what it changed, not with every document it left alone.
      const results = planned.results.filter((r) => r.outcome !== 'unchanged');
      const rollbackMeta = { ...meta, message: meta.message ?? `rollback to revision ${target}` };
      return this.commit({ ...planned, results }, rollbackMeta, options, target);
    });
  }

  /** The full document set at a retained revision, in canonical order. */
  documentsAt(revision: number): Promise<readonly StoredDocument[]> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return this.queue.run(async () => (await this.documentsAtLocked(revision)).all());
  }

  /** Called after every durable change, before the apply that made it resolves. */
  onChanged(listener: StoreChangedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Refuses new changes, lets queued ones finish, then releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.idle();
    await this.lock.release();
  }

  private checkWritable(): void {
    if (this.failure) {
      throw new StoreUnavailableError(`the store stopped accepting changes after a failed write (${this.failure.message}); restart to recover from disk`);
    }
  }

  private async documentsAtLocked(revision: number): Promise<DocumentSet> {
    if (!Number.isInteger(revision) || revision < this.base || revision > this.currentRevision) {
      throw new RevisionNotFoundError(revision, this.base, this.currentRevision);
    }
    if (revision === this.currentRevision) return this.documents;
    return documentsAtRevision(this.paths, this.base, revision);
  }

  private async commit(planned: PlannedChange, meta: ApplyMeta, options: ApplyOptions, rollbackOf?: number): Promise<ApplyResult> {
    const plan = new LazyApplyPlan(this.documents.all(), planned);
    if (options.validate) await options.validate(plan);
    if (!plan.changed) return { revision: this.currentRevision, changed: false, results: planned.results };

    const revision = this.currentRevision + 1;
    const info: RevisionInfo = {
      revision,
      time: this.now().toISOString(),
      ...(meta.author !== undefined ? { author: meta.author } : {}),
      ...(meta.message !== undefined ? { message: meta.message } : {}),
      ...(rollbackOf !== undefined ? { rollbackOf } : {}),
      summary: planned.summary,
      documentCount: this.documents.size + planned.summary.created - planned.summary.deleted,
    };
    try {
      await writeFileDurably(this.paths.journal, recordName(revision), encodeRecord('journal', revision, journalPayload(info, planned.delta)));
    } catch (err) {
      // Before the rename nothing changed and the caller may retry; after it, whether the entry
      // survives a power loss is unknown, so no later revision may be stacked on top of it.
      if (err instanceof DurabilityUnknownError) this.failure = err;
      throw err;
    }
    this.documents.applyDelta(planned.delta);
    this.currentRevision = revision;
    this.infos.push(info);
    this.notify(info, planned);
    void this.queue.run(() => this.compactIfDue());
    return { revision, changed: true, results: planned.results, info };
  }

  private notify(info: RevisionInfo, planned: PlannedChange): void {
    if (this.listeners.size === 0) return;
    const event = { revision: info.revision, info, delta: planned.delta, documents: this.documents.all() };
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.reportBackground(err, `onChanged listener for revision ${info.revision}`);
      }
    }
  }

  private reportBackground(err: unknown, context: string): void {
    try {
      this.options.onBackgroundError?.(err, context);
    } catch {
      // A failing error reporter must not turn an acknowledged apply into a failure.
    }
  }

  /**
   * Folds the oldest revisions into a snapshot once more than historyLimit + compactionSlack
   * states are retained. The snapshot is durable before any journal entry it replaces is removed,
   * so a crash between the steps only leaves redundant files that the next open removes.
   */
  private async compactIfDue(): Promise<void> {
    // Housekeeping only: a closing store skips it, the next open catches up.
    if (this.closed || this.failure) return;
    const retainedStates = this.currentRevision - this.base + 1;
    if (retainedStates <= this.historyLimit + this.compactionSlack) return;
    const newBase = this.currentRevision - this.historyLimit + 1;
    try {
      const documents = newBase === this.currentRevision ? this.documents : await documentsAtRevision(this.paths, this.base, newBase);
      const info = this.infos.find((i) => i.revision === newBase);
      const payload: SnapshotPayload = { revision: newBase, info: info ?? null, documents: documents.all() };
      await writeFileDurably(this.paths.snapshots, recordName(newBase), encodeRecord('snapshot', newBase, payload));
      const oldBase = this.base;
      this.base = newBase;
      this.infos = this.infos.filter((i) => i.revision >= newBase);
      const replaced: string[] = [];
      for (let r = oldBase + 1; r <= newBase; r++) replaced.push(recordName(r));
      await removeFilesDurably(this.paths.journal, replaced);
      if (oldBase > 0) await removeFilesDurably(this.paths.snapshots, [recordName(oldBase)]);
    } catch (err) {
      this.reportBackground(err, `compacting history up to revision ${newBase}`);
    }
  }
}
