// Who may receive a group's Secrets. A sidecar's group carries its workload's private key, so the
// proxy must prove it is that workload (a bootstrap token in its node metadata, or a verified TLS
// client certificate with the workload's SPIFFE ID); the check itself lives in src/identity and is
// injected, the server only applies the verdict: a proxy that fails it is served everything of its
// group except Secrets, and shows as unauthenticated in proxy status.
import type { Snapshot } from '../cache/types';
import type { JsonObject } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import { typeVersion } from '../cache/versions';
import type { NodeInfo } from './observer';

/** Node metadata key carrying a proxy's bootstrap token (never logged, never shown). */
export const TOKEN_METADATA_KEY = 'meshgate_token';
/** Node metadata key the server sets (overwriting what a proxy sent) to show the verdict in proxy status. */
export const IDENTITY_METADATA_KEY = 'meshgate_identity';
export const REDACTED_TOKEN = '[redacted]';

export interface SecretAccessRequest {
  /** The node as the proxy sent it, token included. */
  readonly node: NodeInfo;
  readonly group: string;
  /** e.g. "ipv4:127.0.0.1:51234". */
  readonly peer: string;
  /** URI SANs of the client certificate verified in the TLS handshake (empty without one). */
  readonly peerUris: readonly string[];
}

export type SecretAccessDecision =
  /** A group whose Secrets anyone reading it may have (gateways, unknown groups). */
  | { readonly required: false }
  | { readonly required: true; readonly allowed: true; readonly spiffeId: string; readonly via: 'token' | 'client-certificate' }
  | { readonly required: true; readonly allowed: false; readonly spiffeId: string; readonly reason: string };

export type SecretAccessCheck = (request: SecretAccessRequest) => SecretAccessDecision;

export const NO_SECRET_ACCESS_CHECK: SecretAccessCheck = () => ({ required: false });

export function secretsAllowed(decision: SecretAccessDecision): boolean {
  return !decision.required || decision.allowed;
}

export function sameDecision(a: SecretAccessDecision, b: SecretAccessDecision): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The node as everyone else sees it (proxy status, CSDS, logs): the token replaced, and for groups
 * that need proof, the verdict under meshgate_identity.
 */
export function publicNode(node: NodeInfo, decision: SecretAccessDecision): NodeInfo {
  const { [TOKEN_METADATA_KEY]: token, [IDENTITY_METADATA_KEY]: _claimed, ...rest } = node.metadata;
  const metadata: JsonObject = { ...rest };
  if (token !== undefined) metadata[TOKEN_METADATA_KEY] = REDACTED_TOKEN;
  if (decision.required) {
    metadata[IDENTITY_METADATA_KEY] = decision.allowed
      ? { authenticated: true, spiffe_id: decision.spiffeId, via: decision.via }
      : { authenticated: false, spiffe_id: decision.spiffeId, reason: decision.reason };
  }
  return { ...node, metadata };
}

const withheld = new WeakMap<Snapshot, Snapshot>();
const NO_SECRETS_VERSION = typeVersion([]);

/** The snapshot without its Secrets (one shared object per snapshot, so streams compare by identity). */
export function withoutSecrets(snapshot: Snapshot): Snapshot {
  if ((snapshot.resources.get(TypeUrl.Secret)?.size ?? 0) === 0) return snapshot;
  const known = withheld.get(snapshot);
  if (known) return known;
  const resources = new Map(snapshot.resources);
  resources.set(TypeUrl.Secret, new Map());
  const typeVersions = new Map(snapshot.typeVersions);
  typeVersions.set(TypeUrl.Secret, NO_SECRETS_VERSION);
  const view: Snapshot = { ...snapshot, resources, typeVersions };
  withheld.set(snapshot, view);
  return view;
}

/** "URI:spiffe://a/b, DNS:x" (Node's subjectaltname) → the URIs. */
export function urisOfSubjectAltName(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4));
}
