// `meshgate explain -f <files> --node-id ID ... --port 8080 --host example.com --path /x`: how the
// node's Envoy would handle that request, computed offline from the policy files. With --from-*
// instead of a node it is a mesh request (explain-mesh.ts).
import { explainRequest } from '../explain';
import type { MeshFrom } from '../explain/mesh-caller';
import type { NodeInfo } from '../server/observer';
import { MESH_FROM_FLAGS, meshFromArgs, runMeshExplain } from './explain-mesh';
import { pairs, parseArgs, single, UsageError } from './args';
import { compileFiles, nodeFromArgs, trustDomainFromArgs } from './offline';
import { defaultNodeGroupResolver } from '../cache';

export const EXPLAIN_USAGE =
  'usage: meshgate explain -f <file|dir|-> --node-id ID [--node-cluster C] [--meta k=v] --port N --host H [--path /p] [--method GET] [--header k=v ...] [--sni S] [--tls] [--source-ip IP] [--trust-domain TD] [--json]\n' +
  '       meshgate explain -f <file|dir|-> (--from-workload NS/NAME | --from-group sidecar/NS/NAME | --from-namespace NS --from-service-account SA) --port N --host SERVICE [--path /p] [--method GET] [--header k=v ...] [--jwt-claims JSON] [--trust-domain TD] [--json]';

export async function runExplain(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['-f', '--node-id', '--node-cluster', '--meta', '--port', '--host', '--path', '--method', '--header', '--sni', '--source-ip', '--trust-domain', ...MESH_FROM_FLAGS],
    switches: ['--tls', '--json'],
    aliases: { '--filename': '-f' },
  });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const from = meshFromArgs(args);
  if (from) {
    const clash = ['--node-id', '--node-cluster', '--meta', '--sni', '--source-ip'].find((f) => args.values.has(f)) ?? (args.switches.has('--tls') ? '--tls' : undefined);
    if (clash) throw new UsageError(`${clash} does not go with --from-*: a mesh request starts at the calling workload's sidecar`);
  } else if (args.values.has('--jwt-claims')) throw new UsageError('--jwt-claims needs a mesh request (--from-*)');
  const caller: { readonly mesh: MeshFrom } | { readonly node: NodeInfo } = from ? { mesh: from } : { node: nodeFromArgs(args) };
  const port = Number(single(args, '--port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port must be a port number');
  const host = single(args, '--host');
  if (!host) throw new UsageError('--host is required');
  const trustDomain = trustDomainFromArgs(args);
  const compiled = compileFiles(args.values.get('-f') ?? [], trustDomain ? { trustDomain } : {});
  if (!compiled.ok) {
    process.stderr.write(compiled.message + '\n');
    return 1;
  }
  if ('mesh' in caller) {
    const method = (single(args, '--method') ?? 'GET').toUpperCase();
    return runMeshExplain(compiled.config, { from: caller.mesh, host, port, method, path: single(args, '--path') ?? '/', headers: pairs(args, '--header') }, args);
  }
  const node = caller.node;
  const group = defaultNodeGroupResolver(node);
  const resources = compiled.config.groups.get(group) ?? [];
  const sni = single(args, '--sni');
  const sourceIp = single(args, '--source-ip');
  const result = explainRequest(resources, {
    port,
    host,
    path: single(args, '--path') ?? '/',
    method: (single(args, '--method') ?? 'GET').toUpperCase(),
    headers: pairs(args, '--header'),
    ...(sni ? { sni } : {}),
    ...(sourceIp ? { sourceIp } : {}),
    ...(args.switches.has('--tls') ? { tls: true } : {}),
  });
  if (args.switches.has('--json')) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  // The last step is already the "decision: …" line.
  else process.stdout.write(`proxy group: ${group}\n${result.steps.join('\n')}\n`);
  return 0;
}
