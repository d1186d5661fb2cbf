// Upstream clusters in the IR: where traffic goes and how it is balanced and protected.
import type { Source } from './types';

export interface Cluster {
  /** Unique per proxy; the Envoy cluster name. */
  readonly name: string;
  /**
   * static: fixed endpoints (served over EDS so changes never drain listeners);
   * dns: a hostname resolved by Envoy (STRICT_DNS, or LOGICAL_DNS for a single host).
   */
  readonly discovery: { readonly type: 'static'; readonly endpoints: readonly Endpoint[] } | { readonly type: 'dns'; readonly hostname: string; readonly port: number; readonly logical?: boolean };
  readonly lb?: LoadBalancing;
  readonly connectTimeoutMs?: number;
  /** Speak HTTP/2 (and so gRPC) to the upstream. */
  readonly http2?: boolean;
  readonly tls?: UpstreamTls;
  readonly circuitBreaker?: CircuitBreaker;
  readonly outlierDetection?: OutlierDetection;
  readonly healthCheck?: HealthCheck;
  /**
   * Locality-aware balancing, already resolved for the proxy this cluster is served to (Istio
   * localityLbSetting): the calling proxy's locality decides each locality's priority and weight,
   * which is why two proxies in different localities get different ClusterLoadAssignments.
   */
  readonly localityLb?: LocalityLoadBalancing;
  readonly source: Source;
}

export interface Locality {
  readonly region?: string;
  readonly zone?: string;
  readonly subZone?: string;
}

export interface LocalityLoadBalancing {
  /**
   * Localities share traffic by their `weight` (Envoy locality_weighted_lb_config). Every locality
   * of the cluster's endpoints then has a weight: ones that should get no traffic are left out of
   * the endpoints, since Envoy's load_balancing_weight must be at least 1.
   */
  readonly weighted: boolean;
  /** One entry per locality of the endpoints; a locality without an entry has priority 0. */
  readonly localities: readonly LocalityRank[];
}

export interface LocalityRank {
  readonly locality: Locality;
  /** Envoy priority (0 first; consecutive from 0): lower priorities get traffic only as higher ones lose healthy hosts. */
  readonly priority: number;
  /** load_balancing_weight of the locality, ≥ 1 (with `weighted`). */
  readonly weight?: number;
}

export interface Endpoint {
  readonly address: string;
  readonly port: number;
  /** Relative weight among endpoints, ≥ 1 (default 1). */
  readonly weight?: number;
  readonly locality?: Locality;
  readonly labels?: Readonly<Record<string, string>>;
  /** Mesh endpoints: the workload's SPIFFE ID (for explain and subset metadata). */
  readonly spiffeId?: string;
}

export type LoadBalancing =
  | { readonly type: 'RoundRobin' | 'LeastRequest' | 'Random' }
  | { readonly type: 'RingHash'; readonly minimumRingSize?: number }
  | { readonly type: 'Maglev' };

export interface UpstreamTls {
  /** SNI sent to the upstream. */
  readonly sni?: string;
  /** PEM CA bundle to verify the upstream; absent = no verification (explicit opt-in by the user). */
  readonly caCertificate?: string;
  /**
   * Without caCertificate: verify the upstream against the CA bundle of the host Envoy runs on
   * (src/xds/tls.ts SYSTEM_CA_BUNDLE), as a browser would; for public endpoints such as a JWKS URL.
   */
  readonly systemTrust?: boolean;
  readonly subjectAltNames?: readonly string[];
  readonly alpn?: readonly string[];
  /**
   * Mesh mTLS (Istio ISTIO_MUTUAL): present the workload certificate and verify the peer with the
   * trust bundle, both over SDS (src/ir/mesh.ts secret names); the peer must hold one of these
   * SPIFFE IDs (any mesh identity when empty).
   */
  readonly mesh?: { readonly expectedSpiffeIds: readonly string[] };
  /** Present this client certificate (PEM, Istio MUTUAL); served over SDS under `clientCertificateSecret`. */
  readonly clientCertificateSecret?: string;
}

/** The largest uint32: a circuit-breaker threshold Envoy can never reach, i.e. no limit. */
export const UNLIMITED = 4_294_967_295;

export interface CircuitBreaker {
  readonly maxConnections?: number;
  readonly maxPendingRequests?: number;
  readonly maxRequests?: number;
  readonly maxRetries?: number;
  /** Close an upstream connection after this many requests (1 disables keep-alive). */
  readonly maxRequestsPerConnection?: number;
  /**
   * What the four thresholds above mean when unset. Absent: Envoy's defaults (1024 connections,
   * pending requests and requests, 3 retries). 'unlimited': UNLIMITED, which is what Istio gives
   * every cluster (Envoy's 3 retries trip during rolling updates, before new endpoints arrive).
   */
  readonly unsetLimits?: 'unlimited';
  /** Publish the remaining-capacity gauges (Envoy track_remaining; Istio turns it on). */
  readonly trackRemaining?: boolean;
}

export interface OutlierDetection {
  readonly consecutive5xx?: number;
  readonly consecutiveGatewayErrors?: number;
  readonly intervalMs?: number;
  readonly baseEjectionTimeMs?: number;
  readonly maxEjectionPercent?: number;
  /** Eject a host whose error rate is at least this percentage (what proxyless gRPC clients honour). */
  readonly failurePercentage?: { readonly threshold: number; readonly minimumHosts?: number; readonly requestVolume?: number };
}

export interface HealthCheck {
  readonly type: 'http' | 'tcp' | 'grpc';
  /** HTTP only. */
  readonly path?: string;
  readonly expectedStatuses?: readonly { readonly start: number; readonly end: number }[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}
