// Who calls, for a mesh explain: the sidecar proxy group named by `from` (a group, a workload, or a
// namespace + service account), and what of its configuration explain needs (capture mode,
// egress listeners), read back from the Envoy resources it is served, so explain works on what a
// running control plane serves as well as on a freshly compiled IR.
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import type { Workload } from '../ir/mesh';
import { VIRTUAL_OUTBOUND_LISTENER } from '../xds/mesh/names';
import { num, obj, objs, str } from './json';

/** The groups a control plane (or an offline compile) serves; ConfigService has this shape. */
export interface MeshGroups {
  groupNames(): string[];
  groupResources(group: string): readonly EnvoyResource[] | undefined;
  /** The workload a sidecar group fronts; undefined for gateways. */
  meshWorkloadOf(group: string): Workload | undefined;
}

/** One of: group; workload ("<namespace>/<name>", or a name with namespace); namespace + serviceAccount. */
export interface MeshFrom {
  readonly group?: string;
  readonly workload?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

export interface MeshCallerView {
  readonly name: string;
  readonly mesh: { readonly captureMode: 'explicit' | 'transparent'; readonly outbound: readonly { readonly port: number; readonly address: string }[] };
}

export interface ResolvedCaller {
  readonly group: string;
  readonly workload: Workload;
  readonly resources: readonly EnvoyResource[];
}

/** A request problem: the field it is about, the HTTP status it deserves (400 bad, 404 unknown). */
export interface CallerProblem {
  readonly status: 400 | 404;
  readonly field: string;
  readonly message: string;
}

function sidecarGroups(groups: MeshGroups): string[] {
  return groups.groupNames().filter((g) => groups.meshWorkloadOf(g) !== undefined);
}

function found(groups: MeshGroups, group: string): ResolvedCaller | undefined {
  const workload = groups.meshWorkloadOf(group);
  const resources = groups.groupResources(group);
  return workload && resources ? { group, workload, resources } : undefined;
}

export function resolveCaller(groups: MeshGroups, from: MeshFrom): ResolvedCaller | CallerProblem {
  const known = (): string => sidecarGroups(groups).join(', ') || 'none';
  const given = (['group', 'workload', 'serviceAccount'] as const).filter((k) => from[k] !== undefined);
  if (given.length > 1) return { status: 400, field: `from.${given[1]}`, message: `from: give one of group, workload, or namespace with serviceAccount (got ${given.join(' and ')})` };
  if (from.group !== undefined) {
    if (from.namespace !== undefined) return { status: 400, field: 'from.namespace', message: 'from.namespace does not go with from.group (the group names the workload)' };
    return found(groups, from.group) ?? { status: 404, field: 'from.group', message: `no sidecar proxy group "${from.group}" (known: ${known()})` };
  }
  if (from.workload !== undefined) {
    const slash = from.workload.indexOf('/');
    const ns = slash >= 0 ? from.workload.slice(0, slash) : from.namespace ?? 'default';
    const name = slash >= 0 ? from.workload.slice(slash + 1) : from.workload;
    if (slash >= 0 && from.namespace !== undefined && from.namespace !== ns) return { status: 400, field: 'from.namespace', message: `from.namespace ${from.namespace} contradicts from.workload ${from.workload}` };
    const group = sidecarGroups(groups).find((g) => groups.meshWorkloadOf(g)?.name === `${ns}/${name}`);
    return (group && found(groups, group)) || { status: 404, field: 'from.workload', message: `no sidecar fronts workload ${ns}/${name} (known: ${known()})` };
  }
  if (from.serviceAccount !== undefined) {
    if (from.namespace === undefined) return { status: 400, field: 'from.namespace', message: 'from.serviceAccount needs from.namespace' };
    const matches = sidecarGroups(groups).filter((g) => {
      const id = groups.meshWorkloadOf(g)?.identity;
      return id !== undefined && id.namespace === from.namespace && id.serviceAccount === from.serviceAccount;
    });
    if (matches.length === 0) return { status: 404, field: 'from.serviceAccount', message: `no sidecar runs as ${from.namespace}/${from.serviceAccount} (known: ${known()})` };
    // Workloads of one identity may still differ (labels pick routes): make the caller say which.
    if (matches.length > 1) return { status: 400, field: 'from.workload', message: `several sidecars run as ${from.namespace}/${from.serviceAccount} (${matches.join(', ')}): name one with from.workload or from.group` };
    return found(groups, matches[0]!)!;
  }
  return { status: 400, field: 'from', message: 'from needs group, workload, or namespace with serviceAccount' };
}

export function isCallerProblem(r: ResolvedCaller | CallerProblem): r is CallerProblem {
  return 'status' in r;
}

/** Capture mode and egress listeners, as the served listeners show them. */
export function callerView(group: string, resources: readonly EnvoyResource[]): MeshCallerView {
  const listeners = resources.filter((r) => r.typeUrl === TypeUrl.Listener);
  const transparent = listeners.some((r) => r.name === VIRTUAL_OUTBOUND_LISTENER);
  const outbound = listeners
    .map((r) => r.json)
    .filter((l: JsonObject) => objs(l, 'filter_chains').some((c) => /^outbound\|/.test(str(c, 'name') ?? '')))
    .flatMap((l) => {
      const socket = obj(obj(l, 'address'), 'socket_address');
      const port = num(socket, 'port_value');
      const address = str(socket, 'address');
      return port !== undefined && address !== undefined ? [{ port, address }] : [];
    });
  return { name: group, mesh: { captureMode: transparent ? 'transparent' : 'explicit', outbound } };
}
