// One resource type on a state-of-the-world stream.
//
// Listeners and clusters are "full state" (rule 9): every response carries every subscribed
// resource, and leaving one out deletes it. Routes, endpoints and secrets are "named": a response
// may carry any subset, and omission deletes nothing. Either way a response always carries every
// subscribed resource that exists (Envoy's newer SotW mux tells a watch that gets nothing in a
// response that its resource is gone, and an SDS watch NACKs that), and it is sent only when it
// would tell the proxy something new (rule 6).
import type { CachedResource, Snapshot } from '../cache/types';
import { TypeUrl, type ResourceTypeUrl } from '../envoy/type-urls';
import { typeVersion } from '../cache/versions';
import type { PlannedResponse, PushPhase, TypeChannel } from './channel';

export const WILDCARD = '*';

export function isFullStateType(typeUrl: ResourceTypeUrl): boolean {
  return typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.Cluster;
}

export interface SotwPlan extends PlannedResponse {
  readonly byName: ReadonlyMap<string, CachedResource>;
}

export class SotwChannel implements TypeChannel<SotwPlan> {
  dirty = true;
  lastNonce: string | undefined;
  /** Version carried by the last response (what an ACK or NACK of lastNonce refers to). */
  lastVersion = '';
  /** Whether the proxy already ACKed or NACKed lastNonce (so a repeat is not a second ACK). */
  lastNonceAnswered = false;

  private wildcard = false;
  /** Explicitly requested names (never "*"). */
  private names = new Set<string>();
  /** Whether the proxy ever listed names: from then on an empty list means "nothing" (rule 8). */
  private namesListed = false;
  /** What the proxy holds from us, by name. */
  private sent = new Map<string, CachedResource>();
  /** Names requested since the last response: answered even if the proxy had them (rule 7). */
  private readonly forced = new Set<string>();
  /** The first request of a type on a stream is always answered (rules 8 and 14). */
  private mustRespond = true;
  private readonly fullState: boolean;

  constructor(readonly typeUrl: ResourceTypeUrl) {
    this.fullState = isFullStateType(typeUrl);
  }

  get isWildcard(): boolean {
    return this.wildcard;
  }

  get subscribedNames(): ReadonlySet<string> {
    return this.names;
  }

  /** Apply the resource_names of a request (stale or not: rule 5). */
  updateSubscription(resourceNames: readonly string[]): void {
    const explicit = new Set<string>();
    let star = false;
    for (const n of resourceNames) {
      if (n === WILDCARD) star = true;
      else explicit.add(n);
    }
    let wildcard: boolean;
    if (star) wildcard = true;
    else if (resourceNames.length === 0) wildcard = this.fullState && !this.namesListed;
    else wildcard = false;
    if (resourceNames.length > 0) this.namesListed = true;

    let changed = wildcard !== this.wildcard;
    if (wildcard && !this.wildcard) this.mustRespond = true;
    for (const n of explicit) {
      if (!this.names.has(n)) {
        this.forced.add(n);
        changed = true;
      }
    }
    for (const n of this.names) {
      if (explicit.has(n)) continue;
      changed = true;
      this.forced.delete(n);
      // The proxy dropped it itself; forgetting it avoids a needless response now and makes a
      // later re-subscription send it again.
      if (!wildcard) this.sent.delete(n);
    }
    this.names = explicit;
    this.wildcard = wildcard;
    if (changed) this.dirty = true;
  }

  plan(view: Snapshot, phase: PushPhase): SotwPlan | undefined {
    if (!this.wildcard && this.names.size === 0) return undefined;
    const available = view.resources.get(this.typeUrl) ?? new Map<string, CachedResource>();
    const desired = new Map<string, CachedResource>();
    if (this.wildcard) for (const [n, r] of available) desired.set(n, r);
    for (const n of this.names) {
      const r = available.get(n);
      if (r) desired.set(n, r);
    }
    return this.fullState ? this.planFullState(view, phase, desired) : this.planNamed(view, available, desired);
  }

  private planFullState(view: Snapshot, phase: PushPhase, desired: Map<string, CachedResource>): SotwPlan | undefined {
    let keptRemoved = false;
    if (phase === 'make' && this.typeUrl === TypeUrl.Cluster) {
      // Clusters that are going away stay until the listeners and routes stop using them.
      for (const [n, r] of this.sent) {
        if (!desired.has(n) && (this.wildcard || this.names.has(n))) {
          desired.set(n, r);
          keptRemoved = true;
        }
      }
    }
    const changed = this.mustRespond || this.forced.size > 0 || !sameContent(desired, this.sent);
    if (!changed) return undefined;
    const version = keptRemoved ? typeVersion(desired.values()) : view.typeVersions.get(this.typeUrl) ?? '';
    return { typeUrl: this.typeUrl, version, resources: [...desired.values()], removed: [], byName: desired };
  }

  private planNamed(
    view: Snapshot,
    available: ReadonlyMap<string, CachedResource>,
    desired: Map<string, CachedResource>,
  ): SotwPlan | undefined {
    // A resource that disappeared is forgotten, so it is sent again if it comes back.
    for (const n of [...this.sent.keys()]) if (!available.has(n)) this.sent.delete(n);
    let changed = false;
    for (const [n, r] of desired) {
      if (this.forced.has(n) || this.sent.get(n)?.version !== r.version) {
        changed = true;
        break;
      }
    }
    // Nothing to say about names that do not exist yet: they are remembered and pushed when they
    // appear (rule 7).
    if (!changed) return undefined;
    const version = view.typeVersions.get(this.typeUrl) ?? '';
    return { typeUrl: this.typeUrl, version, resources: [...desired.values()], removed: [], byName: desired };
  }

  commit(plan: SotwPlan, nonce: string): void {
    if (this.fullState) {
      this.sent = new Map(plan.byName);
      this.forced.clear();
    } else {
      for (const [n, r] of plan.byName) {
        this.sent.set(n, r);
        this.forced.delete(n);
      }
    }
    this.mustRespond = false;
    this.lastNonce = nonce;
    this.lastVersion = plan.version;
    this.lastNonceAnswered = false;
  }

  delivered(name: string, version: string): boolean {
    return this.sent.get(name)?.version === version;
  }
}

function sameContent(a: ReadonlyMap<string, CachedResource>, b: ReadonlyMap<string, CachedResource>): boolean {
  if (a.size !== b.size) return false;
  for (const [n, r] of a) if (b.get(n)?.version !== r.version) return false;
  return true;
}
