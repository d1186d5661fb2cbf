// The request `explain` walks through one proxy's Envoy configuration, and what it reports back.
// Everything here is plain data so that the admin API can return it as JSON unchanged.

export interface ExplainRequest {
  /** The port the client connects to (the listener's port_value). */
  readonly port: number;
  /** TLS server name the client sends; defaults to the host (without port) when `tls` is set. */
  readonly sni?: string;
  /** The :authority / Host header, possibly with ":port". */
  readonly host: string;
  readonly method: string;
  /** The :path, query string included. */
  readonly path: string;
  /** Other request headers; names are case-insensitive. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The address of the peer that connects to Envoy (direct_remote_ip). Unknown when absent. */
  readonly sourceIp?: string;
  readonly sourcePort?: number;
  /** The client speaks TLS. */
  readonly tls?: boolean;
  /** Local address the client connected to; defaults to the listener's address when it is not a wildcard. */
  readonly destinationIp?: string;
  /** ALPN protocols the client offers (TLS), or that http_inspector would detect (plaintext). */
  readonly alpn?: readonly string[];
}

/**
 * forward: the router sends the request upstream. redirect / direct_response: the route answers.
 * denied: an HTTP filter answers with an error (401, 403, 413...). no_route: 404 from the router.
 * no_listener: nothing listens on the port. connection_closed: Envoy closes the connection before
 * HTTP (no filter chain matches, or TLS on one side only). cluster_not_found: the route names a
 * cluster that this proxy does not have (503 unless the route says otherwise).
 */
export type ExplainDecision =
  | 'forward'
  | 'redirect'
  | 'direct_response'
  | 'denied'
  | 'no_route'
  | 'no_listener'
  | 'connection_closed'
  | 'cluster_not_found';

export type FilterStatus = 'runs' | 'disabled' | 'skipped';

/** What a filter does to this request: let it through, stop it, answer it, or "cannot tell offline". */
export type FilterOutcome = 'pass' | 'deny' | 'respond' | 'unknown';

export interface FilterReport {
  /** The HTTP filter's name in the HttpConnectionManager (the typed_per_filter_config key). */
  readonly name: string;
  /** The filter's config type, e.g. "envoy.extensions.filters.http.rbac.v3.RBAC". */
  readonly type: string;
  readonly status: FilterStatus;
  readonly outcome?: FilterOutcome;
  /** Status code the filter answers with when outcome is deny or respond. */
  readonly statusCode?: number;
  readonly detail: string;
  /** Where the per-route configuration that applied came from. */
  readonly perRouteConfigFrom?: 'route' | 'virtual host' | 'route configuration';
  readonly rbac?: RbacReport;
  readonly jwt?: JwtReport;
  readonly rateLimit?: RateLimitReport;
}

export interface RbacReport {
  readonly action: 'ALLOW' | 'DENY' | 'LOG';
  readonly result: 'allowed' | 'denied' | 'unknown';
  /** The policy that decided (the first matching one, by name as Envoy orders them). */
  readonly matchedPolicy?: string;
  /** Every policy with its match result. */
  readonly policies: readonly { readonly name: string; readonly matched: boolean | 'unknown' }[];
  readonly shadow?: { readonly result: 'allowed' | 'denied' | 'unknown'; readonly matchedPolicy?: string };
}

export interface JwtReport {
  /** Where the requirement came from ("route requirement_name r1", "rules[0]", ...). */
  readonly requirementSource?: string;
  readonly requirement?: string;
  /** Providers whose token locations hold a token in this request. */
  readonly tokensFoundFor: readonly string[];
  readonly result: 'not_required' | 'satisfied' | 'missing_token' | 'assumed_valid';
}

export interface RateLimitReport {
  readonly kind: 'local' | 'global';
  /** Local: the token bucket that applies. */
  readonly tokenBucket?: { readonly maxTokens: number; readonly tokensPerFill: number; readonly fillInterval: string };
  readonly enabledPercent?: number;
  readonly enforcedPercent?: number;
  /** Descriptors built from the route's (or virtual host's) rate_limits actions. */
  readonly descriptors: readonly (readonly { readonly key: string; readonly value: string }[])[];
  /** Local: the configured descriptor whose bucket these descriptors hit, if any. */
  readonly matchedDescriptor?: readonly { readonly key: string; readonly value: string }[];
  /** Global: the rate limit service domain. */
  readonly domain?: string;
}

