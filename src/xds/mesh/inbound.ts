// Inbound side of a sidecar: one listener per workload port that terminates mTLS as the
// PeerAuthentication says (STRICT: mTLS only; PERMISSIVE: tls_inspector tells mTLS from plain
// text by transport_protocol; DISABLE: plain text), then an HCM whose filters authenticate
// (jwt_authn) and authorize (RBAC, ext_authz) before the router forwards to the local app through
// the cluster "inbound|<port>||". TCP ports get tcp_proxy instead of the HCM, after the network
// RBAC filters (DENY, then ALLOW) of their authorization.
import type { EnvoyResource, JsonObject } from '../../envoy/resource';
import { TypeUrl } from '../../envoy/type-urls';
import type { Cluster } from '../../ir/cluster';
import type { InboundListener } from '../../ir/mesh';
import type { Listener, Proxy, VirtualHost } from '../../ir/types';
import { buildCluster, buildLoadAssignment } from '../clusters';
import { XdsBuildError } from '../errors';
import { httpFiltersFor } from '../filters/registry';
import { ROUTER_FILTER } from '../filters/router';
import { buildHttpConnectionManager, hcmNetworkFilter, statPrefix } from '../http-connection-manager';
import { compact } from '../json';
import { listenerName as listenerNameOf, planListeners } from '../plan';
import { buildRouteConfiguration } from '../routes';
import { authorizationNetworkFilters } from './authorization';
import { inboundAuthorizationFilters } from './authorization-bridge';
import { inboundClusterName } from './names';
import { tcpProxy, tlsInspector } from './network-filters';
import { meshDownstreamTlsSocket } from './tls';

const INBOUND_OPTIONS: Listener['options'] = {
  accessLog: true,
  requestId: { generate: true, preserveExternal: true, returnInResponse: false },
  websocket: true,
  http2: true,
};

export function inboundCluster(inbound: InboundListener): Cluster {
  return {
    name: inboundClusterName(inbound.port),
    discovery: { type: 'static', endpoints: [{ address: inbound.forwardTo.address, port: inbound.forwardTo.port }] },
    ...(inbound.protocol === 'GRPC' ? { http2: true } : {}),
    ...(inbound.circuitBreaker ? { circuitBreaker: inbound.circuitBreaker } : {}),
    source: inbound.source,
  };
}

/** The IR listener the inbound HCM is planned from: one catch-all route to the local app. */
function inboundIrListener(inbound: InboundListener, address: string): Listener {
  const vhost: VirtualHost = {
    name: inbound.name,
    domains: ['*'],
    routes: [
      {
        name: `${inbound.name}/default`,
        match: { path: { type: 'StringPrefix', value: '/' } },
        action: { type: 'forward', backends: [{ cluster: inboundClusterName(inbound.port), weight: 1 }], timeoutMs: 0 },
        source: inbound.source,
      },
    ],
    ...(inbound.requestAuthentication ? { policy: { jwt: inbound.requestAuthentication } } : {}),
  };
  return { name: inbound.name, address, port: inbound.port, protocol: 'HTTP', hostnames: [], virtualHosts: [vhost], options: INBOUND_OPTIONS, source: inbound.source };
}

interface InboundChains {
  readonly filterChains: JsonObject[];
  readonly tls: boolean;
  readonly routes?: JsonObject;
}

