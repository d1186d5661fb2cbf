// The snapshot cache: per group (what a set of proxies should see), the latest accepted set of
// resources, each encoded once and versioned by content. Writers (translators, tests) call
// setSnapshot; the ADS server reads getSnapshot and hears about changed groups through subscribe,
// debounced so that a burst of changes reaches the proxies as one push.
import type { EnvoyResource } from '../envoy/resource';
import { RESOURCE_TYPE_URLS } from '../envoy/type-urls';
import { buildSnapshot } from './build-snapshot';
import { KeyedDebouncer } from './debounce';
import { EncodingPool } from './encoding-pool';
import { SnapshotRejectedError } from './snapshot-rejected-error';
import type { CachedResource, Snapshot, SnapshotSource, SnapshotValidator, ValidationIssue } from './types';

export interface SnapshotCacheOptions {
  /** Envoy's rules, run on every snapshot before it is accepted (src/validate in production). */
  readonly validator: SnapshotValidator;
  /** Quiet time before listeners hear about changes (default 100 ms). */
  readonly debounceMs?: number;
  /** Longest delay between the first pending change and the notification (default 1000 ms). */
  readonly maxDelayMs?: number;
  readonly now?: () => number;
}

export interface SetSnapshotOptions {
  /** Serve the resources without validation. Only for tests that need a deliberately invalid resource. */
  readonly skipValidation?: boolean;
}

export interface SetSnapshotResult {
  /** The group's snapshot after the call (the previous object when nothing changed). */
  readonly snapshot: Snapshot;
  /** Whether any resource of the group changed. */
  readonly changed: boolean;
}

export type SnapshotListener = (groups: readonly string[]) => void;

export const DEFAULT_DEBOUNCE_MS = 100;
export const DEFAULT_MAX_DELAY_MS = 1000;

function sameTypeVersions(a: Snapshot | undefined, b: Snapshot | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return RESOURCE_TYPE_URLS.every((t) => a.typeVersions.get(t) === b.typeVersions.get(t));
}

function* allResources(snapshot: Snapshot): Iterable<CachedResource> {
  for (const byName of snapshot.resources.values()) yield* byName.values();
}

/** Resources of `a` that `b` does not hold as the very same object under the same type and name. */
function resourcesNotIn(a: Snapshot, b: Snapshot): CachedResource[] {
  const out: CachedResource[] = [];
  for (const [typeUrl, byName] of a.resources) {
    const other = b.resources.get(typeUrl);
    // A type the build kept as it was is the same map in both snapshots.
    if (other === byName) continue;
    for (const [name, resource] of byName) if (other?.get(name) !== resource) out.push(resource);
  }
  return out;
}

export class SnapshotCache implements SnapshotSource {
  private readonly snapshots = new Map<string, Snapshot>();
  /** What listeners were last told about each group, to skip groups that changed back. */
  private readonly notified = new Map<string, Snapshot | undefined>();
  private readonly listeners = new Set<SnapshotListener>();
  private readonly pool = new EncodingPool();
  private readonly debouncer: KeyedDebouncer;
  private readonly validator: SnapshotValidator;
  private readonly now: () => number;

  constructor(options: SnapshotCacheOptions) {
    this.validator = options.validator;
    this.now = options.now ?? Date.now;
    this.debouncer = new KeyedDebouncer({
      quietMs: options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
      flush: (groups) => this.notify(groups),
      now: this.now,
    });
  }

  /**
   * Validate, encode and store the group's resources. Throws SnapshotRejectedError (and changes
   * nothing) when a resource breaks a rule or cannot be encoded.
   */
  setSnapshot(group: string, resources: readonly EnvoyResource[], opts: SetSnapshotOptions = {}): SetSnapshotResult {
    let built: Snapshot;
    try {
      built = this.prepare(group, resources, opts);
    } catch (err) {
      this.pool.sweepStaged();
      throw err;
    }
    const [result] = this.commit([[group, built]], []);
    return result!;
  }

