// Transparent capture, as Istio does it with iptables: connections redirected to 0.0.0.0:15001
// (outbound) and 0.0.0.0:15006 (inbound) keep their original destination (original_dst listener
// filter + use_original_dst), and Envoy hands each to the listener bound (bind_to_port false) to
// that destination: 0.0.0.0:<service port> outbound, <workload address>:<port> inbound. What no
// listener takes goes to PassthroughCluster (ALLOW_ANY) or BlackHoleCluster (REGISTRY_ONLY; and
// inbound connections to ports the workload does not serve).
import type { EnvoyResource, JsonObject } from '../../envoy/resource';
import { TypeUrl } from '../../envoy/type-urls';
import type { MeshProxy } from '../../ir/mesh';
import { circuitBreakers } from '../clusters';
import { duration } from '../json';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER, VIRTUAL_INBOUND_LISTENER, VIRTUAL_INBOUND_PORT, VIRTUAL_OUTBOUND_LISTENER, VIRTUAL_OUTBOUND_PORT } from './names';
import { originalDst, tcpProxy } from './network-filters';

function virtualListener(name: string, port: number, cluster: string, direction: 'INBOUND' | 'OUTBOUND'): JsonObject {
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    use_original_dst: true,
    listener_filters: [originalDst()],
    filter_chains: [{ name: `${name}-catchall-tcp`, filters: [tcpProxy(name, cluster)] }],
    traffic_direction: direction,
  };
}

/** ORIGINAL_DST to wherever the app connected; no limits, as on Istio's PassthroughCluster. */
function passthroughCluster(): JsonObject {
  return { name: PASSTHROUGH_CLUSTER, type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED', connect_timeout: duration(5000), circuit_breakers: circuitBreakers({ unsetLimits: 'unlimited', trackRemaining: true }) };
}

export function transparentResources(mesh: MeshProxy): EnvoyResource[] {
  const unknownOutbound = mesh.outboundTrafficPolicy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  const out: EnvoyResource[] = [
    { typeUrl: TypeUrl.Listener, name: VIRTUAL_OUTBOUND_LISTENER, json: virtualListener(VIRTUAL_OUTBOUND_LISTENER, VIRTUAL_OUTBOUND_PORT, unknownOutbound, 'OUTBOUND') },
    { typeUrl: TypeUrl.Listener, name: VIRTUAL_INBOUND_LISTENER, json: virtualListener(VIRTUAL_INBOUND_LISTENER, VIRTUAL_INBOUND_PORT, BLACKHOLE_CLUSTER, 'INBOUND') },
    { typeUrl: TypeUrl.Cluster, name: BLACKHOLE_CLUSTER, json: { name: BLACKHOLE_CLUSTER, type: 'STATIC', connect_timeout: duration(5000) } },
  ];
  if (unknownOutbound === PASSTHROUGH_CLUSTER) {
    out.push({ typeUrl: TypeUrl.Cluster, name: PASSTHROUGH_CLUSTER, json: passthroughCluster() });
  }
  return out;
}
