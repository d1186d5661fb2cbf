// Envoy names of mesh resources, as Istio names them.
export const VIRTUAL_OUTBOUND_LISTENER = 'virtualOutbound';
export const VIRTUAL_INBOUND_LISTENER = 'virtualInbound';
export const VIRTUAL_OUTBOUND_PORT = 15001;
export const VIRTUAL_INBOUND_PORT = 15006;
/** Outbound traffic to unknown destinations (ALLOW_ANY): on to the original destination. */
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
/** Inbound connections to undeclared workload ports: on to their original destination (Istio's name). */
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';
/**
 * The source address passthrough connections leave from, as in Istio: iptables lets traffic from
 * it reach the app instead of capturing it again.
 */
export const INBOUND_PASSTHROUGH_BIND_ADDRESS = '127.0.0.6';
/** Traffic meshgate does not route: dropped (a cluster without endpoints). */
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';

export function inboundClusterName(port: number): string {
  return `inbound|${port}||`;
}
