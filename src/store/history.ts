// Reading revisions back from disk: one journal entry, one snapshot, or the full document set at
// any retained revision (snapshot + replayed journal entries).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DocumentSet } from './document-set';
import { StoreCorruptError } from './errors';
import { recordName, type StorePaths } from './layout';
import { decodeRecord, type RecordType } from './record-file';
import { parseJournalPayload, parseSnapshotPayload, type JournalPayload, type SnapshotPayload } from './records';

export type ReadOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

async function readRecord(dir: string, type: RecordType, revision: number): Promise<ReadOutcome<unknown>> {
  const file = path.join(dir, recordName(revision));
  const decoded = decodeRecord(await fsp.readFile(file), type, revision, file);
  return decoded.ok ? { ok: true, value: decoded.payload } : decoded;
}

/** A journal entry, or why it is damaged. Shape errors in an intact record throw. */
export async function tryReadJournal(paths: StorePaths, revision: number): Promise<ReadOutcome<JournalPayload>> {
  const read = await readRecord(paths.journal, 'journal', revision);
  return read.ok ? { ok: true, value: parseJournalPayload(read.value, revision, path.join(paths.journal, recordName(revision))) } : read;
}

export async function tryReadSnapshot(paths: StorePaths, revision: number): Promise<ReadOutcome<SnapshotPayload>> {
  const read = await readRecord(paths.snapshots, 'snapshot', revision);
  return read.ok ? { ok: true, value: parseSnapshotPayload(read.value, revision, path.join(paths.snapshots, recordName(revision))) } : read;
}

function orThrow<T>(outcome: ReadOutcome<T>, file: string): T {
  if (!outcome.ok) throw new StoreCorruptError(`acknowledged record is damaged: ${outcome.reason}`, file);
  return outcome.value;
}

/** Replays one journal entry onto a set, checking the entry's own record of the resulting size. */
export function replay(set: DocumentSet, entry: JournalPayload, file: string): void {
  set.applyDelta(entry);
  if (set.size !== entry.info.documentCount) {
    throw new StoreCorruptError(`replaying revision ${entry.revision} gives ${set.size} documents, the entry records ${entry.info.documentCount}`, file);
  }
}

/** The document set at `target`, rebuilt from the snapshot at `base` (0 = empty) and the journal. */
export async function documentsAtRevision(paths: StorePaths, base: number, target: number): Promise<DocumentSet> {
  const set =
    base === 0
      ? new DocumentSet()
      : DocumentSet.of(orThrow(await tryReadSnapshot(paths, base), path.join(paths.snapshots, recordName(base))).documents);
  for (let revision = base + 1; revision <= target; revision++) {
    const file = path.join(paths.journal, recordName(revision));
    replay(set, orThrow(await tryReadJournal(paths, revision), file), file);
  }
  return set;
}
