// Clusters for gRPC clients. gRPC takes EDS (and LOGICAL_DNS) clusters only, balances with
// ROUND_ROBIN or RING_HASH only, honours circuit breaking through max_requests only and outlier
// detection through success-rate / failure-percentage ejection only. So:
// - static endpoints: EDS, with a ClusterLoadAssignment whose localities all carry a
//   load_balancing_weight (gRPC drops localities without one): the locality's weight when the
//   cluster weighs localities (Istio distribute), else the sum of their endpoint weights; locality
//   priorities (Istio failover) pass through as they are (gRPC's priority policy honours them);
// - DNS names: LOGICAL_DNS (gRPC resolves the name itself; STRICT_DNS would be NACKed);
// - LEAST_REQUEST and RANDOM become ROUND_ROBIN, MAGLEV becomes RING_HASH (both consistent hashing);
// - outlier detection only when a failure percentage is configured, with success-rate ejection off;
// - upstream TLS only for mesh mTLS (certificate providers, tls.ts).
// Active health checks, connection limits other than max_requests and consecutive-error ejection
// are left out and noted. A circuit breaker's `unsetLimits` is not carried over: gRPC has no
// limits but max_requests, and istiod's gRPC generator sends no thresholds either.
import type { JsonObject } from '../../envoy/resource';
import type { Cluster, LoadBalancing, OutlierDetection } from '../../ir/cluster';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_RING_SIZE } from '../clusters';
import { clusterLoadAssignment, dnsLoadAssignment } from '../endpoints';
import { adsConfigSource, compact, duration, int64 } from '../json';
import { deepFreeze } from './freeze';
import { type ProxylessNote, type ProxylessNotes, recording } from './notes';
import { meshUpstreamTls } from './tls';
import { GenerationalWeakMap } from '../../util/generational-weak-map';

function loadBalancing(lb: LoadBalancing | undefined, subject: string, notes: ProxylessNotes, cluster: Cluster): JsonObject {
  switch (lb?.type) {
    case undefined:
    case 'RoundRobin':
      return {};
    case 'LeastRequest':
    case 'Random':
      notes.add(subject, `load balancing ${lb.type} is not supported by gRPC clients: ROUND_ROBIN instead`, cluster.source);
      return {};
    case 'RingHash':
      return { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: int64(lb.minimumRingSize ?? DEFAULT_RING_SIZE) } };
    case 'Maglev':
      notes.add(subject, 'load balancing Maglev is not supported by gRPC clients: RING_HASH instead', cluster.source);
      return { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: int64(DEFAULT_RING_SIZE) } };
  }
}

function outlierDetection(od: OutlierDetection, subject: string, notes: ProxylessNotes, cluster: Cluster): JsonObject | undefined {
  if (od.consecutive5xx !== undefined || od.consecutiveGatewayErrors !== undefined) {
    notes.add(subject, 'consecutive-error ejection is not supported by gRPC clients (only failure percentage) and is left out', cluster.source);
  }
  const fp = od.failurePercentage;
  if (!fp) return undefined;
  return compact({
    interval: od.intervalMs !== undefined ? duration(od.intervalMs) : undefined,
    base_ejection_time: od.baseEjectionTimeMs !== undefined ? duration(od.baseEjectionTimeMs) : undefined,
    max_ejection_percent: od.maxEjectionPercent,
    // Envoy's default enforces success-rate ejection; the IR only asks for failure percentage.
    enforcing_success_rate: 0,
    failure_percentage_threshold: fp.threshold,
    enforcing_failure_percentage: 100,
    failure_percentage_minimum_hosts: fp.minimumHosts,
    failure_percentage_request_volume: fp.requestVolume,
  });
}

function discovery(cluster: Cluster, subject: string, notes: ProxylessNotes): JsonObject {
  const d = cluster.discovery;
  if (d.type === 'static') return { type: 'EDS', eds_cluster_config: { eds_config: adsConfigSource() } };
  if (!d.logical) notes.add(subject, 'STRICT_DNS is not supported by gRPC clients: LOGICAL_DNS instead (gRPC resolves the name)', cluster.source);
  return { type: 'LOGICAL_DNS', load_assignment: dnsLoadAssignment(cluster.name, d.hostname, d.port) };
}

