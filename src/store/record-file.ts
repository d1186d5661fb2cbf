// One self-checking file: a JSON header line naming the format, the record type, the payload's
// length and its SHA-256, then the payload (JSON). A file whose header or checksum does not match
// is "damaged"; the caller decides whether that is a torn, never-acknowledged write or lost data.
import { createHash } from 'node:crypto';
import { StoreCorruptError } from './errors';

export const RECORD_FORMAT = 'meshgate-store/1';

export type RecordType = 'journal' | 'snapshot';

interface RecordHeader {
  readonly format: string;
  readonly type: RecordType;
  readonly revision: number;
  readonly bytes: number;
  readonly sha256: string;
}

export function encodeRecord(type: RecordType, revision: number, payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const header: RecordHeader = {
    format: RECORD_FORMAT,
    type,
    revision,
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
  };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), body]);
}

export type DecodedRecord = { readonly ok: true; readonly payload: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Verifies and parses a record. Damage (short file, bad checksum, unreadable header) comes back
 * as `ok: false`; a well-formed record of another format or type, or one whose header names a
 * different revision than its file name, is not damage but a real inconsistency and throws.
 */
export function decodeRecord(bytes: Buffer, expectedType: RecordType, expectedRevision: number, file: string): DecodedRecord {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) return { ok: false, reason: 'no complete header line' };
  let header: Partial<RecordHeader>;
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Partial<RecordHeader>;
  } catch {
    return { ok: false, reason: 'unreadable header' };
  }
  if (typeof header !== 'object' || header === null || typeof header.bytes !== 'number' || typeof header.sha256 !== 'string') {
    return { ok: false, reason: 'unreadable header' };
  }
  const body = bytes.subarray(newline + 1);
  if (body.length !== header.bytes) return { ok: false, reason: `payload is ${body.length} bytes, header says ${header.bytes}` };
  if (createHash('sha256').update(body).digest('hex') !== header.sha256) return { ok: false, reason: 'checksum mismatch' };
  if (header.format !== RECORD_FORMAT) {
    throw new StoreCorruptError(`unsupported store format "${String(header.format)}" (this meshgate reads ${RECORD_FORMAT})`, file);
  }
  if (header.type !== expectedType || header.revision !== expectedRevision) {
    throw new StoreCorruptError(`file holds ${String(header.type)} revision ${String(header.revision)}, expected ${expectedType} revision ${expectedRevision}`, file);
  }
  try {
    return { ok: true, payload: JSON.parse(body.toString('utf8')) as unknown };
  } catch (err) {
    // The checksum matched, so these are the bytes we wrote: not damage, a bug or a foreign file.
    throw new StoreCorruptError(`payload is not JSON: ${(err as Error).message}`, file);
  }
}
