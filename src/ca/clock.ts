// Time as the CA sees it. Injectable so tests can compress a 24 h certificate lifetime into a step.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
