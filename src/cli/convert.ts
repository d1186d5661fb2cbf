// `meshgate convert -f kong.yaml [-o out.yaml] [--lenient]`: a Kong declarative file as the
// equivalent Gateway API + meshgate documents (what the Kong family translates, so applying the
// output serves exactly what applying the Kong file does). Other documents pass through. Exit 1
// with one line per error, writing nothing; warnings go to standard error.
import fs from 'node:fs';
import yaml from 'js-yaml';
import type { DocumentError, InputDocument } from '../documents/types';
import type { JsonObject } from '../envoy/resource';
import { compile } from '../pipeline/compile';
import { convertKong, isKongConfiguration } from '../../translators/kong';
import { parseArgs, single, UsageError } from './args';
import { formatErrors, readDocuments, withFiles } from './input-files';

export const CONVERT_USAGE =
  'usage: meshgate convert -f <file|-> [-f ...] [-o out.yaml] [--lenient]\n\n' +
  'Writes the Gateway API and meshgate documents a Kong declarative file (decK _format_version "3.0") converts to.\n' +
  '--lenient: fields meshgate cannot honour are dropped with a warning instead of being errors.';

/** A document other than a Kong file, as it was given (core Secrets keep type/data at the top level). */
function passThrough(doc: InputDocument): JsonObject {
  const metadata: JsonObject = { name: doc.metadata.name, namespace: doc.metadata.namespace };
  if (doc.metadata.labels) metadata['labels'] = { ...doc.metadata.labels };
  if (doc.metadata.annotations) metadata['annotations'] = { ...doc.metadata.annotations };
  if (doc.kind === 'Secret' && doc.apiVersion === 'v1') return { apiVersion: doc.apiVersion, kind: doc.kind, metadata, ...doc.spec };
  return { apiVersion: doc.apiVersion, kind: doc.kind, metadata, spec: doc.spec };
}

/** Documents as one multi-document YAML stream (what convert prints). */
export function renderDocuments(documents: readonly JsonObject[]): string {
  return documents.map((d) => yaml.dump(d, { noRefs: true, lineWidth: -1 })).join('---\n');
}

export async function runConvert(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['-f', '-o'], switches: ['--lenient'], aliases: { '--filename': '-f', '--output': '-o' } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const files = args.values.get('-f') ?? [];
  if (files.length === 0) throw new UsageError('give at least one -f <file|->');
  const lenient = args.switches.has('--lenient');
  const read = readDocuments(files, { lenient });
  if (read.errors.length > 0) {
    process.stderr.write(formatErrors(read.errors) + '\n');
    return 1;
  }
  if (!read.documents.some(isKongConfiguration)) throw new UsageError('no Kong declarative file (a document with _format_version) among the inputs');
  const out: JsonObject[] = [];
  const errors: DocumentError[] = [];
  const warnings: string[] = [];
  for (const doc of read.documents) {
    if (!isKongConfiguration(doc)) {
      out.push(passThrough(doc));
      continue;
    }
    const conversion = convertKong(doc, { lenient });
    const ref = { kind: doc.kind, namespace: doc.metadata.namespace, name: doc.metadata.name };
    errors.push(...conversion.problems.errors.map((e) => ({ document: ref, path: e.path, reason: e.reason })));
    warnings.push(...conversion.problems.warnings.map((w) => `warning: ${ref.kind} ${ref.namespace}/${ref.name}: ${w.path}: ${w.reason}`));
    out.push(...conversion.documents);
  }
  if (errors.length === 0) {
    // What apply would refuse later (in Kong terms), refused now: a conversion that prints is one that applies.
    const outcome = compile(read.documents);
    if (!outcome.ok) errors.push(...outcome.errors);
  }
  if (errors.length > 0) {
    process.stderr.write(formatErrors(withFiles(errors, read)) + '\n');
    return 1;
  }
  for (const w of warnings) process.stderr.write(`${w}\n`);
  const text = `# Converted by meshgate convert from ${files.join(', ')}: Gateway API and meshgate documents.\n${renderDocuments(out)}`;
  const target = single(args, '-o');
  if (target) fs.writeFileSync(target, text);
  else process.stdout.write(text);
  return 0;
}
