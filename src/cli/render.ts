// `meshgate render -f <files> --node-id ID [--node-cluster C] [--meta k=v]`: print, offline, the
// Envoy resources that node would receive (JSON grouped as listeners/routes/clusters/endpoints/secrets).
import { parseArgs, single, UsageError } from './args';
import { compileFiles, nodeFromArgs, servedResources, trustDomainFromArgs, withMeshSecrets } from './offline';

export const RENDER_USAGE =
  'usage: meshgate render -f <file|dir|-> [-f ...] --node-id ID [--node-cluster C] [--meta key=value ...] [--data-dir DIR] [--trust-domain TD] [--lenient]\n\n' +
  'Sidecar groups include their SDS Secrets (private keys redacted), issued by the CA in --data-dir when it has one,\n' +
  'else by a throwaway CA. --lenient: Kong fields meshgate cannot honour are warnings (and dropped) instead of errors.';

export async function runRender(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['-f', '--node-id', '--node-cluster', '--meta', '--data-dir', '--trust-domain'], switches: ['--lenient'], aliases: { '--filename': '-f' } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const node = nodeFromArgs(args);
  const trustDomain = trustDomainFromArgs(args);
  const compiled = compileFiles(args.values.get('-f') ?? [], { lenient: args.switches.has('--lenient'), ...(trustDomain ? { trustDomain } : {}) });
  if (!compiled.ok) {
    process.stderr.write(compiled.message + '\n');
    return 1;
  }
  const dataDir = single(args, '--data-dir') ?? (process.env['MESHGATE_DATA_DIR'] || undefined);
  const { config } = await withMeshSecrets(compiled.config, { ...(dataDir ? { dataDir } : {}), ...(trustDomain ? { trustDomain } : {}) });
  const served = servedResources(config, node);
  if (served.listeners.length + served.clusters.length === 0) {
    process.stderr.write(`warning: node "${node.id}" reads proxy group "${served.group}", which has no resources (groups: ${[...compiled.config.groups.keys()].join(', ') || 'none'})\n`);
  }
  process.stdout.write(JSON.stringify(served, null, 2) + '\n');
  return 0;
}
