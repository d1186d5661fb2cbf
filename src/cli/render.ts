// `meshgate render -f <files> --node-id ID [--node-cluster C] [--meta k=v]`: print, offline, the
// Envoy resources that node would receive (JSON grouped as listeners/routes/clusters/endpoints/secrets).
import { parseArgs, UsageError } from './args';
import { compileFiles, nodeFromArgs, servedResources } from './offline';

export const RENDER_USAGE = 'usage: meshgate render -f <file|dir|-> [-f ...] --node-id ID [--node-cluster C] [--meta key=value ...]';

export async function runRender(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['-f', '--node-id', '--node-cluster', '--meta'], aliases: { '--filename': '-f' } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const node = nodeFromArgs(args);
  const compiled = compileFiles(args.values.get('-f') ?? []);
  if (!compiled.ok) {
    process.stderr.write(compiled.message + '\n');
    return 1;
  }
  const served = servedResources(compiled.config, node);
  if (served.listeners.length + served.clusters.length === 0) {
    process.stderr.write(`warning: node "${node.id}" reads proxy group "${served.group}", which has no resources (groups: ${[...compiled.config.groups.keys()].join(', ') || 'none'})\n`);
  }
  process.stdout.write(JSON.stringify(served, null, 2) + '\n');
  return 0;
}
