// `meshgate explain -f <files> --from-workload demo/frontend --host catalog --port 8080 [...]`: the
// mesh form of explain, offline: the caller sidecar's outbound route and cluster, and each
// destination endpoint's inbound authorization, as POST /v1/explain answers a mesh request.
import type { JsonObject } from '../envoy/resource';
import type { MeshFrom, MeshGroups } from '../explain/mesh-caller';
import { explainMeshCall } from '../explain/mesh-explain';
import type { CompiledConfig } from '../pipeline/compile';
import { single, UsageError, type ParsedArgs } from './args';

/** The request field a problem names → the flag that sets it. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  'from.group': '--from-group',
  'from.workload': '--from-workload',
  'from.namespace': '--from-namespace',
  'from.serviceAccount': '--from-service-account',
};

export const MESH_FROM_FLAGS = ['--from-group', '--from-workload', '--from-namespace', '--from-service-account', '--jwt-claims'] as const;

/** The caller the --from-* flags name, or undefined for a gateway (node) explain. */
export function meshFromArgs(args: ParsedArgs): MeshFrom | undefined {
  const group = single(args, '--from-group');
  const workload = single(args, '--from-workload');
  const namespace = single(args, '--from-namespace');
  const serviceAccount = single(args, '--from-service-account');
  if (group === undefined && workload === undefined && namespace === undefined && serviceAccount === undefined) return undefined;
  return { ...(group !== undefined ? { group } : {}), ...(workload !== undefined ? { workload } : {}), ...(namespace !== undefined ? { namespace } : {}), ...(serviceAccount !== undefined ? { serviceAccount } : {}) };
}

function jwtClaims(args: ParsedArgs): JsonObject | undefined {
  const text = single(args, '--jwt-claims');
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError('--jwt-claims takes a JSON object, e.g. {"iss":"https://issuer","sub":"alice"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--jwt-claims takes a JSON object');
  return parsed as JsonObject;
}

/** The compiled groups as explain asks for them (what a running control plane's ConfigService answers). */
export function compiledMeshGroups(config: CompiledConfig): MeshGroups {
  return {
    groupNames: () => [...config.groups.keys()].sort(),
    groupResources: (group) => config.groups.get(group),
    meshWorkloadOf: (group) => config.ir.proxies.find((p) => p.name === group)?.mesh?.workload,
  };
}

export interface MeshExplainArgs {
  readonly from: MeshFrom;
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Exit 0 with the walk (or its JSON); exit 1 with a message naming the flag when the caller is unknown or ambiguous. */
export function runMeshExplain(config: CompiledConfig, request: MeshExplainArgs, args: ParsedArgs): number {
  const jwt = jwtClaims(args);
  const result = explainMeshCall(compiledMeshGroups(config), { ...request, ...(jwt ? { jwt } : {}) });
  if ('field' in result) {
    const flag = FLAG_OF_FIELD[result.field] ?? '--from-workload';
    process.stderr.write(`meshgate explain: ${flag}: ${result.message}\n`);
    return 1;
  }
  if (args.switches.has('--json')) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  const decided = result.destinations.map((d) => `${d.cluster} ${d.percent}%`).join(', ');
  process.stdout.write(`${result.steps.join('\n')}\nroute: ${result.route ?? 'none'}${decided ? ` → ${decided}` : ''}\nauthorization: ${result.authorization}\n`);
  return 0;
}
