// The service mesh in the IR: what a sidecar (or a proxyless gRPC workload) needs beyond a
// gateway's listeners. A sidecar Proxy carries `mesh`: the workload it fronts (its identity decides
// which certificate it gets), inbound listeners that terminate mTLS and enforce authentication and
// authorization before the local app, and outbound listeners for the services it may call.
// Outbound routes and clusters reuse the gateway IR (VirtualHost, Route, Cluster), so every
// routing and upstream feature works the same north-south and east-west.
import type { CircuitBreaker } from './cluster';
import type { JwtPolicy } from './policy';
import type { Source, VirtualHost } from './types';

/** The SPIFFE identity of a workload: spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>. */
export interface WorkloadIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

export function spiffeIdOf(identity: WorkloadIdentity): string {
  return `spiffe://${identity.trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccount}`;
}

/**
 * SDS secret names every mesh proxy asks for, as Istio names them: its own certificate and key, and
 * the trust bundle that verifies peers. The CA (src/ca) serves them per proxy identity; the IR and
 * src/xds only refer to them by name.
 */
export const WORKLOAD_CERTIFICATE_SECRET = 'default';
export const TRUST_BUNDLE_SECRET = 'ROOTCA';

/**
 * Mesh RequestAuthentication writes each validated JWT payload to dynamic metadata under this key
 * (JwtProvider.payloadInMetadata); AuthorizationPolicy requestPrincipals and request.auth.* read it.
 */
export const MESH_JWT_PAYLOAD_KEY = 'payload';

export interface MeshProxy {
  readonly workload: Workload;
  /**
   * explicit: one outbound listener per upstream port bound on 127.0.0.1 and inbound listeners on
   * the workload's ports (no iptables; docker-compose uses this). transparent: outbound traffic
   * arrives on 0.0.0.0:15001 and inbound on 0.0.0.0:15006 (use_original_dst), dispatched to
   * per-port virtual listeners, for users who install Istio-style iptables rules.
   */
  readonly captureMode: 'explicit' | 'transparent';
  readonly inbound: readonly InboundListener[];
  readonly outbound: readonly OutboundListener[];
  /**
   * Transparent capture: where outbound traffic to a destination no outbound listener knows goes.
   * ALLOW_ANY (Istio's default): on to its original destination; REGISTRY_ONLY: dropped.
   */
  readonly outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /**
   * Transparent capture: inbound connections to a port the workload declares no listener for
   * (Istio's inbound passthrough) are accepted with the workload's own PeerAuthentication mode,
   * authorized as TCP, and passed on to their original destination. Absent: dropped.
   */
  readonly inboundPassthrough?: InboundPassthrough;
}

export interface InboundPassthrough {
  readonly mtls: InboundListener['mtls'];
  readonly authorization?: Authorization;
}

