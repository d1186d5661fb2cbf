// A WeakMap for memo caches that lets go of its own hash table. V8 grows a WeakMap's table to the
// most entries it ever held at once (dead keys included, until a collection clears them) and never
// shrinks it again, so a memo of per-object answers keeps a table sized for its largest burst (a
// churn of applies and removals) for the life of the process.
//
// This one keeps two generations. A hit in the older one moves the entry to the current one. At
// the start of a compile (advanceMemoEpoch(), called by src/pipeline/compile.ts), when more new
// entries arrived since the last rotation than were still in use, the older generation is dropped
// whole, table and all, and the current one becomes the older. A compile looks up everything the
// configuration still uses, so what is left in a generation two compiles old is what no
// configuration asked for since: forgetting it only means recomputing it should it come back.
// Rotating only between compiles means an entry always survives the compile after its own.

let epoch = 0;

/** A compile begins: memo caches may let go of what the compile before the last one did not use. */
export function advanceMemoEpoch(): void {
  epoch++;
}

export class GenerationalWeakMap<K extends object, V> {
  private current = new WeakMap<K, V>();
  private older = new WeakMap<K, V>();
  private seenEpoch = epoch;
  /** Entries set (not moved) since the last rotation. */
  private fresh = 0;
  /** Entries moved from the older generation since the last rotation. */
  private moved = 0;

  /** `minFresh`: new entries below which a rotation is not worth it. */
  constructor(private readonly minFresh = 1024) {}

  get(key: K): V | undefined {
    this.maybeRotate();
    const value = this.current.get(key);
    if (value !== undefined) return value;
    const old = this.older.get(key);
    if (old === undefined) return undefined;
    this.older.delete(key);
    this.current.set(key, old);
    this.moved++;
    return old;
  }

  set(key: K, value: V): this {
    this.maybeRotate();
    this.current.set(key, value);
    this.older.delete(key);
    this.fresh++;
    return this;
  }

  private maybeRotate(): void {
    if (this.seenEpoch === epoch) return;
    this.seenEpoch = epoch;
    if (this.fresh < this.minFresh || this.fresh < this.moved) return;
    this.older = this.current;
    this.current = new WeakMap();
    this.fresh = 0;
    this.moved = 0;
  }
}
