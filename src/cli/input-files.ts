// Reading policy files for the CLI: `-f` takes files, directories (their .yaml/.yml/.json files,
// sorted) or "-" for standard input; every document keeps the name of the file it came from.
import fs from 'node:fs';
import path from 'node:path';
import { parseDocuments } from '../documents/parse';
import type { DocumentError, InputDocument } from '../documents/types';

export interface FileError extends DocumentError {
  readonly file: string;
}

function expand(target: string): string[] {
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

export function readDocuments(targets: readonly string[]): { documents: InputDocument[]; errors: FileError[] } {
  const documents: InputDocument[] = [];
  const errors: FileError[] = [];
  for (const file of targets.flatMap(expand)) {
    const parsed = parseDocuments(readText(file));
    documents.push(...parsed.documents);
    errors.push(...parsed.errors.map((e) => ({ ...e, file })));
  }
  return { documents, errors };
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
