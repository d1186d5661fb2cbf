// explain for the mesh: a request from workload A (its sidecar proxy group) to service B, walked
// through A's outbound side as Envoy would. Explicit capture: the app connects to the egress
// listener (127.0.0.1:<port> unless the Sidecar binds elsewhere). Transparent capture: iptables
// sends the connection to virtualOutbound (15001), whose use_original_dst hands it to the
// listener bound to the original destination (0.0.0.0:<port>). The report names the route, and
// for each cluster the Istio destination it stands for (service host, port, subset).
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { explainRequest } from './index';
import type { MeshCallerView } from './mesh-caller';
import type { ExplainResult } from './types';

export interface MeshRequest {
  /** The service as the app addresses it: "catalog", "catalog.demo", an FQDN or a ServiceEntry address, optionally with ":port". */
  readonly service: string;
  readonly port: number;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Transparent capture: the IP the app connected to (a ServiceEntry address); defaults to 0.0.0.0 matching. */
  readonly destinationIp?: string;
}

export interface MeshDestination {
  readonly cluster: string;
  /** Share of requests, 0–100. */
  readonly percent: number;
  /** Parsed from Istio's cluster name outbound|<port>|<subset>|<host>; absent for other clusters. */
  readonly host?: string;
  readonly port?: number;
  readonly subset?: string;
  readonly endpoints: readonly string[];
}

export interface MeshRoutingResult {
  readonly from: string;
  readonly captureMode: 'explicit' | 'transparent';
  /** The Envoy listener that took the connection. */
  readonly listener?: string;
  readonly route?: string;
  readonly destinations: readonly MeshDestination[];
  readonly mirrors: readonly MeshDestination[];
  /** The route's fault injection (envoy.filters.http.fault per-route config), if any. */
  readonly fault?: JsonObject;
  readonly explain: ExplainResult;
}

export function parseOutboundCluster(name: string): { host: string; port: number; subset?: string } | undefined {
  const m = /^outbound\|([0-9]+)\|([^|]*)\|(.+)$/.exec(name);
  if (!m) return undefined;
  return { port: Number(m[1]), host: m[3]!, ...(m[2] ? { subset: m[2] } : {}) };
}

function destination(cluster: string, percent: number, endpoints: readonly string[]): MeshDestination {
  const parsed = parseOutboundCluster(cluster);
  return { cluster, percent, ...(parsed ?? {}), endpoints };
}

function routeFault(resources: readonly EnvoyResource[], routeConfig: string | undefined, routeName: string | undefined): JsonObject | undefined {
  if (!routeConfig || !routeName) return undefined;
  const table = resources.find((r) => r.typeUrl.endsWith('RouteConfiguration') && r.name === routeConfig)?.json;
  const hosts = (table?.['virtual_hosts'] ?? []) as JsonObject[];
  for (const vh of hosts) {
    for (const route of (vh['routes'] ?? []) as JsonObject[]) {
      if (route['name'] !== routeName) continue;
      const perFilter = route['typed_per_filter_config'] as JsonObject | undefined;
      return perFilter?.['envoy.filters.http.fault'] as JsonObject | undefined;
    }
  }
  return undefined;
}

/**
 * How a request from `proxy`'s workload to a service is routed by its sidecar. `proxy` is an IR
 * Proxy, or the view callerView (mesh-caller.ts) reads from the served resources.
 */
export function explainMeshRequest(proxy: { readonly name: string; readonly mesh?: MeshCallerView['mesh'] | undefined }, resources: readonly EnvoyResource[], request: MeshRequest): MeshRoutingResult {
  const mesh = proxy.mesh;
  if (!mesh) throw new Error(`${proxy.name} is not a sidecar (no mesh workload)`);
  const explicit = mesh.captureMode === 'explicit';
  const egress = mesh.outbound.find((o) => o.port === request.port);
  const destinationIp = explicit ? egress?.address ?? '127.0.0.1' : request.destinationIp ?? '0.0.0.0';
  const explain = explainRequest(resources, {
    port: request.port,
    host: request.service,
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    ...(request.headers ? { headers: request.headers } : {}),
    sourceIp: '127.0.0.1',
    destinationIp,
  });
  const steps = explicit ? explain.steps : [`virtualOutbound (15001): the original destination ${destinationIp}:${request.port} selects the listener bound to it`, ...explain.steps];
  const upstream = explain.upstream;
  const endpointsOf = (cluster: string): string[] => (upstream?.endpoints ?? []).filter((e) => e.cluster === cluster).map((e) => `${e.address ?? e.hostname}:${e.port ?? ''}`);
  const fault = routeFault(resources, explain.routeConfig?.name, explain.route?.name);
  return {
    from: proxy.name,
    captureMode: mesh.captureMode,
    ...(explain.listener ? { listener: explain.listener.name } : {}),
    ...(explain.route?.name ? { route: explain.route.name } : {}),
    destinations: (upstream?.clusters ?? []).map((c) => destination(c.name, c.percent, endpointsOf(c.name))),
    mirrors: (upstream?.mirrors ?? []).map((m) => destination(m.cluster, m.percent, [])),
    ...(fault ? { fault } : {}),
    explain: { ...explain, steps },
  };
}
