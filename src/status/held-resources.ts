// The names of the resources of one type that a proxy currently holds, as far as our responses
// tell: what the config endpoint and CSDS show. Kept without copying where possible: a SotW
// response's name list is held by reference (the server may share it between proxies), and a
// set is built only when responses carry subsets (delta, or SotW RDS/EDS/SDS partial updates).
import { TypeUrl } from '../envoy/type-urls';

/** SotW responses of these types carry the complete set: leaving a name out removes it (rule 9). */
const FULL_STATE_TYPES: ReadonlySet<string> = new Set([TypeUrl.Listener, TypeUrl.Cluster]);

export class HeldResources {
  private list: readonly string[] = [];
  private set: Set<string> | undefined;

  get size(): number {
    return this.set ? this.set.size : this.list.length;
  }

  names(): Iterable<string> {
    return this.set ?? this.list;
  }

  has(name: string): boolean {
    return this.set ? this.set.has(name) : this.list.includes(name);
  }

  /**
   * A SotW response. Full-state types replace what was held; other types may carry a subset, so
   * names not repeated stay held (they go when the proxy stops asking, which the server does not
   * report; `prune` drops names that no longer exist). Returns true when names were kept that
   * the response did not restate.
   */
  applySotw(typeUrl: string, names: readonly string[]): boolean {
    if (FULL_STATE_TYPES.has(typeUrl) || this.size === 0 || names === this.list || this.coveredBy(names)) {
      this.list = names;
      this.set = undefined;
      return false;
    }
    const merged = this.set ?? new Set(this.list);
    for (const name of names) merged.add(name);
    this.set = merged;
    this.list = [];
    return true;
  }

  /** A delta response: names carried are held, removed names are not. */
  applyDelta(names: readonly string[], removed: readonly string[]): void {
    const set = this.set ?? new Set(this.list);
    for (const name of names) set.add(name);
    for (const name of removed) set.delete(name);
    this.set = set;
    this.list = [];
  }

  /** Forget names for which `exists` is false (resources deleted from the snapshot). */
  prune(exists: (name: string) => boolean): void {
    if (this.set) {
      for (const name of this.set) if (!exists(name)) this.set.delete(name);
    } else if (this.list.some((name) => !exists(name))) {
      this.list = this.list.filter(exists);
    }
  }

  /** True when every held name is in `names` (so the response restates all we hold). */
  private coveredBy(names: readonly string[]): boolean {
    if (names.length < this.size) return false;
    const incoming = new Set(names);
    for (const name of this.names()) if (!incoming.has(name)) return false;
    return true;
  }
}
