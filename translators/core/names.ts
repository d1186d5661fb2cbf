// Names of generated IR objects. They are stable across translations (derived only from the
// documents' kinds, namespaces and names), unique within a proxy, and readable in `explain`.

/** The proxy group a Gateway's proxies select with node metadata meshgate_group. */
export function gatewayProxyName(namespace: string, name: string): string {
  return `gateway/${namespace}/${name}`;
}

/** A cluster for a Backend: "backend/<ns>/<name>[/<port>][/grpc]". */
export function backendClusterName(namespace: string, name: string, port: number | undefined, grpc: boolean): string {
  return `backend/${namespace}/${name}${port !== undefined ? `/${port}` : ''}${grpc ? '/grpc' : ''}`;
}

/**
 * The cluster that fetches a remote JWKS: "jwks/<host>/<port>", plus a fingerprint of the CA when
 * one verifies the host (two policies trusting different CAs for one host get two clusters).
 */
export function jwksClusterName(host: string, port: number, caFingerprint?: string): string {
  return `jwks/${host}/${port}${caFingerprint !== undefined ? `/${caFingerprint}` : ''}`;
}

/** Where weighted traffic for a backend that did not resolve goes (no endpoints: Envoy answers 503). */
export const UNRESOLVED_BACKEND_CLUSTER = 'meshgate/unresolved-backend';

/** The cluster reaching meshgate's RateLimitService. */
export const RATE_LIMIT_CLUSTER = 'meshgate/ratelimit';

export function tlsSecretName(namespace: string, name: string): string {
  return `tls/${namespace}/${name}`;
}

export function virtualHostName(listener: string, hostname: string): string {
  return `${listener}/${hostname}`;
}

export function routeEntryName(virtualHost: string, routeKind: string, namespace: string, name: string, rule: number, match: number): string {
  return `${virtualHost}/${routeKind.toLowerCase()}/${namespace}/${name}/rule/${rule}/match/${match}`;
}
