// Kong's rate limit response headers, which the RateLimitService returns to Envoy as
// RateLimitResponse.response_headers_to_add; Envoy's ratelimit filter adds them to allowed responses
// (when the upstream answers) and to its own 429 alike. As Kong's rate-limiting plugin does:
//   X-RateLimit-Limit-<Unit>, X-RateLimit-Remaining-<Unit>   for every window (Second ... Year)
//   RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset      for the window closest to exhaustion
//                                                             (least remaining; on a tie the longer
//                                                             window), Reset in whole seconds ≥ 1
//   Retry-After                                               on a limited request: that Reset
import type { WindowDecision } from './limiter';
import { UNIT_TITLES, unitRank } from './units';

export interface ResponseHeader {
  readonly key: string;
  readonly value: string;
}

/** The window Kong reports in RateLimit-*: least remaining, then the longer window. */
export function closestToExhaustion(windows: readonly WindowDecision[]): WindowDecision | undefined {
  let best: WindowDecision | undefined;
  for (const w of windows) {
    if (!best || w.remaining < best.remaining || (w.remaining === best.remaining && unitRank(w.limit.unit) > unitRank(best.limit.unit))) best = w;
  }
  return best;
}

export function resetSeconds(window: WindowDecision): number {
  return Math.max(1, Math.ceil(window.resetMs / 1000));
}

export function kongHeaders(windows: readonly WindowDecision[], limited: boolean): ResponseHeader[] {
  const sorted = [...windows].sort((a, b) => unitRank(a.limit.unit) - unitRank(b.limit.unit));
  const headers: ResponseHeader[] = [];
  for (const w of sorted) {
    const title = UNIT_TITLES[w.limit.unit];
    headers.push({ key: `X-RateLimit-Limit-${title}`, value: String(w.limit.requestsPerUnit) });
    headers.push({ key: `X-RateLimit-Remaining-${title}`, value: String(w.remaining) });
  }
  const closest = closestToExhaustion(windows);
  if (closest) {
    headers.push({ key: 'RateLimit-Limit', value: String(closest.limit.requestsPerUnit) });
    headers.push({ key: 'RateLimit-Remaining', value: String(closest.remaining) });
    headers.push({ key: 'RateLimit-Reset', value: String(resetSeconds(closest)) });
    if (limited) headers.push({ key: 'Retry-After', value: String(resetSeconds(closest)) });
  }
  return headers;
}