function networkFilters(proxy: Proxy, inbound: InboundListener, address: string): { filters: JsonObject[]; routes?: JsonObject } {
  if (inbound.protocol === 'TCP') {
    if (inbound.requestAuthentication) throw new XdsBuildError(`inbound listener ${inbound.name} is TCP: request authentication (JWT) applies to HTTP and gRPC ports only`, inbound.source);
    const rbac = inbound.authorization ? authorizationNetworkFilters(inbound.authorization, `${statPrefix(inbound.name)}.rbac.`).filters : [];
    return { filters: [...rbac.map((f) => ({ ...f })), tcpProxy(inbound.name, inboundClusterName(inbound.port))] };
  }
  const plan = planListeners([inboundIrListener(inbound, address)])[0]!;
  const chain = plan.chains[0]!;
  const filters = httpFiltersFor({ proxy, chain });
  const hcm = buildHttpConnectionManager(chain, filters);
  const httpFilters = (hcm['http_filters'] as JsonObject[]).filter((f) => f['name'] !== ROUTER_FILTER);
  const router = (hcm['http_filters'] as JsonObject[]).filter((f) => f['name'] === ROUTER_FILTER);
  // Authorization after authentication (RBAC reads jwt_authn's verified claims), router last.
  hcm['http_filters'] = [...httpFilters, ...inboundAuthorizationFilters(inbound.authorization), ...router];
  // The app learns the caller's SPIFFE ID from x-forwarded-client-cert, as behind an Istio sidecar.
  hcm['forward_client_cert_details'] = 'APPEND_FORWARD';
  hcm['set_current_client_cert_details'] = { uri: true };
  return { filters: [hcmNetworkFilter(hcm)], routes: buildRouteConfiguration(chain, filters) };
}

/**
 * The filter chains that accept `filters`' connections as a PeerAuthentication mode says:
 * STRICT mTLS only, DISABLE plain text only, PERMISSIVE both (told apart by tls_inspector's
 * transport_protocol, so `tls` asks for that listener filter).
 */
export function peerAuthenticationChains(name: string, mode: InboundListener['mtls'], filters: readonly JsonObject[], alpn: readonly string[]): { filterChains: JsonObject[]; tls: boolean } {
  const mtls = (match: JsonObject | undefined): JsonObject => compact({ name: `${name}|mtls`, filter_chain_match: match, filters: [...filters], transport_socket: meshDownstreamTlsSocket(alpn) });
  const plain = (match: JsonObject | undefined): JsonObject => compact({ name: `${name}|plaintext`, filter_chain_match: match, filters: [...filters] });
  switch (mode) {
    case 'STRICT':
      return { filterChains: [mtls(undefined)], tls: true };
    case 'DISABLE':
      return { filterChains: [plain(undefined)], tls: false };
    case 'PERMISSIVE':
      return { filterChains: [mtls({ transport_protocol: 'tls' }), plain({ transport_protocol: 'raw_buffer' })], tls: true };
  }
}

function chainsFor(proxy: Proxy, inbound: InboundListener, address: string): InboundChains {
  const { filters, routes } = networkFilters(proxy, inbound, address);
  const alpn = inbound.protocol === 'TCP' ? [] : ['h2', 'http/1.1'];
  return { ...peerAuthenticationChains(inbound.name, inbound.mtls, filters, alpn), ...(routes ? { routes } : {}) };
}

/**
 * Resources of one inbound port. `address`/`bindToPort`: explicit capture binds 0.0.0.0:<port>;
 * transparent capture makes a virtual listener on <workload address>:<port> that virtualInbound
 * hands connections to.
 */
export function inboundResources(proxy: Proxy, inbound: InboundListener, address: string, bindToPort: boolean): EnvoyResource[] {
  const built = chainsFor(proxy, inbound, address);
  const name = listenerNameOf(address, inbound.port);
  const listener = compact({
    name,
    address: { socket_address: { address, port_value: inbound.port } },
    listener_filters: built.tls ? [tlsInspector()] : undefined,
    filter_chains: built.filterChains,
    bind_to_port: bindToPort ? undefined : false,
    traffic_direction: 'INBOUND',
  });
  const cluster = inboundCluster(inbound);
  const out: EnvoyResource[] = [
    { typeUrl: TypeUrl.Listener, name, json: listener },
    { typeUrl: TypeUrl.Cluster, name: cluster.name, json: buildCluster(cluster) },
  ];
  const assignment = buildLoadAssignment(cluster);
  if (assignment) out.push({ typeUrl: TypeUrl.ClusterLoadAssignment, name: cluster.name, json: assignment });
  if (built.routes) out.push({ typeUrl: TypeUrl.RouteConfiguration, name: String(built.routes['name']), json: built.routes });
  return out;
}