export function proxylessCluster(cluster: Cluster, notes: ProxylessNotes): JsonObject {
  const subject = `cluster ${cluster.name}`;
  const cb = cluster.circuitBreaker;
  if (cb && (cb.maxConnections !== undefined || cb.maxPendingRequests !== undefined || cb.maxRetries !== undefined || cb.maxRequestsPerConnection !== undefined)) {
    notes.add(subject, 'gRPC clients only honour max_requests of the circuit breaker; the other limits are left out', cluster.source);
  }
  if (cluster.healthCheck) notes.add(subject, 'active health checks are not supported by gRPC clients and are left out', cluster.source);
  const tls = cluster.tls;
  if (tls && !tls.mesh) notes.add(subject, 'upstream TLS with inline certificates is not supported by gRPC clients (certificate providers only) and is left out', cluster.source);
  return compact({
    name: cluster.name,
    ...discovery(cluster, subject, notes),
    connect_timeout: duration(cluster.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    ...loadBalancing(cluster.lb, subject, notes, cluster),
    circuit_breakers: cb?.maxRequests !== undefined ? { thresholds: [{ max_requests: cb.maxRequests }] } : undefined,
    outlier_detection: cluster.outlierDetection ? outlierDetection(cluster.outlierDetection, subject, notes, cluster) : undefined,
    transport_socket: tls?.mesh ? meshUpstreamTls(tls.mesh.expectedSpiffeIds) : undefined,
  });
}

/**
 * The EDS resource of a static cluster, every locality weighted: by its own weight when the
 * cluster weighs localities, else by its endpoints' total weight.
 */
export function proxylessLoadAssignment(cluster: Cluster): JsonObject | undefined {
  if (cluster.discovery.type !== 'static') return undefined;
  const assignment = clusterLoadAssignment(cluster.name, cluster.discovery.endpoints, cluster.localityLb);
  const localities = assignment['endpoints'];
  if (!Array.isArray(localities)) return assignment;
  const weighted = localities.map((locality) => {
    const record = locality as JsonObject;
    const own = record['load_balancing_weight'];
    if (cluster.localityLb?.weighted && typeof own === 'number') return { locality: record['locality'] ?? {}, ...record };
    const members = Array.isArray(record['lb_endpoints']) ? record['lb_endpoints'] : [];
    const total = members.reduce<number>((sum, member) => {
      const weight = (member as JsonObject)['load_balancing_weight'];
      return sum + (typeof weight === 'number' ? weight : 1);
    }, 0);
    // gRPC refuses a locality entry without `locality`: endpoints with none share the empty one.
    return { locality: record['locality'] ?? {}, ...record, load_balancing_weight: Math.max(1, total) };
  });
  return { ...assignment, endpoints: weighted };
}

/** The cluster unexpressible routes point at (names.ts): EDS with no endpoints. */
export function unavailableCluster(name: string): { cluster: JsonObject; assignment: JsonObject } {
  return {
    cluster: { name, type: 'EDS', eds_cluster_config: { eds_config: adsConfigSource() }, connect_timeout: duration(DEFAULT_CONNECT_TIMEOUT_MS) },
    assignment: { cluster_name: name },
  };
}

interface BuiltCluster {
  readonly cluster: JsonObject;
  readonly assignment: JsonObject | undefined;
}

/** Per IR Cluster object, as routes are (route-table.ts): unchanged clusters are the same frozen JSON. */
const clusterMemo = new GenerationalWeakMap<Cluster, { readonly built: BuiltCluster; readonly notes: readonly ProxylessNote[] }>();

export function memoisedCluster(cluster: Cluster, notes: ProxylessNotes): BuiltCluster {
  let known = clusterMemo.get(cluster);
  if (!known) {
    const recorded = recording((local) => {
      const assignment = proxylessLoadAssignment(cluster);
      return { cluster: deepFreeze(proxylessCluster(cluster, local)), assignment: assignment ? deepFreeze(assignment) : undefined };
    });
    known = { built: recorded.value, notes: recorded.notes };
    clusterMemo.set(cluster, known);
  }
  notes.replay(known.notes);
  return known.built;
}