export interface HeaderChange {
  readonly name: string;
  readonly value: string;
  /** APPEND_IF_EXISTS_OR_ADD, ADD_IF_ABSENT, OVERWRITE_IF_EXISTS_OR_ADD or OVERWRITE_IF_EXISTS. */
  readonly action: string;
  /** Where it was configured: weighted cluster, route, virtual host or route configuration. */
  readonly level: string;
  /** Whether it changed the request (ADD_IF_ABSENT on a present header, or OVERWRITE_IF_EXISTS on an absent one, do not). */
  readonly applied: boolean;
}

export interface EndpointReport {
  readonly cluster: string;
  readonly address: string;
  readonly port?: number;
  readonly hostname?: string;
  readonly weight: number;
  readonly localityWeight?: number;
  readonly priority: number;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
  readonly healthStatus?: string;
}

export interface ClusterReport {
  readonly name: string;
  /** Weight among the route's weighted clusters (1 for a single cluster). */
  readonly weight: number;
  /** Share of traffic, 0–100. */
  readonly percent: number;
  /** The cluster exists in this proxy's configuration. */
  readonly found: boolean;
  readonly type?: string;
  readonly lbPolicy?: string;
  readonly connectTimeout?: string;
  readonly upstreamTls?: { readonly sni?: string };
  readonly http2?: boolean;
  /** Where its endpoints come from: "eds:<service name>", "load_assignment" or "dns". */
  readonly endpointSource?: string;
  readonly endpoints: readonly EndpointReport[];
  /** Weighted-cluster-level request header changes and host rewrite. */
  readonly requestHeadersAdded?: readonly HeaderChange[];
  readonly requestHeadersRemoved?: readonly string[];
  readonly hostRewrite?: string;
}

export interface RetryReport {
  readonly retryOn: string;
  readonly numRetries: number;
  readonly perTryTimeout?: string;
  readonly retriableStatusCodes?: readonly number[];
  readonly backoff?: { readonly baseInterval?: string; readonly maxInterval?: string };
  readonly from: 'route' | 'virtual host';
}

export interface UpstreamReport {
  readonly clusters: readonly ClusterReport[];
  /** The :path the upstream sees (query included). */
  readonly rewrittenPath: string;
  /** The :authority the upstream sees. */
  readonly rewrittenHost: string;
  readonly requestHeadersAdded: readonly HeaderChange[];
  readonly requestHeadersRemoved: readonly string[];
  /** Request headers as sent upstream after route-level changes (before any weighted-cluster changes). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Every endpoint of every cluster above. */
  readonly endpoints: readonly EndpointReport[];
  /** Route timeout, e.g. "15s" (Envoy's default) or "0s" (disabled). */
  readonly timeout?: string;
  readonly idleTimeout?: string;
  readonly retry?: RetryReport;
  readonly mirrors: readonly { readonly cluster: string; readonly percent: number }[];
  readonly hashPolicy: readonly string[];
  /** Set when the host the upstream sees comes from something explain cannot resolve. */
  readonly autoHostRewrite?: boolean;
  /** tcp_proxy instead of HTTP routing. */
  readonly tcp?: boolean;
}

export interface ExplainResult {
  readonly decision: ExplainDecision;
  /** HTTP status when the request is not forwarded (404, 403, 301...). */
  readonly status?: number;
  readonly listener?: { readonly name: string; readonly address: string; readonly port: number };
  readonly filterChain?: { readonly index: number | 'default'; readonly name?: string; readonly tls: boolean; readonly secrets: readonly { readonly name: string; readonly found: boolean }[] };
  readonly networkFilters?: readonly { readonly name: string; readonly type: string }[];
  readonly routeConfig?: { readonly name: string; readonly source: 'rds' | 'inline'; readonly found: boolean };
  readonly virtualHost?: { readonly name: string; readonly matchedDomain: string; readonly matchKind: 'exact' | 'suffix_wildcard' | 'prefix_wildcard' | 'any' };
  readonly route?: { readonly name?: string; readonly index: number; readonly match: string };
  readonly filters: readonly FilterReport[];
  readonly upstream?: UpstreamReport;
  readonly redirect?: { readonly location: string; readonly status: number };
  readonly directResponse?: { readonly status: number; readonly body?: string; readonly contentType?: string };
  /** Route-level response header changes (route, virtual host, route configuration levels). */
  readonly responseHeadersAdded?: readonly HeaderChange[];
  readonly responseHeadersRemoved?: readonly string[];
  /** Human-readable walk, in Envoy's order. */
  readonly steps: readonly string[];
  /** What explain could not know offline and what it assumed instead. */
  readonly assumptions: readonly string[];
}
