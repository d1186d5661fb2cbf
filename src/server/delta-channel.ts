// One resource type on an incremental (delta) stream: versions per resource, only changes sent,
// removals named in removed_resources (rules 15 to 19).
import type { CachedResource, Snapshot } from '../cache/types';
import { TypeUrl, type ResourceTypeUrl } from '../envoy/type-urls';
import type { PlannedResponse, PushPhase, TypeChannel } from './channel';
import { isFullStateType, WILDCARD } from './sotw-channel';

export interface DeltaSubscriptionChange {
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  /** Only read on the first request of the type on a stream (rule 19). */
  readonly initialResourceVersions: ReadonlyMap<string, string>;
}

export class DeltaChannel implements TypeChannel {
  dirty = true;
  lastNonce: string | undefined;
  lastVersion = '';
  lastNonceAnswered = false;

  private wildcard = false;
  private readonly names = new Set<string>();
  /** name → version the proxy holds (what we sent, or what it said it had on a new stream). */
  private readonly clientHas = new Map<string, string>();
  /** Subscribed names already reported as absent (rule 18), so the report is not repeated. */
  private readonly toldMissing = new Set<string>();
  private initialized = false;
  /** A first wildcard request is answered even when there is nothing, so the proxy can finish initialising. */
  private mustRespond = false;
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

  /** Apply a request's subscription changes; returns whether anything changed. */
  apply(change: DeltaSubscriptionChange): boolean {
    let changed = false;
    const first = !this.initialized;
    if (first) {
      this.initialized = true;
      changed = true;
      for (const [n, v] of change.initialResourceVersions) this.clientHas.set(n, v);
      // Legacy wildcard: a first request for listeners or clusters that names nothing.
      if (change.subscribe.length === 0 && this.fullState) this.wildcard = true;
    }
    for (const n of change.subscribe) {
      changed = true;
      if (n === WILDCARD) {
        this.wildcard = true;
        continue;
      }
      this.names.add(n);
      this.toldMissing.delete(n);
      // A name subscribed again is sent again, even if the proxy should still have it (rule 16);
      // on a new stream initial_resource_versions says what it has (rule 19).
      if (!first) this.clientHas.delete(n);
    }
    for (const n of change.unsubscribe) {
      if (n === WILDCARD) {
        if (!this.wildcard) continue;
        this.wildcard = false;
        changed = true;
        for (const held of [...this.clientHas.keys()]) if (!this.names.has(held)) this.clientHas.delete(held);
        continue;
      }
      // A name the proxy never subscribed to is ignored (rule 17).
      if (!this.names.delete(n)) continue;
      changed = true;
      this.toldMissing.delete(n);
      if (!this.wildcard) this.clientHas.delete(n);
    }
    if (first && this.wildcard) this.mustRespond = true;
    if (changed) this.dirty = true;
    return changed;
  }

  plan(view: Snapshot, phase: PushPhase): PlannedResponse | undefined {
    const available = view.resources.get(this.typeUrl) ?? new Map<string, CachedResource>();
    const resources: CachedResource[] = [];
    const removed: string[] = [];
    const consider = (r: CachedResource): void => {
      if (this.clientHas.get(r.name) !== r.version) resources.push(r);
    };
    if (this.wildcard) for (const r of available.values()) consider(r);
    for (const n of this.names) {
      const r = available.get(n);
      if (r) {
        if (!this.wildcard) consider(r);
      } else if (!this.clientHas.has(n) && !this.toldMissing.has(n)) {
        removed.push(n); // subscribed but absent: say so now rather than after the proxy's timeout
      }
    }
    // Clusters and endpoints are removed only after listeners and routes stopped using them (rule 12).
    const deferRemovals = phase === 'make' && (this.typeUrl === TypeUrl.Cluster || this.typeUrl === TypeUrl.ClusterLoadAssignment);
    for (const n of [...this.clientHas.keys()]) {
      if (available.has(n)) continue;
      if (!this.wildcard && !this.names.has(n)) {
        this.clientHas.delete(n); // listed in initial_resource_versions without being subscribed
        continue;
      }
      if (!deferRemovals) removed.push(n);
    }
    if (resources.length === 0 && removed.length === 0 && !this.mustRespond) return undefined;
    return { typeUrl: this.typeUrl, version: view.typeVersions.get(this.typeUrl) ?? '', resources, removed };
  }

  commit(plan: PlannedResponse, nonce: string): void {
    for (const r of plan.resources) {
      this.clientHas.set(r.name, r.version);
      this.toldMissing.delete(r.name);
    }
    for (const n of plan.removed) {
      this.clientHas.delete(n);
      if (this.names.has(n)) this.toldMissing.add(n);
    }
    this.mustRespond = false;
    this.lastNonce = nonce;
    this.lastVersion = plan.version;
    this.lastNonceAnswered = false;
  }

  delivered(name: string, version: string): boolean {
    return this.clientHas.get(name) === version;
  }
}
