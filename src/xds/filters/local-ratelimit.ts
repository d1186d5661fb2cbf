// Local rate limiting (envoy.filters.http.local_ratelimit): a token bucket per route, counted in
// each Envoy process. The route's LocalRateLimit carries the bucket; filter_enabled and
// filter_enforced are set to 100% because both default to 0%.
//
// One bucket per client IP or header value needs wildcard descriptor values, which Envoy only has
// from 1.34 (and the bundled API rejects as empty descriptor values), so on the Envoy 1.33 target a
// keyed limit is a shared per-route bucket: stricter, never looser, than asked. Limits that must
// be per client belong to the global rate limiter (ratelimit.ts).
import type { JsonObject } from '../../envoy/resource';
import type { LocalRateLimitPolicy } from '../../ir/policy';
import { compact, duration, typed } from '../json';
import { perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const LOCAL_RATELIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
const STAT_PREFIX = 'http_local_rate_limiter';
const LOCAL_RATE_LIMIT = 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
// FractionalPercent{numerator: 100} with the default HUNDRED denominator: every request.
const ALL_REQUESTS: JsonObject = { default_value: { numerator: 100 } };

export function localRateLimit(policy: LocalRateLimitPolicy): JsonObject {
  return typed(
    LOCAL_RATE_LIMIT,
    compact({
      stat_prefix: STAT_PREFIX,
      token_bucket: { max_tokens: policy.requests, tokens_per_fill: policy.requests, fill_interval: duration(policy.perSeconds * 1000) },
      filter_enabled: ALL_REQUESTS,
      filter_enforced: ALL_REQUESTS,
      enable_x_ratelimit_headers: policy.headers ? 'DRAFT_VERSION_03' : undefined,
    }),
  );
}

export const localRateLimitFilter: HttpFilterModule = {
  id: 'local_ratelimit',
  instances({ chain }) {
    if (!chain.routes.some((r) => r.policy.localRateLimit)) return [];
    return [
      perRouteInstance(LOCAL_RATELIMIT_FILTER, typed(LOCAL_RATE_LIMIT, { stat_prefix: STAT_PREFIX }), (r) =>
        r.policy.localRateLimit ? localRateLimit(r.policy.localRateLimit) : undefined,
      ),
    ];
  },
};
