// Where the store keeps what, inside the directory it owns:
//   journal/000000000042.jsonl    one record per revision: the effective change (upserts, deletes)
//                                 and the revision's history entry
//   snapshots/000000000040.jsonl  the full document set at a revision (the compaction base);
//                                 journal entries up to it are redundant and removed
//   quarantine/                   damaged files set aside at start-up (kept for forensics)
//   store.lock                    pid of the process that has the store open
// State at revision N = newest valid snapshot S <= N, plus journal entries S+1..N replayed.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { TEMP_SUFFIX } from './durable-fs';

export const JOURNAL_DIR = 'journal';
export const SNAPSHOT_DIR = 'snapshots';
export const QUARANTINE_DIR = 'quarantine';
export const LOCK_FILE = 'store.lock';

const RECORD_NAME = /^(\d{12})\.jsonl$/;

export function recordName(revision: number): string {
  return `${String(revision).padStart(12, '0')}.jsonl`;
}

export interface DirectoryListing {
  /** Final record files by revision, ascending. */
  readonly records: readonly { readonly revision: number; readonly name: string }[];
  /** Leftovers of writes that never completed. */
  readonly tempFiles: readonly string[];
}

export async function listRecordDirectory(dir: string): Promise<DirectoryListing> {
  const records: { revision: number; name: string }[] = [];
  const tempFiles: string[] = [];
  for (const name of await fsp.readdir(dir)) {
    const match = RECORD_NAME.exec(name);
    if (match) records.push({ revision: Number(match[1]), name });
    else if (name.endsWith(TEMP_SUFFIX)) tempFiles.push(name);
  }
  records.sort((a, b) => a.revision - b.revision);
  return { records, tempFiles };
}

export function storePaths(root: string): { root: string; journal: string; snapshots: string; quarantine: string; lock: string } {
  return {
    root,
    journal: path.join(root, JOURNAL_DIR),
    snapshots: path.join(root, SNAPSHOT_DIR),
    quarantine: path.join(root, QUARANTINE_DIR),
    lock: path.join(root, LOCK_FILE),
  };
}

export type StorePaths = ReturnType<typeof storePaths>;
