// One resource type on one stream: what the proxy subscribed to, what it has been sent, and what
// to send next. SotW and Delta implement it differently; the stream engine drives both the same way.
import type { CachedResource, Snapshot } from '../cache/types';
import type { ResourceTypeUrl } from '../envoy/type-urls';

/**
 * A push runs in two phases (rule 12, make before break): in "make", clusters and endpoints are
 * added and updated but nothing is removed; after listeners, routes and secrets, "break" removes
 * the clusters and endpoints nothing refers to any more.
 */
export type PushPhase = 'make' | 'break';

export interface PlannedResponse {
  readonly typeUrl: ResourceTypeUrl;
  /** SotW version_info or delta system_version_info. */
  readonly version: string;
  readonly resources: readonly CachedResource[];
  /** Delta removed_resources (always empty for SotW). */
  readonly removed: readonly string[];
}

export interface TypeChannel<P extends PlannedResponse = PlannedResponse> {
  readonly typeUrl: ResourceTypeUrl;
  /** Whether something may need sending (snapshot or subscription changed since the last look). */
  dirty: boolean;
  /** Nonce of the last response sent for this type, undefined before the first. */
  readonly lastNonce: string | undefined;
  /** Version carried by the last response: what an ACK or NACK of lastNonce refers to. */
  readonly lastVersion: string;
  /** Whether the proxy already ACKed or NACKed lastNonce (a repeat is not reported twice). */
  lastNonceAnswered: boolean;
  /** The response to send now, or undefined when the proxy already has everything it asked for. */
  plan(view: Snapshot, phase: PushPhase): P | undefined;
  /** The planned response went out with this nonce. */
  commit(plan: P, nonce: string): void;
  /** Whether this exact version of the named resource has been sent to the proxy. */
  delivered(name: string, version: string): boolean;
}

/** How a request's response_nonce relates to the last response of its type (rules 1, 3, 5). */
export type NonceStatus =
  /** No response of this type was sent yet, or the request names no nonce: a plain request. */
  | 'fresh'
  /** The nonce of the last response: the request ACKs or NACKs it. */
  | 'current'
  /** An older nonce, or one this stream never sent. */
  | 'stale';

export function classifyNonce(lastNonce: string | undefined, responseNonce: string): NonceStatus {
  if (lastNonce === undefined || responseNonce === '') return 'fresh';
  return responseNonce === lastNonce ? 'current' : 'stale';
}
