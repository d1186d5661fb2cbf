// Encoded resources shared by every snapshot of every group: a resource whose content is already
// held somewhere is never encoded again, and its bytes are one object however many groups, proxies
// and streams send it. Entries are reference-counted by the snapshots that hold them, so churn does
// not leave stale encodings behind.
import type { CachedResource } from './types';

export interface PoolEntry {
  /** The resource as an encoded google.protobuf.Any. */
  readonly any: Uint8Array;
  /** Hash of `any`. */
  readonly version: string;
}

interface CountedEntry extends PoolEntry {
  refs: number;
}

export class EncodingPool {
  private readonly entries = new Map<string, CountedEntry>();
  /** The content key each cached resource was built from. */
  private readonly keys = new WeakMap<CachedResource, string>();
  /** Entries created for a snapshot that has not been committed yet. */
  private readonly staged = new Set<string>();

  get size(): number {
    return this.entries.size;
  }

  keyOf(resource: CachedResource): string | undefined {
    return this.keys.get(resource);
  }

  lookup(key: string): PoolEntry | undefined {
    return this.entries.get(key);
  }

  /** The entry for `key`, encoding it with `encode` only when nothing holds that content yet. */
  obtain(key: string, encode: () => { any: Uint8Array; version: string }): PoolEntry {
    const existing = this.entries.get(key);
    if (existing) return existing;
    const created: CountedEntry = { ...encode(), refs: 0 };
    this.entries.set(key, created);
    this.staged.add(key);
    return created;
  }

  /** Remember which content key a cached resource was built from. */
  bind(resource: CachedResource, key: string): void {
    this.keys.set(resource, key);
  }

  /** A snapshot now holds these resources. */
  retain(resources: Iterable<CachedResource>): void {
    for (const r of resources) {
      const key = this.keys.get(r);
      const entry = key === undefined ? undefined : this.entries.get(key);
      if (entry) entry.refs += 1;
    }
  }

  /** A snapshot no longer holds these resources; content nobody holds is dropped. */
  release(resources: Iterable<CachedResource>): void {
    for (const r of resources) {
      const key = this.keys.get(r);
      if (key === undefined) continue;
      const entry = this.entries.get(key);
      if (!entry) continue;
      entry.refs -= 1;
      if (entry.refs <= 0) this.entries.delete(key);
    }
  }

  /** Drop entries encoded for a snapshot that was then refused or turned out to be unchanged. */
  sweepStaged(): void {
    for (const key of this.staged) {
      const entry = this.entries.get(key);
      if (entry && entry.refs <= 0) this.entries.delete(key);
    }
    this.staged.clear();
  }
}
