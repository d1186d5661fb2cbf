// Reading policy files for the CLI: `-f` takes files, directories (their .yaml/.yml/.json files,
// sorted) or "-" for standard input; every document keeps the name of the file it came from.
import fs from 'node:fs';
import path from 'node:path';
import { parseDocuments } from '../documents/parse';
import type { DocumentError, InputDocument } from '../documents/types';

export interface FileError extends DocumentError {
  readonly file: string;
}

/** A -f target as files: itself, or a directory's .yaml/.yml/.json files (sorted). */
export function expand(target: string): string[] {
  if (target === '-') return ['-'];
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) throw new Error(`no such file or directory: ${target}`);
  if (!stat.isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => path.join(target, f));
}

export function readText(file: string): string {
  return file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
}

export interface ReadDocuments {
  readonly documents: InputDocument[];
  /** The file each document came from (same order as documents). */
  readonly files: string[];
  readonly errors: FileError[];
}

export function readDocuments(targets: readonly string[]): ReadDocuments {
  const documents: InputDocument[] = [];
  const files: string[] = [];
  const errors: FileError[] = [];
  for (const file of targets.flatMap(expand)) {
    const parsed = parseDocuments(readText(file));
    documents.push(...parsed.documents);
    files.push(...parsed.documents.map(() => file));
    errors.push(...parsed.errors.map((e) => ({ ...e, file })));
  }
  return { documents, files, errors };
}

/**
 * Errors found after reading (translation, Envoy's rules) name a document, not a file: add the
 * file that document came from so every line says where to look.
 */
export function withFiles(errors: readonly DocumentError[], read: ReadDocuments): (DocumentError & { file?: string })[] {
  return errors.map((e) => {
    const ref = e.document;
    if (!ref) return e;
    const at = read.documents.findIndex((d) => d.kind === ref.kind && d.metadata.namespace === ref.namespace && d.metadata.name === ref.name);
    return at >= 0 ? { ...e, file: read.files[at]! } : e;
  });
}

/** One line per error: file, document, field path and reason. */
export function formatErrors(errors: readonly (DocumentError & { file?: string })[]): string {
  return errors
    .map((e) => {
      const doc = e.document ? `${e.document.kind} ${e.document.namespace}/${e.document.name}` : e.index !== undefined ? `document #${e.index + 1}` : '';
      return `error: ${[e.file, doc, e.path].filter(Boolean).join(': ')}: ${e.reason}`;
    })
    .join('\n');
}
