// Opening the store after any kind of stop, including kill -9 at any instant.
//
// What a crash can leave behind, given that every file is written temp -> fsync -> rename ->
// fsync(dir) and a revision is acknowledged only after that:
//   - temporary files: writes that never completed, so never acknowledged -> removed;
//   - journal entries at or below the newest snapshot: an interrupted compaction -> removed;
//   - older snapshots: an interrupted compaction -> removed.
// A crash cannot leave a damaged file under a final name. If one is there anyway (storage that
// lost data), the rule is the write-ahead-log rule: a damaged LAST journal entry is treated as
// the torn tail of a write that was never acknowledged (set aside in quarantine/); damage
// followed by later revisions, or a gap in the numbering, means acknowledged history is gone and
// opening fails with StoreCorruptError instead of serving a state that silently lost changes.
// Nothing on disk is modified until the whole history has been read and judged consistent.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DocumentSet } from './document-set';
import { removeFilesDurably, syncDirectory } from './durable-fs';
import { StoreCorruptError } from './errors';
import { listRecordDirectory, type StorePaths } from './layout';
import { replay, tryReadJournal, tryReadSnapshot } from './history';
import type { RecoveryReport, RevisionInfo } from './types';

export interface RecoveredState {
  /** Revision of the compaction base (0 = no snapshot, history starts empty). */
  readonly base: number;
  readonly current: number;
  readonly documents: DocumentSet;
  /** History entries base..current (base only when it is a real revision, i.e. > 0). */
  readonly infos: RevisionInfo[];
  readonly report: RecoveryReport;
}

const exists = (p: string): Promise<boolean> => fsp.stat(p).then(() => true, () => false);

export async function ensureDirectories(paths: StorePaths): Promise<void> {
  if (!(await exists(paths.root))) {
    await fsp.mkdir(paths.root, { recursive: true });
    await syncDirectory(path.dirname(paths.root));
  }
  const created: string[] = [];
  for (const dir of [paths.journal, paths.snapshots]) {
    if (!(await exists(dir))) {
      await fsp.mkdir(dir);
      created.push(dir);
    }
  }
  if (created.length > 0) await syncDirectory(paths.root);
}

interface Quarantine {
  readonly dir: string;
  readonly name: string;
  readonly label: string;
}

export async function recoverStore(paths: StorePaths): Promise<RecoveredState> {
  const snapshots = await listRecordDirectory(paths.snapshots);
  const journal = await listRecordDirectory(paths.journal);
  const quarantine: Quarantine[] = [];

  // Newest intact snapshot is the base; damaged newer ones are set aside. Whether an older base
  // is still usable is decided by the journal continuity check below.
  let base = 0;
  let documents = new DocumentSet();
  let baseInfo: RevisionInfo | null = null;
  const staleSnapshots: string[] = [];
  for (const snapshot of [...snapshots.records].reverse()) {
    if (base > 0) {
      staleSnapshots.push(snapshot.name);
      continue;
    }
    const read = await tryReadSnapshot(paths, snapshot.revision);
    if (!read.ok) {
      quarantine.push({ dir: paths.snapshots, name: snapshot.name, label: `snapshots/${snapshot.name} (${read.reason})` });
      continue;
    }
    base = snapshot.revision;
    documents = DocumentSet.of(read.value.documents);
    baseInfo = read.value.info;
    if (baseInfo && baseInfo.documentCount !== documents.size) {
      throw new StoreCorruptError(`snapshot holds ${documents.size} documents, its history entry records ${baseInfo.documentCount}`, path.join(paths.snapshots, snapshot.name));
    }
  }

  const staleJournal = journal.records.filter((r) => r.revision <= base).map((r) => r.name);
  const live = journal.records.filter((r) => r.revision > base);
  const infos: RevisionInfo[] = baseInfo ? [baseInfo] : [];
  let current = base;
  for (let i = 0; i < live.length; i++) {
    const entry = live[i]!;
    const file = path.join(paths.journal, entry.name);
    if (entry.revision !== current + 1) {
      throw new StoreCorruptError(`journal jumps from revision ${current} to ${entry.revision}: acknowledged revisions are missing`, file);
    }
    const read = await tryReadJournal(paths, entry.revision);
    if (!read.ok) {
      if (i === live.length - 1) {
        quarantine.push({ dir: paths.journal, name: entry.name, label: `journal/${entry.name} (${read.reason})` });
        break;
      }
      throw new StoreCorruptError(`journal entry is damaged (${read.reason}) but later revisions exist: acknowledged data was lost`, file);
    }
    replay(documents, read.value, file);
    infos.push(read.value.info);
    current = entry.revision;
  }

  // The history is consistent: now tidy up what crashes and damage left behind.
  await removeFilesDurably(paths.journal, journal.tempFiles);
  await removeFilesDurably(paths.snapshots, snapshots.tempFiles);
  if (quarantine.length > 0) {
    await fsp.mkdir(paths.quarantine, { recursive: true });
    const stamp = Date.now();
    for (const q of quarantine) await fsp.rename(path.join(q.dir, q.name), path.join(paths.quarantine, `${path.basename(q.dir)}-${q.name}.${stamp}`));
    for (const dir of new Set([paths.quarantine, ...quarantine.map((q) => q.dir)])) await syncDirectory(dir);
  }
  await removeFilesDurably(paths.journal, staleJournal);
  await removeFilesDurably(paths.snapshots, staleSnapshots);

  return {
    base,
    current,
    documents,
    infos,
    report: {
      removedTempFiles: [...journal.tempFiles.map((n) => `journal/${n}`), ...snapshots.tempFiles.map((n) => `snapshots/${n}`)],
      quarantined: quarantine.map((q) => q.label),
      removedStaleFiles: [...staleJournal.map((n) => `journal/${n}`), ...staleSnapshots.map((n) => `snapshots/${n}`)],
    },
  };
}
