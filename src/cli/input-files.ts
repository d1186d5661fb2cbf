// Reading policy files for the CLI: `-f` takes files, directories (their .yaml/.yml/.json files,
// sorted) or "-" for standard input; every document keeps the name of the file it came from.
// Kong files get what the CLI adds for them: `--lenient` (stored as the meshgate.io/lenient
// annotation) and the text of the .proto files that grpc-gateway plugins name (relative to the
// Kong file), so the document is complete wherever it is sent.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { KONG_CONFIGURATION_KIND, parseDocuments, parseRawDocuments, wrapKongFile } from '../documents/parse';
import type { DocumentError, InputDocument } from '../documents/types';
import type { JsonObject, JsonValue } from '../envoy/resource';

/** Set on KongConfiguration documents by --lenient (see translators/kong). */
export const LENIENT_ANNOTATION = 'meshgate.io/lenient';

export interface KongFileOptions {
  /** Mark Kong documents lenient: fields meshgate cannot honour become warnings. */
  readonly lenient?: boolean;
}

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

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The grpc-gateway plugins of a Kong file (wherever plugins nest), with their paths. */
function grpcGatewayPlugins(value: JsonValue, where: string, out: { plugin: JsonObject; path: string }[] = []): { plugin: JsonObject; path: string }[] {
  if (Array.isArray(value)) value.forEach((v, i) => grpcGatewayPlugins(v, `${where}[${i}]`, out));
  else if (isObject(value)) {
    if (value['name'] === 'grpc-gateway' && isObject(value['config'])) out.push({ plugin: value, path: where });
    for (const [k, v] of Object.entries(value)) if (k !== 'config') grpcGatewayPlugins(v, where ? `${where}.${k}` : k, out);
  }
  return out;
}

/**
 * A Kong document (bare decK file or KongConfiguration envelope) as the CLI sends it: grpc-gateway
 * config.proto file names replaced by the files' text, and the lenient annotation when asked.
 * Other values are returned unchanged. `file` is the file it came from ("-": standard input).
 */
export function prepareKongValue(raw: JsonValue, file: string, options: KongFileOptions, index: number, errors: FileError[]): JsonValue {
  const value = wrapKongFile(raw);
  if (!isObject(value) || value['kind'] !== KONG_CONFIGURATION_KIND || !isObject(value['spec'])) return raw;
  const copy = JSON.parse(JSON.stringify(value)) as JsonObject;
  const spec = copy['spec'] as JsonObject;
  for (const { plugin, path: where } of grpcGatewayPlugins(spec, '')) {
    const config = plugin['config'] as JsonObject;
    const proto = config['proto'];
    if (typeof proto !== 'string' || /\n/.test(proto)) continue;
    const base = file === '-' ? process.cwd() : path.dirname(file);
    const target = path.resolve(base, proto);
    try {
      config['proto'] = fs.readFileSync(target, 'utf8');
    } catch (err) {
      errors.push({ file, index, path: `${where}.config.proto`, reason: `cannot read ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  if (options.lenient) {
    const metadata = isObject(copy['metadata']) ? copy['metadata'] : {};
    const annotations = isObject(metadata['annotations']) ? metadata['annotations'] : {};
    copy['metadata'] = { ...metadata, annotations: { ...annotations, [LENIENT_ANNOTATION]: 'true' } };
  }
  return copy;
}

/** A file's text with its Kong documents prepared (unchanged text when it holds none). */
export function prepareText(text: string, file: string, options: KongFileOptions, errors: FileError[]): string {
  const raw = parseRawDocuments(text);
  if (raw.errors.length > 0) return text;
  let changed = false;
  const values = raw.values.map((v, i) => {
    const prepared = prepareKongValue(v, file, options, i, errors);
    if (prepared !== v) changed = true;
    return prepared;
  });
  return changed ? values.map((v) => yaml.dump(v, { noRefs: true, lineWidth: -1 })).join('---\n') : text;
}

export function readDocuments(targets: readonly string[], options: KongFileOptions = {}): ReadDocuments {
  const documents: InputDocument[] = [];
  const files: string[] = [];
  const errors: FileError[] = [];
  for (const file of targets.flatMap(expand)) {
    const parsed = parseDocuments(prepareText(readText(file), file, options, errors));
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
