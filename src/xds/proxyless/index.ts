// The proxyless gRPC view of a proxy group: what gRPC's own xDS clients and xDS-enabled servers of
// that group receive, derived from the same IR Proxy as the Envoy resources (src/xds/index.ts) but
// limited to what gRPC accepts (see /work/shared/GRPC-XDS-CLIENT.md and each file here). A pure
// function: the same Proxy always gives the same resources in the same order.
//
// - Gateway listeners: one route table per address and port; an api_listener for every concrete
//   virtual-host domain, named "<domain>" and "<domain>:<port>" (a bare name served on several
//   ports goes to the lowest port).
// - Mesh outbound listeners (HTTP/GRPC): one route table each, api_listeners for every concrete
//   domain of their virtual hosts (short names, FQDNs and "<host>:<port>").
// - Mesh inbound listeners: server listeners "grpc/server?xds.resource.listening_address=0.0.0.0:<port>".
// - Clusters: every cluster of the proxy, as gRPC takes them (clusters.ts), with their EDS resources.
import type { EnvoyResource, JsonObject } from '../../envoy/resource';
import { PUSH_ORDER, type ResourceTypeUrl, TypeUrl } from '../../envoy/type-urls';
import type { Proxy } from '../../ir/types';
import { effectivePolicy } from '../effective-policy';
import { XdsBuildError } from '../errors';
import { compareStrings } from '../json';
import { planListeners } from '../plan';
import { memoisedCluster, unavailableCluster } from './clusters';
import { apiListener, serverListener } from './listeners';
import { UNAVAILABLE_CLUSTER } from './names';
import { type ProxylessNote, ProxylessNotes } from './notes';
import { optionalFiltersFor } from './optional-filters';
import { buildRouteTable, type RouteTable } from './route-table';
import { outboundIrListener } from '../mesh/outbound';

export * from './names';
export type { ProxylessNote } from './notes';
export { grpcServerRbac } from './server-rbac';
export { withProxylessNotes, type GroupNotes } from './status-notes';

export interface ProxylessView {
  readonly resources: EnvoyResource[];
  /** What gRPC could not be given, and what was adapted (reported, never silently dropped). */
  readonly notes: readonly ProxylessNote[];
}

function resource(typeUrl: ResourceTypeUrl, name: string, json: JsonObject): EnvoyResource {
  return { typeUrl, name, json };
}

function byPushOrderThenName(a: EnvoyResource, b: EnvoyResource): number {
  return PUSH_ORDER.indexOf(a.typeUrl) - PUSH_ORDER.indexOf(b.typeUrl) || compareStrings(a.name, b.name);
}

/** Route tables of the gateway listeners (one per address and port) and of the mesh outbound listeners. */
function routeTables(proxy: Proxy, notes: ProxylessNotes): RouteTable[] {
  const tables: RouteTable[] = [];
  for (const listener of proxy.listeners) {
    if (listener.httpsRedirect) notes.add(`listener ${listener.name}`, 'answers every request with an HTTPS redirect, which gRPC cannot follow: no routes for gRPC clients on this port', listener.source);
  }
  for (const plan of planListeners(proxy.listeners)) {
    const hosts = plan.chains.flatMap((chain) =>
      chain.virtualHosts.map((v) => ({ name: v.name, domains: v.vhost.domains, routes: v.routes.map((r) => ({ route: r.route, hostPolicy: v.vhost.policy, policy: r.policy })) })),
    );
    tables.push({ name: plan.name, port: plan.port, hosts, optional: optionalFiltersFor(proxy, plan.chains, notes) });
  }
  for (const outbound of proxy.mesh?.outbound ?? []) {
    if (outbound.protocol === 'TCP') {
      notes.add(`outbound listener ${outbound.name}`, 'TCP services cannot be called by gRPC clients through xDS; left out', outbound.source);
      continue;
    }
    const hosts = outbound.virtualHosts.map((vhost) => ({
      name: vhost.name,
      domains: vhost.domains,
      routes: vhost.routes.map((route) => ({ route, hostPolicy: vhost.policy, policy: effectivePolicy(vhost.policy, route.policy) })),
    }));
    const chains = planListeners([outboundIrListener(outbound, outbound.address)])[0]?.chains ?? [];
    tables.push({ name: outbound.name, port: outbound.port, hosts, optional: optionalFiltersFor(proxy, chains, notes) });
  }
  // Lower ports first, so a bare name served on several ports is the lowest port's.
  return tables.sort((a, b) => a.port - b.port || compareStrings(a.name, b.name));
}

