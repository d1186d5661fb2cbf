// The check the xDS server applies before it sends a sidecar group's Secrets: the proxy must prove
// it is the workload of the group it claims (node metadata meshgate_group: sidecar/<ns>/<name>).
// Two proofs are accepted:
// - a TLS client certificate (verified against --xds-tls-client-ca in the handshake) whose URI SAN
//   is the workload's SPIFFE ID;
// - a bootstrap token (node metadata meshgate_token) issued by this control plane for the
//   workload's namespace and service account, and, when the token names a workload, that workload.
// Groups that are not mesh workloads (gateways) need no proof.
import type { Workload } from '../ir/mesh';
import { TOKEN_METADATA_KEY, type SecretAccessCheck, type SecretAccessDecision } from '../server/secret-access';
import type { TokenAuthority } from './tokens';

/** The proxyless view of a group, "grpc:<group>" (src/xds/proxyless/README.md), is the same workload. */
const PROXYLESS_PREFIX = 'grpc:';

export interface WorkloadProofDependencies {
  /** The workload a proxy group fronts, from the served configuration. */
  workloadOf(group: string): Workload | undefined;
  readonly tokens: TokenAuthority;
  /** The SPIFFE ID the CA gives a workload (its trust domain is the CA's). */
  spiffeIdOf(workload: Workload): string;
  readonly now?: () => number;
  /**
   * xDS is served in plain text: a token in node metadata can be read on the way. Each node that
   * sends one is warned about once (the token itself is never logged).
   */
  readonly plaintextTransport?: boolean;
  readonly logger?: { warn(details: Record<string, unknown>, message: string): void };
}

/** Nodes already warned about, bounded so a stream of new node ids cannot grow it without limit. */
const WARNED_LIMIT = 10_000;

export function createWorkloadProofCheck(deps: WorkloadProofDependencies): SecretAccessCheck {
  const now = deps.now ?? Date.now;
  const warned = new Set<string>();
  const warnPlaintext = (nodeId: string, peer: string): void => {
    if (!deps.plaintextTransport || !deps.logger || warned.has(nodeId)) return;
    if (warned.size >= WARNED_LIMIT) warned.clear();
    warned.add(nodeId);
    deps.logger.warn({ node: nodeId, peer }, `a ${TOKEN_METADATA_KEY} bootstrap token arrived over plain-text xDS, readable by anyone on the path: serve xDS over TLS (--xds-tls-cert, --xds-tls-key)`);
  };
  return ({ node, group, peer, peerUris }): SecretAccessDecision => {
    if (node.metadata[TOKEN_METADATA_KEY] !== undefined) warnPlaintext(node.id, peer);
    const workload = deps.workloadOf(group.startsWith(PROXYLESS_PREFIX) ? group.slice(PROXYLESS_PREFIX.length) : group);
    if (!workload) return { required: false };
    const spiffeId = deps.spiffeIdOf(workload);
    if (peerUris.includes(spiffeId)) return { required: true, allowed: true, spiffeId, via: 'client-certificate' };
    const deny = (reason: string): SecretAccessDecision => ({ required: true, allowed: false, spiffeId, reason });
    const token = node.metadata[TOKEN_METADATA_KEY];
    if (token === undefined) {
      return deny(peerUris.length > 0 ? `client certificate is for ${peerUris.join(', ')}, and no ${TOKEN_METADATA_KEY} in node metadata` : `no ${TOKEN_METADATA_KEY} in node metadata and no client certificate`);
    }
    if (typeof token !== 'string') return deny(`${TOKEN_METADATA_KEY} must be a string`);
    const verdict = deps.tokens.verify(token, now());
    if (!verdict.ok) return deny(verdict.reason);
    const { claims } = verdict;
    const identity = workload.identity;
    if (claims.namespace !== identity.namespace || claims.serviceAccount !== identity.serviceAccount) {
      return deny(`token is for namespace "${claims.namespace}" service account "${claims.serviceAccount}", the group's workload runs as "${identity.namespace}"/"${identity.serviceAccount}"`);
    }
    if (claims.workload !== undefined && !sameWorkload(claims.workload, claims.namespace, workload)) {
      return deny(`token is for workload "${claims.workload}", the group's workload is "${workload.name}"`);
    }
    return { required: true, allowed: true, spiffeId, via: 'token' };
  };
}

/** Workload.name is "<namespace>/<name>"; a token names the workload within its namespace. */
function sameWorkload(tokenWorkload: string, namespace: string, workload: Workload): boolean {
  return workload.name === `${namespace}/${tokenWorkload}` || workload.name === tokenWorkload;
}
