// `meshgate validate -f <files>`: parse, translate and check the policy offline, exactly as
// /v1/apply would, without a server. Exit 1 with one line per error.
import { parseArgs, UsageError } from './args';
import { compileFiles, trustDomainFromArgs } from './offline';

export const VALIDATE_USAGE =
  'usage: meshgate validate -f <file|dir|-> [-f ...] [--trust-domain TD] [--lenient]\n\n--lenient: Kong fields meshgate cannot honour are warnings (and dropped) instead of errors.';

export async function runValidate(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['-f', '--trust-domain'], switches: ['--lenient'], aliases: { '--filename': '-f' } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const trustDomain = trustDomainFromArgs(args);
  const compiled = compileFiles(args.values.get('-f') ?? [], { lenient: args.switches.has('--lenient'), ...(trustDomain ? { trustDomain } : {}) });
  if (!compiled.ok) {
    process.stderr.write(compiled.message + '\n');
    return 1;
  }
  for (const status of compiled.config.statuses) for (const w of status.warnings ?? []) process.stderr.write(`warning: ${status.document.kind} ${status.document.namespace}/${status.document.name}: ${w}\n`);
  const groups = [...compiled.config.groups.entries()].map(([g, rs]) => `${g} (${rs.length} resources)`);
  process.stdout.write(`valid: ${groups.length} proxy group(s)${groups.length ? ': ' + groups.join(', ') : ''}\n`);
  return 0;
}
