// IR clusters → envoy.config.cluster.v3.Cluster (and, for static endpoints, the
// ClusterLoadAssignment served over EDS).
import type { JsonObject } from '../envoy/resource';
import { UNLIMITED, type CircuitBreaker, type Cluster, type LoadBalancing, type OutlierDetection } from '../ir/cluster';
import { clusterLoadAssignment, dnsLoadAssignment } from './endpoints';
import { healthCheck } from './health-check';
import { adsConfigSource, compact, duration, int64, typed } from './json';
import { clusterTransportSocket } from './mesh/tls';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_RING_SIZE = 1024;
const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** lb_policy (ROUND_ROBIN is the zero value and so absent) and its config. */
function loadBalancing(lb: LoadBalancing | undefined): JsonObject {
  switch (lb?.type) {
    case undefined:
    case 'RoundRobin':
      return {};
    case 'LeastRequest':
      return { lb_policy: 'LEAST_REQUEST' };
    case 'Random':
      return { lb_policy: 'RANDOM' };
    case 'RingHash':
      return { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: int64(lb.minimumRingSize ?? DEFAULT_RING_SIZE) } };
    case 'Maglev':
      return { lb_policy: 'MAGLEV' };
  }
}

export function circuitBreakers(cb: CircuitBreaker): JsonObject {
  const unset = cb.unsetLimits === 'unlimited' ? UNLIMITED : undefined;
  return {
    thresholds: [
      compact({
        max_connections: cb.maxConnections ?? unset,
        max_pending_requests: cb.maxPendingRequests ?? unset,
        max_requests: cb.maxRequests ?? unset,
        max_retries: cb.maxRetries ?? unset,
        track_remaining: cb.trackRemaining === true ? true : undefined,
      }),
    ],
  };
}

/** HttpProtocolOptions.common_http_protocol_options for the IR fields that live there. */
function commonHttpProtocolOptions(cluster: Cluster): JsonObject | undefined {
  const perConnection = cluster.circuitBreaker?.maxRequestsPerConnection;
  return perConnection !== undefined ? { max_requests_per_connection: perConnection } : undefined;
}

function outlierDetection(od: OutlierDetection): JsonObject {
  return compact({
    consecutive_5xx: od.consecutive5xx,
    interval: od.intervalMs !== undefined ? duration(od.intervalMs) : undefined,
    base_ejection_time: od.baseEjectionTimeMs !== undefined ? duration(od.baseEjectionTimeMs) : undefined,
    max_ejection_percent: od.maxEjectionPercent,
    // Eject on the configured consecutive errors only: success-rate ejection is off, and gateway
    // errors (which Envoy counts but does not enforce by default) are enforced when configured.
    enforcing_success_rate: 0,
    consecutive_gateway_failure: od.consecutiveGatewayErrors,
    enforcing_consecutive_gateway_failure: od.consecutiveGatewayErrors !== undefined ? 100 : undefined,
    failure_percentage_threshold: od.failurePercentage?.threshold,
    enforcing_failure_percentage: od.failurePercentage ? 100 : undefined,
    failure_percentage_minimum_hosts: od.failurePercentage?.minimumHosts,
    failure_percentage_request_volume: od.failurePercentage?.requestVolume,
  });
}

function discovery(cluster: Cluster): JsonObject {
  const d = cluster.discovery;
  if (d.type === 'static') return { type: 'EDS', eds_cluster_config: { eds_config: adsConfigSource() } };
  return {
    type: d.logical ? 'LOGICAL_DNS' : 'STRICT_DNS',
    load_assignment: dnsLoadAssignment(cluster.name, d.hostname, d.port),
    // Prefer IPv4 (containers often resolve AAAA records they cannot reach), fall back to IPv6.
    dns_lookup_family: 'V4_PREFERRED',
  };
}

export function buildCluster(cluster: Cluster): JsonObject {
  const http2 = cluster.http2 === true;
  const common = commonHttpProtocolOptions(cluster);
  return compact({
    name: cluster.name,
    ...discovery(cluster),
    connect_timeout: duration(cluster.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    ...loadBalancing(cluster.lb),
    circuit_breakers: cluster.circuitBreaker ? circuitBreakers(cluster.circuitBreaker) : undefined,
    outlier_detection: cluster.outlierDetection ? outlierDetection(cluster.outlierDetection) : undefined,
    health_checks: cluster.healthCheck ? [healthCheck(cluster.healthCheck, http2)] : undefined,
    // Without it Envoy ignores the localities' load_balancing_weight.
    common_lb_config: cluster.localityLb?.weighted ? { locality_weighted_lb_config: {} } : undefined,
    transport_socket: cluster.tls ? clusterTransportSocket(cluster.tls, http2) : undefined,
    typed_extension_protocol_options: http2 || common
      ? {
          [HTTP_PROTOCOL_OPTIONS]: typed(
            HTTP_PROTOCOL_OPTIONS,
            compact({ common_http_protocol_options: common, explicit_http_config: http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} } }),
          ),
        }
      : undefined,
  });
}

/** The EDS resource of a static cluster; DNS clusters carry their endpoints inline. */
export function buildLoadAssignment(cluster: Cluster): JsonObject | undefined {
  return cluster.discovery.type === 'static' ? clusterLoadAssignment(cluster.name, cluster.discovery.endpoints, cluster.localityLb) : undefined;
}
