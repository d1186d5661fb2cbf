// `meshgate apply -f <files> [--dry-run]`: a client of the admin API's POST /v1/apply. The server is
// MESHGATE_ADMIN_URL (default http://127.0.0.1:9000) and the token MESHGATE_ADMIN_TOKEN.
import { parseArgs, single, UsageError } from './args';
import { expand, formatErrors, prepareText, readText, type FileError } from './input-files';

export const APPLY_USAGE =
  'usage: meshgate apply -f <file|-> [-f ...] [--dry-run] [--lenient] [--server URL] [--message TEXT]\n\n' +
  '--lenient: Kong fields meshgate cannot honour are warnings (and dropped) instead of errors; stored with the document.';

interface ApplyAnswer {
  revision: number;
  changed: boolean;
  dryRun: boolean;
  documents: { ref: { kind: string; namespace: string; name: string }; outcome: string }[];
  diff?: { group: string; added: unknown[]; changed: unknown[]; removed: unknown[] }[];
}

interface ErrorAnswer {
  error: { code: string; message: string; details?: { document?: { kind: string; namespace: string; name: string }; index?: number; path?: string; reason?: string }[] };
}

export async function runApply(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['-f', '--server', '--message'], switches: ['--dry-run', '--lenient'], aliases: { '--filename': '-f' } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const files = args.values.get('-f') ?? [];
  if (files.length === 0) throw new UsageError('give at least one -f <file|->');
  // Several files (or a directory's files) are sent as one multi-document request: one revision,
  // all or nothing. Kong files carry the text of the .proto files they name (see input-files.ts).
  const problems: FileError[] = [];
  const body = files.flatMap(expand).map((f) => prepareText(readText(f), f, {}, problems)).join('\n---\n');
  if (problems.length > 0) {
    process.stderr.write(formatErrors(problems) + '\n');
    return 1;
  }
  const server = (single(args, '--server') ?? process.env['MESHGATE_ADMIN_URL'] ?? 'http://127.0.0.1:9000').replace(/\/$/, '');
  const query = new URLSearchParams();
  if (args.switches.has('--dry-run')) query.set('dryRun', 'true');
  if (args.switches.has('--lenient')) query.set('lenient', 'true');
  const message = single(args, '--message');
  if (message) query.set('message', message);
  const token = process.env['MESHGATE_ADMIN_TOKEN'];
  const response = await fetch(`${server}/v1/apply${query.size ? '?' + query.toString() : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const answer = (await response.json()) as ApplyAnswer | ErrorAnswer;
  if ('error' in answer) {
    process.stderr.write(`error: ${answer.error.message}\n`);
    for (const d of answer.error.details ?? []) {
      const doc = d.document ? `${d.document.kind} ${d.document.namespace}/${d.document.name}` : d.index !== undefined ? `document #${d.index + 1}` : '';
      process.stderr.write(`  ${[doc, d.path].filter(Boolean).join(': ')}: ${d.reason}\n`);
    }
    return 1;
  }
  for (const d of answer.documents) process.stdout.write(`${d.ref.kind} ${d.ref.namespace}/${d.ref.name} ${d.outcome}${answer.dryRun ? ' (dry run)' : ''}\n`);
  for (const g of answer.diff ?? []) process.stdout.write(`proxy group ${g.group}: ${g.added.length} added, ${g.changed.length} changed, ${g.removed.length} removed\n`);
  process.stdout.write(answer.dryRun ? `dry run against revision ${answer.revision}: nothing stored\n` : `revision ${answer.revision}\n`);
  return 0;
}
