// Counters in this process: right for one control plane replica (in-process mode) and for tests.
// Memory stays bounded: a counter expires when its window ends and expired counters are swept
// every sweepIntervalMs, so only the counters of current windows are held; past maxCounters the
// oldest counters are dropped (they restart from zero, which errs on the side of letting
// requests through rather than growing without limit).
import type { CounterIncrement, CounterStore } from './counter-store';
import { systemClock, type Clock } from './units';

export interface MemoryCounterStoreOptions {
  readonly clock?: Clock;
  /** Default 10 s. */
  readonly sweepIntervalMs?: number;
  /** Default 1,000,000 counters (~150 MB at worst). */
  readonly maxCounters?: number;
}

interface Counter {
  count: number;
  expiresAt: number;
}

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, Counter>();
  private readonly clock: Clock;
  private readonly sweepIntervalMs: number;
  private readonly maxCounters: number;
  private nextSweepAt: number;
  /** Counters dropped because maxCounters was reached (not counting expiry). */
  evicted = 0;

  constructor(options: MemoryCounterStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
    this.maxCounters = options.maxCounters ?? 1_000_000;
    this.nextSweepAt = this.clock.now() + this.sweepIntervalMs;
  }

  /** Counters currently held (live or awaiting the next sweep). */
  get size(): number {
    return this.counters.size;
  }

  increment(increments: readonly CounterIncrement[]): Promise<number[]> {
    const now = this.clock.now();
    if (now >= this.nextSweepAt) this.sweep(now);
    const totals = increments.map((inc) => {
      let counter = this.counters.get(inc.key);
      if (counter && counter.expiresAt <= now) {
        this.counters.delete(inc.key);
        counter = undefined;
      }
      if (!counter) {
        counter = { count: 0, expiresAt: now + inc.ttlMs };
        this.counters.set(inc.key, counter);
      }
      counter.count += inc.hits;
      return counter.count;
    });
    if (this.counters.size > this.maxCounters) this.shrink(now);
    return Promise.resolve(totals);
  }

  /** Drops every expired counter. */
  sweep(now = this.clock.now()): void {
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    this.nextSweepAt = now + this.sweepIntervalMs;
  }

  private shrink(now: number): void {
    this.sweep(now);
    // Map iteration is insertion order: the first counters are the oldest windows.
    for (const key of this.counters.keys()) {
      if (this.counters.size <= this.maxCounters) break;
      this.counters.delete(key);
      this.evicted++;
    }
  }

  close(): Promise<void> {
    this.counters.clear();
    return Promise.resolve();
  }
}
