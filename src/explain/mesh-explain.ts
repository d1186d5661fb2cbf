// explain for a mesh request, end to end: the caller's sidecar routes it (outbound listener,
// route, subset cluster: mesh-routing.ts), then each endpoint that is itself a sidecar workload
// decides on its inbound side (PeerAuthentication, RequestAuthentication, AuthorizationPolicy:
// mesh-authorization.ts), seeing the request as the caller's sidecar sends it (rewritten host,
// path and headers; mTLS with the caller's identity when the cluster uses mesh mTLS).
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import { spiffeIdOf, WORKLOAD_CERTIFICATE_SECRET, type Workload } from '../ir/mesh';
import { obj, objs, str } from './json';
import { explainMeshAuthorization, type MeshAuthorizationResult, type MeshAuthorizationStep } from './mesh-authorization';
import { callerView, isCallerProblem, resolveCaller, type CallerProblem, type MeshFrom, type MeshGroups } from './mesh-caller';
import { explainMeshRequest, type MeshDestination } from './mesh-routing';
import type { ExplainDecision, ExplainResult } from './types';

export interface MeshExplainRequest {
  readonly from: MeshFrom;
  /** The service as the app addresses it: "reviews", "reviews.default", an FQDN, optionally with ":port". */
  readonly host: string;
  readonly port: number;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Transparent capture: the IP the app connected to. */
  readonly destinationIp?: string;
  /** Claims of a JWT the request carries (checked by the destination's RequestAuthentication). */
  readonly jwt?: JsonObject;
}

export interface InboundCheck {
  /** "<address>:<port>" of the endpoint. */
  readonly endpoint: string;
  /** The sidecar group at that endpoint; absent when no mesh workload has its address. */
  readonly group?: string;
  readonly decision: MeshAuthorizationResult['decision'] | 'no_sidecar';
  readonly status?: number;
  /** The AuthorizationPolicy rule that decided: "<ns>/<policy>[rules[i]]". */
  readonly decidedBy?: string;
  readonly summary: string;
  readonly steps: readonly MeshAuthorizationStep[];
}

export interface MeshExplainDestination extends MeshDestination {
  /** The caller's sidecar calls this cluster with mesh mTLS (so the destination sees its identity). */
  readonly mtls: boolean;
  readonly inbound: readonly InboundCheck[];
}

export interface MeshExplainResult {
  readonly kind: 'mesh';
  readonly from: { readonly group: string; readonly workload: string; readonly principal: string };
  readonly captureMode: 'explicit' | 'transparent';
  readonly listener?: string;
  readonly route?: string;
  /** The outbound decision (forward, or why not). */
  readonly decision: ExplainDecision;
  readonly status?: number;
  readonly destinations: readonly MeshExplainDestination[];
  /** Over every endpoint with a sidecar: all allowed, all denied, some of each, undecidable; none: no endpoint has one. */
  readonly authorization: 'allowed' | 'denied' | 'mixed' | 'unknown' | 'none';
  readonly steps: readonly string[];
  readonly outbound: ExplainResult;
}

function usesMeshMtls(resources: readonly EnvoyResource[], cluster: string): boolean {
  const json = resources.find((r) => r.typeUrl === TypeUrl.Cluster && r.name === cluster)?.json;
  const context = obj(obj(obj(json, 'transport_socket'), 'typed_config'), 'common_tls_context');
  return objs(context, 'tls_certificate_sds_secret_configs').some((c) => str(c, 'name') === WORKLOAD_CERTIFICATE_SECRET);
}

function sidecarAt(groups: MeshGroups, address: string): string | undefined {
  return groups.groupNames().find((g) => groups.meshWorkloadOf(g)?.address === address);
}

function overall(checks: readonly InboundCheck[]): MeshExplainResult['authorization'] {
  const decided = checks.filter((c) => c.decision !== 'no_sidecar').map((c) => (c.decision === 'allowed' ? 'allowed' : c.decision === 'unknown' ? 'unknown' : 'denied'));
  if (decided.length === 0) return 'none';
  if (decided.includes('unknown')) return 'unknown';
  return decided.every((d) => d === 'allowed') ? 'allowed' : decided.every((d) => d === 'denied') ? 'denied' : 'mixed';
}

function inboundCheck(groups: MeshGroups, caller: Workload, endpoint: string, mtls: boolean, outbound: ExplainResult, request: MeshExplainRequest): InboundCheck {
  const colon = endpoint.lastIndexOf(':');
  const address = endpoint.slice(0, colon);
  const port = Number(endpoint.slice(colon + 1));
  const group = sidecarAt(groups, address);
  const resources = group ? groups.groupResources(group) : undefined;
  if (!group || !resources) return { endpoint, decision: 'no_sidecar', summary: 'no mesh workload has this address: no inbound authorization', steps: [] };
  const upstream = outbound.upstream;
  const source = { ...(mtls ? { principal: spiffeIdOf(caller.identity) } : {}), ...(caller.address ? { ip: caller.address } : {}) };
  const result = explainMeshAuthorization(resources, {
    port,
    host: upstream?.rewrittenHost ?? request.host,
    method: request.method ?? 'GET',
    path: upstream?.rewrittenPath ?? request.path ?? '/',
    headers: upstream?.requestHeaders ?? request.headers ?? {},
    source,
    destinationIp: address,
    ...(request.jwt ? { jwt: request.jwt } : {}),
  });
  return {
    endpoint,
    group,
    decision: result.decision,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.decidedBy !== undefined ? { decidedBy: result.decidedBy } : {}),
    summary: result.summary,
    steps: result.steps,
  };
}

/** The whole walk, or the problem with `from` (which field, 400 or 404). */
export function explainMeshCall(groups: MeshGroups, request: MeshExplainRequest): MeshExplainResult | CallerProblem {
  const caller = resolveCaller(groups, request.from);
  if (isCallerProblem(caller)) return caller;
  const routing = explainMeshRequest(callerView(caller.group, caller.resources), caller.resources, {
    service: request.host,
    port: request.port,
    ...(request.method !== undefined ? { method: request.method } : {}),
    ...(request.path !== undefined ? { path: request.path } : {}),
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.destinationIp !== undefined ? { destinationIp: request.destinationIp } : {}),
  });
  const principal = spiffeIdOf(caller.workload.identity);
  const steps = [`from ${caller.group} (workload ${caller.workload.name}, ${principal})`, ...routing.explain.steps.map((s) => `outbound: ${s}`)];
  const destinations = routing.destinations.map((d): MeshExplainDestination => {
    const mtls = usesMeshMtls(caller.resources, d.cluster);
    const inbound = d.endpoints.map((e) => inboundCheck(groups, caller.workload, e, mtls, routing.explain, request));
    for (const check of inbound) steps.push(`inbound ${d.cluster} → ${check.endpoint}${check.group ? ` (${check.group}, ${mtls ? 'mTLS' : 'plain text'})` : ''}: ${check.summary}`);
    return { ...d, mtls, inbound };
  });
  const status = routing.explain.status;
  return {
    kind: 'mesh',
    from: { group: caller.group, workload: caller.workload.name, principal },
    captureMode: routing.captureMode,
    ...(routing.listener ? { listener: routing.listener } : {}),
    ...(routing.route ? { route: routing.route } : {}),
    decision: routing.explain.decision,
    ...(status !== undefined ? { status } : {}),
    destinations,
    authorization: overall(destinations.flatMap((d) => d.inbound)),
    steps,
    outbound: routing.explain,
  };
}