  /**
   * Replace every group at once: the given groups get these resources and all other groups are
   * deleted. Atomic: if any group is refused, nothing changes (the error lists every issue).
   */
  setSnapshots(groups: ReadonlyMap<string, readonly EnvoyResource[]>, opts: SetSnapshotOptions = {}): SetSnapshotResult[] {
    const built: [string, Snapshot][] = [];
    const issues: ValidationIssue[] = [];
    let firstRefused: string | undefined;
    for (const [group, resources] of groups) {
      try {
        built.push([group, this.prepare(group, resources, opts)]);
      } catch (err) {
        if (!(err instanceof SnapshotRejectedError)) {
          this.pool.sweepStaged();
          throw err;
        }
        firstRefused ??= group;
        issues.push(...err.issues);
      }
    }
    if (firstRefused !== undefined) {
      this.pool.sweepStaged();
      throw new SnapshotRejectedError(firstRefused, issues);
    }
    const removed = [...this.snapshots.keys()].filter((g) => !groups.has(g));
    return this.commit(built, removed);
  }

  /** Validate and build a group's snapshot without storing it. */
  private prepare(group: string, resources: readonly EnvoyResource[], opts: SetSnapshotOptions): Snapshot {
    if (!opts.skipValidation) {
      const issues = this.validator(resources);
      if (issues.length > 0) throw new SnapshotRejectedError(group, issues);
    }
    const built = buildSnapshot(group, resources, this.snapshots.get(group), this.pool, this.now());
    if (!built.ok) throw new SnapshotRejectedError(group, built.issues);
    return built.snapshot;
  }

  /** Store built snapshots (unless unchanged) and delete groups, then announce the changes. */
  private commit(built: readonly [string, Snapshot][], removed: readonly string[]): SetSnapshotResult[] {
    const results: SetSnapshotResult[] = [];
    const released: CachedResource[][] = [];
    for (const [group, snapshot] of built) {
      const previous = this.snapshots.get(group);
      if (previous && sameTypeVersions(previous, snapshot)) {
        results.push({ snapshot: previous, changed: false });
        continue;
      }
      // Hold the new snapshot's encodings before letting go of the old ones they may share. A
      // resource both snapshots hold as the same object keeps its count: only the difference moves.
      if (previous) {
        this.pool.retain(resourcesNotIn(snapshot, previous));
        released.push(resourcesNotIn(previous, snapshot));
      } else this.pool.retain(allResources(snapshot));
      this.snapshots.set(group, snapshot);
      this.debouncer.mark(group);
      results.push({ snapshot, changed: true });
    }
    for (const group of removed) {
      const previous = this.snapshots.get(group);
      if (!previous) continue;
      this.snapshots.delete(group);
      released.push([...allResources(previous)]);
      this.debouncer.mark(group);
    }
    for (const resources of released) this.pool.release(resources);
    this.pool.sweepStaged();
    return results;
  }

  /** The latest accepted snapshot of the group (never waits for the debounce). */
  getSnapshot(group: string): Snapshot | undefined {
    return this.snapshots.get(group);
  }

  deleteSnapshot(group: string): boolean {
    if (!this.snapshots.has(group)) return false;
    this.commit([], [group]);
    return true;
  }

  groups(): string[] {
    return [...this.snapshots.keys()].sort();
  }

  /** Hear about changed groups (debounced). Returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Deliver pending notifications now instead of after the debounce delay. */
  flush(): void {
    this.debouncer.flushNow();
  }

  /** Distinct encoded resources held across all groups (for tests and memory accounting). */
  get encodedResourceCount(): number {
    return this.pool.size;
  }

  close(): void {
    this.debouncer.dispose();
    this.listeners.clear();
  }

  private notify(groups: readonly string[]): void {
    const changed: string[] = [];
    for (const group of groups) {
      const current = this.snapshots.get(group);
      // Created and deleted again within one debounce window: nobody saw it, nothing to say.
      if (!current && !this.notified.has(group)) continue;
      if (this.notified.has(group) && sameTypeVersions(this.notified.get(group), current)) continue;
      if (current) this.notified.set(group, current);
      else this.notified.delete(group);
      changed.push(group);
    }
    if (changed.length === 0) return;
    for (const listener of [...this.listeners]) listener(changed);
  }
}
