// Global rate limiting: envoy.filters.http.ratelimit asks meshgate's RateLimitService
// (envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit) about the descriptors a route
// produces. The filter stays enabled on the chain: it only calls the service for routes that have
// rate_limits, and only routes with a global limit get them.
//
// Descriptor contract with the rate limit service (src/ratelimit reads these keys): every
// descriptor starts with ("policy", <GlobalRateLimitPolicy.id>), which selects the limit; a keyed
// limit adds ("remote_address", <client IP>) or ("header", <value>). Requests without the header
// are counted together under the policy entry alone (skip_if_absent), rather than not at all.
import type { JsonObject } from '../../envoy/resource';
import type { GlobalRateLimitPolicy } from '../../ir/policy';
import type { GlobalRateLimitService } from '../../ir/types';
import { XdsBuildError } from '../errors';
import { compact, duration, flag, typed } from '../json';
import { httpFilterEntry } from './instance';
import type { HttpFilterModule } from './types';

export const RATELIMIT_FILTER = 'envoy.filters.http.ratelimit';

export const RATE_LIMIT_DESCRIPTOR_KEYS = {
  policy: 'policy',
  clientIP: 'remote_address',
  header: 'header',
} as const;

export function rateLimitFilterConfig(service: GlobalRateLimitService): JsonObject {
  return typed(
    'envoy.extensions.filters.http.ratelimit.v3.RateLimit',
    compact({
      domain: service.domain,
      timeout: duration(service.timeoutMs),
      failure_mode_deny: flag(service.failClosed),
      rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: service.cluster } }, transport_api_version: 'V3' },
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    }),
  );
}

/** The RouteAction.rate_limits entry for one policy. */
export function rateLimitActions(policy: GlobalRateLimitPolicy): JsonObject {
  const actions: JsonObject[] = [{ generic_key: { descriptor_key: RATE_LIMIT_DESCRIPTOR_KEYS.policy, descriptor_value: policy.id } }];
  if (policy.key?.type === 'clientIP') actions.push({ remote_address: {} });
  if (policy.key?.type === 'header') {
    actions.push({ request_headers: { header_name: policy.key.name, descriptor_key: RATE_LIMIT_DESCRIPTOR_KEYS.header, skip_if_absent: true } });
  }
  return { actions };
}

export const rateLimitFilter: HttpFilterModule = {
  id: 'ratelimit',
  instances({ proxy, chain }) {
    const first = chain.routes.find((r) => r.policy.globalRateLimit);
    if (!first) return [];
    if (!proxy.globalRateLimit) {
      throw new XdsBuildError(`route "${first.route.name}" has a global rate limit but proxy "${proxy.name}" has no rate limit service`, first.route.source);
    }
    return [
      {
        name: RATELIMIT_FILTER,
        httpFilter: httpFilterEntry(RATELIMIT_FILTER, rateLimitFilterConfig(proxy.globalRateLimit), false),
        forRoute: (r) => (r.policy.globalRateLimit ? { rateLimits: [rateLimitActions(r.policy.globalRateLimit)] } : undefined),
      },
    ];
  },
};
