// The payloads of journal and snapshot records, and their checked parsing. A record that passed
// its checksum but does not have this shape was not written by this format: that is an
// inconsistency (StoreCorruptError), never something to skip silently.
import type { JsonObject } from '../envoy/resource';
import { StoreCorruptError } from './errors';
import { adoptParsedBody, checkedRef } from './keys';
import type { DocumentRef, RevisionDelta, RevisionInfo, RevisionSummary, StoredDocument } from './types';

export interface JournalPayload {
  readonly revision: number;
  readonly info: RevisionInfo;
  readonly upserts: readonly StoredDocument[];
  readonly deletes: readonly DocumentRef[];
}

export interface SnapshotPayload {
  readonly revision: number;
  /** The history entry of the snapshot's own revision; null for the empty revision 0. */
  readonly info: RevisionInfo | null;
  readonly documents: readonly StoredDocument[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(file: string, what: string): never {
  throw new StoreCorruptError(`record does not have the expected shape: ${what}`, file);
}

function count(value: unknown, file: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(file, `${what} must be a non-negative integer`);
  return value;
}

function optionalText(value: unknown, file: string, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(file, `${what} must be a string`);
  return value;
}

function parseInfo(value: unknown, revision: number, file: string): RevisionInfo {
  if (!isObject(value)) fail(file, 'info must be an object');
  if (value.revision !== revision) fail(file, `info.revision must be ${revision}`);
  if (typeof value.time !== 'string') fail(file, 'info.time must be a string');
  const summary = value.summary;
  if (!isObject(summary)) fail(file, 'info.summary must be an object');
  const parsedSummary: RevisionSummary = {
    created: count(summary.created, file, 'info.summary.created'),
    configured: count(summary.configured, file, 'info.summary.configured'),
    unchanged: count(summary.unchanged, file, 'info.summary.unchanged'),
    deleted: count(summary.deleted, file, 'info.summary.deleted'),
  };
  const author = optionalText(value.author, file, 'info.author');
  const message = optionalText(value.message, file, 'info.message');
  const rollbackOf = value.rollbackOf === undefined ? undefined : count(value.rollbackOf, file, 'info.rollbackOf');
  return {
    revision,
    time: value.time,
    ...(author !== undefined ? { author } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(rollbackOf !== undefined ? { rollbackOf } : {}),
    summary: parsedSummary,
    documentCount: count(value.documentCount, file, 'info.documentCount'),
  };
}

function parseRef(value: unknown, file: string, where: string): DocumentRef {
  try {
    return Object.freeze(checkedRef(value, where));
  } catch (err) {
    return fail(file, (err as Error).message);
  }
}

function parseDocuments(value: unknown, file: string, what: string): StoredDocument[] {
  if (!Array.isArray(value)) fail(file, `${what} must be an array`);
  return value.map((doc: unknown, i) => {
    const where = `${what}[${i}]`;
    if (!isObject(doc)) fail(file, `${where} must be an object`);
    const key = parseRef(doc.key, file, `${where}.key`);
    let body: JsonObject;
    try {
      body = adoptParsedBody(doc.body, `${where}.body`);
    } catch (err) {
      fail(file, (err as Error).message);
    }
    return Object.freeze({ key, body });
  });
}

export function parseJournalPayload(value: unknown, revision: number, file: string): JournalPayload {
  if (!isObject(value)) fail(file, 'payload must be an object');
  if (value.revision !== revision) fail(file, `revision must be ${revision}`);
  if (!Array.isArray(value.deletes)) fail(file, 'deletes must be an array');
  return {
    revision,
    info: parseInfo(value.info, revision, file),
    upserts: parseDocuments(value.upserts, file, 'upserts'),
    deletes: value.deletes.map((ref: unknown, i) => parseRef(ref, file, `deletes[${i}]`)),
  };
}

export function parseSnapshotPayload(value: unknown, revision: number, file: string): SnapshotPayload {
  if (!isObject(value)) fail(file, 'payload must be an object');
  if (value.revision !== revision) fail(file, `revision must be ${revision}`);
  return {
    revision,
    info: value.info === null ? null : parseInfo(value.info, revision, file),
    documents: parseDocuments(value.documents, file, 'documents'),
  };
}

export function journalPayload(info: RevisionInfo, delta: RevisionDelta): JournalPayload {
  return { revision: info.revision, info, upserts: delta.upserts, deletes: delta.deletes };
}