export interface Workload {
  /** "<namespace>/<name>" of the WorkloadEntry (or equivalent) this proxy fronts. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly identity: WorkloadIdentity;
  readonly address?: string;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
}

export type MeshProtocol = 'HTTP' | 'GRPC' | 'TCP';

/** Traffic for the local app: terminate (m)TLS, authenticate, authorize, forward to the app. */
export interface InboundListener {
  /** Unique per proxy, e.g. "inbound|9080". */
  readonly name: string;
  /** The port peers connect to (explicit mode binds it on 0.0.0.0). */
  readonly port: number;
  readonly protocol: MeshProtocol;
  /** Where the local app listens, e.g. 127.0.0.1:8080. */
  readonly forwardTo: { readonly address: string; readonly port: number };
  /** PeerAuthentication: STRICT (mTLS only), PERMISSIVE (mTLS or plain text), DISABLE (plain text). */
  readonly mtls: 'STRICT' | 'PERMISSIVE' | 'DISABLE';
  /** RequestAuthentication: JWTs are validated when present (a missing token passes authentication). */
  readonly requestAuthentication?: JwtPolicy;
  readonly authorization?: Authorization;
  /** Limits of the cluster to the local app ("inbound|<port>||"); absent: Envoy's defaults. */
  readonly circuitBreaker?: CircuitBreaker;
  readonly source: Source;
}

/** The services a workload may call on one port. */
export interface OutboundListener {
  /** Unique per proxy, e.g. "outbound|9080". */
  readonly name: string;
  /** explicit mode: the address to bind (127.0.0.1 unless the Sidecar's egress `bind` says otherwise). */
  readonly address: string;
  readonly port: number;
  readonly protocol: MeshProtocol;
  /** HTTP/GRPC: one virtual host per service on this port; domains include short names and host:port. */
  readonly virtualHosts: readonly VirtualHost[];
  /** TCP: the cluster every connection goes to. */
  readonly tcpCluster?: string;
  readonly source: Source;
}

/**
 * Istio AuthorizationPolicy semantics, already scoped to this workload: CUSTOM is asked first
 * (ext_authz), then a request matching any DENY rule is denied, then, when `allow` is present, a
 * request matching no ALLOW rule is denied (deny by default once an ALLOW policy exists).
 */
export interface Authorization {
  readonly custom?: readonly CustomAuthorization[];
  readonly deny: readonly AuthorizationRule[];
  /** Absent: no ALLOW policy, everything not denied passes. Empty: nothing is allowed. */
  readonly allow?: readonly AuthorizationRule[];
  /** AUDIT rules: matched requests are only flagged for access logs. */
  readonly audit?: readonly AuthorizationRule[];
}

export interface CustomAuthorization {
  /** The ext_authz service (a Cluster of this proxy) and how to call it. */
  readonly cluster: string;
  readonly protocol: 'grpc' | 'http';
  readonly timeoutMs: number;
  readonly failOpen: boolean;
  readonly pathPrefix?: string;
  readonly includeRequestHeaders?: readonly string[];
  /** Only requests matching one of these rules are sent to the authorizer. */
  readonly rules: readonly AuthorizationRule[];
}

/**
 * One Istio rule: the request matches when some `from` matches (or none are given), some `to`
 * matches (or none are given) and every `when` matches. Within a match, every given field must
 * match; within a field, any value. Values keep Istio's forms: exact, "prefix*", "*suffix", "*".
 */
export interface AuthorizationRule {
  /** "<namespace>/<policy>[rules[i]]": Envoy's RBAC policy name, shown by explain and access logs. */
  readonly name: string;
  readonly from?: readonly PeerMatch[];
  readonly to?: readonly OperationMatch[];
  readonly when?: readonly ConditionMatch[];
  readonly source: Source;
}

export interface PeerMatch {
  /** SPIFFE IDs without the scheme, as Istio writes them: "cluster.local/ns/default/sa/sleep". */
  readonly principals?: readonly string[];
  readonly notPrincipals?: readonly string[];
  /** "<iss>/<sub>" of a validated JWT. */
  readonly requestPrincipals?: readonly string[];
  readonly notRequestPrincipals?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly notNamespaces?: readonly string[];
  /** CIDRs or IPs of the direct peer. */
  readonly ipBlocks?: readonly string[];
  readonly notIpBlocks?: readonly string[];
  /** CIDRs or IPs of the original client (X-Forwarded-For). */
  readonly remoteIpBlocks?: readonly string[];
  readonly notRemoteIpBlocks?: readonly string[];
}

export interface OperationMatch {
  readonly hosts?: readonly string[];
  readonly notHosts?: readonly string[];
  readonly ports?: readonly number[];
  readonly notPorts?: readonly number[];
  readonly methods?: readonly string[];
  readonly notMethods?: readonly string[];
  readonly paths?: readonly string[];
  readonly notPaths?: readonly string[];
}

/** Istio `when` keys: request.headers[x], source.ip, source.namespace, source.principal, request.auth.claims[c], ... */
export interface ConditionMatch {
  readonly key: string;
  readonly values?: readonly string[];
  readonly notValues?: readonly string[];
}

/** Fault injection on a route (VirtualService fault): delay and/or abort a percentage of requests. */
export interface FaultPolicy {
  readonly delay?: { readonly fixedDelayMs: number; readonly percent: number };
  readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: number; readonly percent: number };
}
