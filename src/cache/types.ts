// The snapshot cache's public shape. Translators (through the app) write snapshots; the ADS
// server, proxy status and the admin API read them.
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import type { ResourceTypeUrl } from '../envoy/type-urls';

/** One resource as served: encoded once per version, the bytes shared by every proxy and stream. */
export interface CachedResource {
  readonly typeUrl: ResourceTypeUrl;
  readonly name: string;
  /** Content hash of the deterministic encoding (for endpoints: also of the cluster's version). */
  readonly version: string;
  readonly json: JsonObject;
  /** The resource encoded as a google.protobuf.Any (type_url + value). */
  readonly any: Uint8Array;
}

export interface Snapshot {
  readonly group: string;
  /** Per type: name → resource. Every type is present (possibly empty). */
  readonly resources: ReadonlyMap<ResourceTypeUrl, ReadonlyMap<string, CachedResource>>;
  /** Per type: a hash of the sorted (name, version) pairs; moves only when that type changes. */
  readonly typeVersions: ReadonlyMap<ResourceTypeUrl, string>;
  /** When the change that produced this snapshot was accepted (ms since epoch). */
  readonly acceptedAt: number;
}

/** One broken rule, as Envoy would report it: which resource, which field, which rule. */
export interface ValidationIssue {
  readonly typeUrl: string;
  readonly name: string;
  /** Field path in the resource's JSON, e.g. "virtual_hosts[0].routes[1].route.cluster". */
  readonly path: string;
  /** The rule, e.g. "string.min_len", "message.required", "reference.cluster". */
  readonly rule: string;
  readonly message: string;
}

export type SnapshotValidator = (resources: readonly EnvoyResource[]) => ValidationIssue[];

/** What the ADS server needs from the cache: the latest snapshot of a group, and change notices. */
export interface SnapshotSource {
  getSnapshot(group: string): Snapshot | undefined;
  /** `listener` hears the names of groups whose resources changed; returns the unsubscribe function. */
  subscribe(listener: (groups: readonly string[]) => void): () => void;
}