export function buildProxylessView(proxy: Proxy): ProxylessView {
  const notes = new ProxylessNotes();
  const out: EnvoyResource[] = [];
  const clusterNames = new Set<string>();
  for (const cluster of proxy.clusters) {
    if (clusterNames.has(cluster.name)) throw new XdsBuildError(`two clusters are named "${cluster.name}"`, cluster.source);
    clusterNames.add(cluster.name);
    const built = memoisedCluster(cluster, notes);
    out.push(resource(TypeUrl.Cluster, cluster.name, built.cluster));
    if (built.assignment) out.push(resource(TypeUrl.ClusterLoadAssignment, cluster.name, built.assignment));
  }

  if (proxy.authorization) {
    // The gateway's RBAC runs in the Envoy gateway; a gRPC client given its routes calls the backends itself.
    const first = [...proxy.authorization.deny, ...(proxy.authorization.allow ?? []), ...(proxy.authorization.custom ?? []).flatMap((c) => c.rules)][0];
    notes.add(`proxy ${proxy.name}`, 'the gateway\'s AuthorizationPolicies are enforced by the Envoy gateway only: gRPC clients of this view are not checked', first?.source);
  }

  let needsUnavailable = false;
  const listenerNames = new Set<string>();
  const routeNames = new Set<string>();
  for (const table of routeTables(proxy, notes)) {
    if (routeNames.has(table.name)) throw new XdsBuildError(`two proxyless route tables are named "${table.name}"`);
    routeNames.add(table.name);
    const built = buildRouteTable(table, notes, proxy.name);
    needsUnavailable ||= built.usesUnavailable;
    out.push(resource(TypeUrl.RouteConfiguration, table.name, built.json));
    for (const domain of built.dialableDomains) {
      if (listenerNames.has(domain)) continue;
      listenerNames.add(domain);
      out.push(resource(TypeUrl.Listener, domain, apiListener(domain, table.name, built.usesFault, table.optional)));
    }
  }

  for (const inbound of proxy.mesh?.inbound ?? []) {
    const listener = serverListener(inbound, notes);
    if (!listener) continue;
    const name = String(listener['name']);
    if (listenerNames.has(name)) throw new XdsBuildError(`two inbound listeners use port ${inbound.port}`, inbound.source);
    listenerNames.add(name);
    out.push(resource(TypeUrl.Listener, name, listener));
  }

  if (needsUnavailable) {
    if (clusterNames.has(UNAVAILABLE_CLUSTER)) throw new XdsBuildError(`cluster name "${UNAVAILABLE_CLUSTER}" is reserved for proxyless routes without a usable backend`);
    const unavailable = unavailableCluster(UNAVAILABLE_CLUSTER);
    out.push(resource(TypeUrl.Cluster, UNAVAILABLE_CLUSTER, unavailable.cluster));
    out.push(resource(TypeUrl.ClusterLoadAssignment, UNAVAILABLE_CLUSTER, unavailable.assignment));
  }
  return { resources: out.sort(byPushOrderThenName), notes: notes.list };
}

/** The resources of the proxyless view (see buildProxylessView for the notes that go with them). */
export function buildProxylessResources(proxy: Proxy): EnvoyResource[] {
  return buildProxylessView(proxy).resources;
}
