// Coalesces bursts of changes per key: a flush happens after `quietMs` without new marks, and never
// later than `maxDelayMs` after the first pending mark, so a steady stream of changes cannot starve
// the proxies of updates.
export interface DebounceOptions {
  readonly quietMs: number;
  readonly maxDelayMs: number;
  readonly flush: (keys: readonly string[]) => void;
  readonly now?: () => number;
}

export class KeyedDebouncer {
  private readonly pending = new Set<string>();
  private firstPendingAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: DebounceOptions) {
    this.now = options.now ?? Date.now;
  }

  mark(key: string): void {
    this.pending.add(key);
    const now = this.now();
    if (this.firstPendingAt === undefined) this.firstPendingAt = now;
    const untilCap = this.firstPendingAt + this.options.maxDelayMs - now;
    const delay = Math.max(0, Math.min(this.options.quietMs, untilCap));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flushNow(), delay);
    // A pending notification must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  /** Deliver whatever is pending right away (used on shutdown and by tests). */
  flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.firstPendingAt = undefined;
    if (this.pending.size === 0) return;
    const keys = [...this.pending];
    this.pending.clear();
    this.options.flush(keys);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.firstPendingAt = undefined;
  }
}
