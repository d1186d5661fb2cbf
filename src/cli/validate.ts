// `meshgate validate -f <files>`: parse, translate and check the policy offline, exactly as
// /v1/apply would, without a server. Exit 1 with one line per error.
import { parseArgs, UsageError } from './args';
import { compileFiles, trustDomainFromArgs } from './offline';

export const VALIDATE_USAGE = 'usage: meshgate validate -f <file|dir|-> [-f ...] [--trust-domain TD]';

export async function runValidate(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['-f', '--trust-domain'], aliases: { '--filename': '-f' } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const trustDomain = trustDomainFromArgs(args);
  const compiled = compileFiles(args.values.get('-f') ?? [], trustDomain ? { trustDomain } : {});
  if (!compiled.ok) {
    process.stderr.write(compiled.message + '\n');
    return 1;
  }
  const groups = [...compiled.config.groups.entries()].map(([g, rs]) => `${g} (${rs.length} resources)`);
  process.stdout.write(`valid: ${groups.length} proxy group(s)${groups.length ? ': ' + groups.join(', ') : ''}\n`);
  return 0;
}
