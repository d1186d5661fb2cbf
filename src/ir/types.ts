// meshgate's intermediate representation: what every input family (Gateway API, Istio, Kong,
// meshgate's own kinds) translates into, and the only thing src/xds/ reads. Plain, serialisable
// data: no classes, no Envoy protos, no references to input documents beyond `source` labels.
// Arrays are kept in a deterministic order by the translators (sorted by name unless the order is
// the meaning, as with routes), so the same input always gives the same IR and the same bytes.
import type { Authorization, MeshProxy } from './mesh';
import type { RoutePolicy } from './policy';
import type { Cluster } from './cluster';
import type { Route } from './route';

export const IR_VERSION = 1;

/** Everything meshgate serves, per proxy group. */
export interface IR {
  readonly version: typeof IR_VERSION;
  readonly proxies: readonly Proxy[];
}

/**
 * What one group of proxies receives. `name` is the group key a proxy selects with its node
 * metadata (see README: "How a proxy selects its configuration").
 */
export interface Proxy {
  readonly name: string;
  readonly kind: 'gateway' | 'sidecar';
  readonly listeners: readonly Listener[];
  readonly clusters: readonly Cluster[];
  readonly secrets: readonly TlsSecret[];
  /** Present when some route uses the global rate limiter. */
  readonly globalRateLimit?: GlobalRateLimitService;
  /** Sidecars (kind "sidecar"): the workload, its inbound and outbound listeners (src/ir/mesh.ts). */
  readonly mesh?: MeshProxy;
  /**
   * Gateways: Istio AuthorizationPolicy of the gateway's workload (Istio ingress gateways), enforced
   * on every HTTP listener after authentication and before the router, as on a sidecar's inbound side.
   */
  readonly authorization?: Authorization;
}

/** Where a piece of IR came from, for status conditions, errors and `explain` output. */
export interface Source {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Optional finer position, e.g. "rules[1].matches[0]" or "listeners[https]". */
  readonly section?: string;
}

/**
 * An HTTP(S) listener as the user declared it (a Gateway listener). Listeners that share a port
 * become one Envoy listener with one filter chain each (SNI for HTTPS); that merge is src/xds's job.
 */
export interface Listener {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Hostnames this listener accepts; empty = any. For HTTPS these are the SNI server names. */
  readonly hostnames: readonly string[];
  /** HTTPS only: names of TlsSecrets to present (SDS). */
  readonly tls?: ListenerTls;
  readonly virtualHosts: readonly VirtualHost[];
  /** Answer every request on this listener with a redirect to https (HTTP → HTTPS). */
  readonly httpsRedirect?: { readonly port?: number; readonly statusCode: 301 | 302 | 307 | 308 };
  readonly options: ListenerOptions;
  readonly source: Source;
}

export interface ListenerTls {
  readonly certificateSecrets: readonly string[];
  /** ALPN offered to clients; default h2 and http/1.1. */
  readonly alpn?: readonly string[];
  readonly minVersion?: 'TLSv1_2' | 'TLSv1_3';
}

export interface ListenerOptions {
  /** JSON access log lines, on stdout unless accessLogPath is set. */
  readonly accessLog: boolean;
  /** With accessLog: append the JSON lines to this file (envoy.access_loggers.file) instead of stdout. */
  readonly accessLogPath?: string;
  /** Generate x-request-id when absent (and echo it in responses). */
  readonly requestId: { readonly generate: boolean; readonly preserveExternal: boolean; readonly returnInResponse: boolean };
  /** Accept WebSocket upgrades. */
  readonly websocket: boolean;
  /** Accept HTTP/2 (and so gRPC) from clients: always true for HTTPS via ALPN; h2c on plain HTTP. */
  readonly http2: boolean;
  /** Serve Envoy's Prometheus stats on this path of this listener (e.g. "/stats/prometheus"). */
  readonly prometheusStatsPath?: string;
  /** Compress responses (gzip) when the client accepts it. */
  readonly compression?: boolean;
  /** Translate gRPC-Web requests to gRPC. */
  readonly grpcWeb?: boolean;
}

/** A set of hostnames sharing a route table (Envoy VirtualHost). */
export interface VirtualHost {
  readonly name: string;
  /** Exact or wildcard ("*.example.com") hostnames; ["*"] for any. */
  readonly domains: readonly string[];
  /** In match order: the translator has already applied the input family's precedence rules. */
  readonly routes: readonly Route[];
  /** Policies that apply to every route of this host unless a route overrides them. */
  readonly policy?: RoutePolicy;
}

/** A TLS certificate and key (PEM), served over SDS under `name`. Never echoed by the admin API. */
export interface TlsSecret {
  readonly name: string;
  readonly certificateChain: string;
  readonly privateKey: string;
  readonly source: Source;
}

/** The RateLimitService the ratelimit filter calls (meshgate's own, in-process or standalone). */
export interface GlobalRateLimitService {
  /** Cluster (in this proxy's clusters) that reaches the RateLimitService over gRPC. */
  readonly cluster: string;
  readonly domain: string;
  /** Deny requests when the rate limit service cannot be reached. */
  readonly failClosed: boolean;
  readonly timeoutMs: number;
}
