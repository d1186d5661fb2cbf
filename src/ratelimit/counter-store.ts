// Where rate limit counters live. The service computes each counter's key (domain, descriptor,
// window) and lifetime; a store only adds hits and reports totals, so memory and Redis behave the
// same way and a test can swap one for the other.

export interface CounterIncrement {
  /** Unique per domain, descriptor, unit and window start. */
  readonly key: string;
  /** Hits to add (may be 0: read without charging). */
  readonly hits: number;
  /** How long the counter must live from now: until its window ends. */
  readonly ttlMs: number;
}

export interface CounterStore {
  /** Adds each increment's hits and returns the totals after adding, in the same order. */
  increment(increments: readonly CounterIncrement[]): Promise<number[]>;
  close(): Promise<void>;
}

/** The store cannot answer (Redis down or too slow); the service turns it into gRPC UNAVAILABLE. */
export class CounterStoreUnavailableError extends Error {
  override name = 'CounterStoreUnavailableError';
}
