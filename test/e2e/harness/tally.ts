// Arithmetic on a batch of calls' outcome.
import type { CallTally } from './xds-client-protocol';

/** Successful calls in the tally. */
export function totalOf(tally: CallTally): number {
  return Object.values(tally.counts).reduce((a, b) => a + b, 0);
}

/** The backend's fraction of the successful calls (0 when there were none). */
export function shareOf(tally: CallTally, backend: string): number {
  const total = totalOf(tally);
  return total === 0 ? 0 : (tally.counts[backend] ?? 0) / total;
}
