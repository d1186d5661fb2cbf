// Transparent capture, as Istio does it with iptables: connections redirected to 0.0.0.0:15001
// (outbound) and 0.0.0.0:15006 (inbound) keep their original destination (original_dst listener
// filter + use_original_dst), and Envoy hands each to the listener bound (bind_to_port false) to
// that destination: 0.0.0.0:<service port> outbound, <workload address>:<port> inbound. What no
// listener takes goes to PassthroughCluster (ALLOW_ANY) or BlackHoleCluster (REGISTRY_ONLY).
// Inbound connections to ports the workload declares no listener for are Istio's inbound
// passthrough: accepted with the workload's PeerAuthentication mode, authorized by network RBAC
// (TCP semantics), and sent on to their original destination from 127.0.0.6 (so iptables does not
// capture them again); without an inbound passthrough in the IR they go to BlackHoleCluster.
import type { EnvoyResource, JsonObject } from '../../envoy/resource';
import { TypeUrl } from '../../envoy/type-urls';
import type { InboundPassthrough, MeshProxy } from '../../ir/mesh';
import { circuitBreakers } from '../clusters';
import { duration } from '../json';
import { authorizationNetworkFilters } from './authorization';
import { peerAuthenticationChains } from './inbound';
import { BLACKHOLE_CLUSTER, INBOUND_PASSTHROUGH_BIND_ADDRESS, INBOUND_PASSTHROUGH_CLUSTER, PASSTHROUGH_CLUSTER, VIRTUAL_INBOUND_LISTENER, VIRTUAL_INBOUND_PORT, VIRTUAL_OUTBOUND_LISTENER, VIRTUAL_OUTBOUND_PORT } from './names';
import { originalDst, tcpProxy, tlsInspector } from './network-filters';

function virtualListener(name: string, port: number, direction: 'INBOUND' | 'OUTBOUND', chains: { filterChains: JsonObject[]; tls: boolean }): JsonObject {
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    use_original_dst: true,
    listener_filters: [originalDst(), ...(chains.tls ? [tlsInspector()] : [])],
    filter_chains: chains.filterChains,
    traffic_direction: direction,
  };
}

/** ORIGINAL_DST to wherever the app connected; no limits, as on Istio's PassthroughCluster. */
function passthroughCluster(): JsonObject {
  return { name: PASSTHROUGH_CLUSTER, type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED', connect_timeout: duration(5000), circuit_breakers: circuitBreakers({ unsetLimits: 'unlimited', trackRemaining: true }) };
}

function catchAll(name: string, cluster: string): { filterChains: JsonObject[]; tls: boolean } {
  return { filterChains: [{ name: `${name}-catchall-tcp`, filters: [tcpProxy(name, cluster)] }], tls: false };
}

function inboundPassthroughChains(passthrough: InboundPassthrough): { filterChains: JsonObject[]; tls: boolean } {
  const name = VIRTUAL_INBOUND_LISTENER;
  const rbac = passthrough.authorization ? authorizationNetworkFilters(passthrough.authorization, `${name}.rbac.`).filters : [];
  const filters = [...rbac.map((f) => ({ ...f })), tcpProxy(name, INBOUND_PASSTHROUGH_CLUSTER)];
  return peerAuthenticationChains(`${name}-passthrough`, passthrough.mtls, filters, []);
}

const inboundPassthroughCluster: JsonObject = {
  name: INBOUND_PASSTHROUGH_CLUSTER,
  type: 'ORIGINAL_DST',
  lb_policy: 'CLUSTER_PROVIDED',
  connect_timeout: duration(5000),
  upstream_bind_config: { source_address: { address: INBOUND_PASSTHROUGH_BIND_ADDRESS, port_value: 0 } },
  // No limits, as on Istio's passthrough clusters.
  circuit_breakers: circuitBreakers({ unsetLimits: 'unlimited', trackRemaining: true }),
};

export function transparentResources(mesh: MeshProxy): EnvoyResource[] {
  const unknownOutbound = mesh.outboundTrafficPolicy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  const inbound = mesh.inboundPassthrough ? inboundPassthroughChains(mesh.inboundPassthrough) : catchAll(VIRTUAL_INBOUND_LISTENER, BLACKHOLE_CLUSTER);
  const out: EnvoyResource[] = [
    { typeUrl: TypeUrl.Listener, name: VIRTUAL_OUTBOUND_LISTENER, json: virtualListener(VIRTUAL_OUTBOUND_LISTENER, VIRTUAL_OUTBOUND_PORT, 'OUTBOUND', catchAll(VIRTUAL_OUTBOUND_LISTENER, unknownOutbound)) },
    { typeUrl: TypeUrl.Listener, name: VIRTUAL_INBOUND_LISTENER, json: virtualListener(VIRTUAL_INBOUND_LISTENER, VIRTUAL_INBOUND_PORT, 'INBOUND', inbound) },
    { typeUrl: TypeUrl.Cluster, name: BLACKHOLE_CLUSTER, json: { name: BLACKHOLE_CLUSTER, type: 'STATIC', connect_timeout: duration(5000) } },
  ];
  if (unknownOutbound === PASSTHROUGH_CLUSTER) {
    out.push({ typeUrl: TypeUrl.Cluster, name: PASSTHROUGH_CLUSTER, json: passthroughCluster() });
  }
  if (mesh.inboundPassthrough) out.push({ typeUrl: TypeUrl.Cluster, name: INBOUND_PASSTHROUGH_CLUSTER, json: inboundPassthroughCluster });
  return out;
}
