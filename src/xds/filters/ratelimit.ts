// Global rate limiting: envoy.filters.http.ratelimit asks meshgate's RateLimitService
// (envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit) about the descriptors a route
// produces. The filter stays enabled on the chain: it only calls the service for routes that have
// rate_limits, and only routes with a global limit get them.
//
// Descriptor contract with the rate limit service (src/ratelimit reads these keys): every
// descriptor starts with ("policy", <GlobalRateLimitPolicy.id>), which selects the limit; a keyed
// limit adds ("remote_address", <client IP>) or ("header", <value>). Requests without the header
// are counted together under the policy entry alone (skip_if_absent), rather than not at all. A
// path-keyed limit adds ("path", <:path>). A policy with overrides puts ("override", ...) second.
import type { JsonObject } from '../../envoy/resource';
import type { GlobalRateLimitPolicy } from '../../ir/policy';
import type { GlobalRateLimitService } from '../../ir/types';
import { XdsBuildError } from '../errors';
import { compact, duration, flag, typed } from '../json';
import { groupRoutes, httpFilterEntry, instanceNames } from './instance';
import type { HttpFilterModule, RouteContribution } from './types';
import type { PlannedRoute } from '../plan';
import { escapeRegex } from '../matchers';

export const RATELIMIT_FILTER = 'envoy.filters.http.ratelimit';

export const RATE_LIMIT_DESCRIPTOR_KEYS = {
  policy: 'policy',
  clientIP: 'remote_address',
  header: 'header',
  path: 'path',
  override: 'override',
} as const;

/** The override entry's value for requests that match no override. */
export const OVERRIDE_DEFAULT = 'default';

/** What one ratelimit filter instance needs: its headers mode and its failure mode. */
interface FilterSettings {
  readonly headers: 'none' | 'draft03' | 'kong';
  readonly failClosed: boolean;
}

function settingsOf(policy: GlobalRateLimitPolicy, service: GlobalRateLimitService): FilterSettings {
  return { headers: policy.responseHeaders ?? 'draft03', failClosed: policy.failOpen === undefined ? service.failClosed : !policy.failOpen };
}

export function rateLimitFilterConfig(service: GlobalRateLimitService, settings: FilterSettings = { headers: 'draft03', failClosed: service.failClosed }): JsonObject {
  return typed(
    'envoy.extensions.filters.http.ratelimit.v3.RateLimit',
    compact({
      domain: service.domain,
      timeout: duration(service.timeoutMs),
      failure_mode_deny: flag(settings.failClosed),
      rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: service.cluster } }, transport_api_version: 'V3' },
      // Kong's headers come from the service (response_headers_to_add); Envoy adds its own only for draft03.
      enable_x_ratelimit_headers: settings.headers === 'draft03' ? 'DRAFT_VERSION_03' : undefined,
    }),
  );
}

/** Matches requests whose `header` holds one of `values` exactly. */
function headerIn(header: string, values: readonly string[]): JsonObject {
  return { name: header, string_match: { safe_regex: { regex: `^(?:${values.map(escapeRegex).join('|')})$` } } };
}

/**
 * The override entry: ("override", "<index>") when the request's header holds one of that override's
 * values, ("override", "default") when it holds none of them. Every override reads the same header
 * and a value belongs to one override, so exactly one descriptor is produced per request.
 */
function overrideAction(policy: GlobalRateLimitPolicy, index: number | undefined): JsonObject {
  const overrides = policy.overrides ?? [];
  const header = overrides[0]!.header;
  if (index === undefined) {
    const all = overrides.flatMap((o) => o.values);
    return { header_value_match: { descriptor_key: RATE_LIMIT_DESCRIPTOR_KEYS.override, descriptor_value: OVERRIDE_DEFAULT, expect_match: false, headers: [headerIn(header, all)] } };
  }
  return { header_value_match: { descriptor_key: RATE_LIMIT_DESCRIPTOR_KEYS.override, descriptor_value: String(index), headers: [headerIn(header, overrides[index]!.values)] } };
}

function keyActions(policy: GlobalRateLimitPolicy): JsonObject[] {
  switch (policy.key?.type) {
    case undefined:
      return [];
    case 'clientIP':
      return [{ remote_address: {} }];
    case 'header':
      return [{ request_headers: { header_name: policy.key.name, descriptor_key: RATE_LIMIT_DESCRIPTOR_KEYS.header, skip_if_absent: true } }];
    case 'path':
      return [{ request_headers: { header_name: ':path', descriptor_key: RATE_LIMIT_DESCRIPTOR_KEYS.path } }];
  }
}

/** The RouteAction.rate_limits entries for one policy: one, or one per override plus the default. */
export function rateLimitEntries(policy: GlobalRateLimitPolicy): JsonObject[] {
  const policyAction = { generic_key: { descriptor_key: RATE_LIMIT_DESCRIPTOR_KEYS.policy, descriptor_value: policy.id } };
  const overrides = policy.overrides ?? [];
  if (overrides.length === 0) return [{ actions: [policyAction, ...keyActions(policy)] }];
  return [undefined, ...overrides.map((_, i) => i)].map((index) => ({ actions: [policyAction, overrideAction(policy, index), ...keyActions(policy)] }));
}

/** The RouteAction.rate_limits entry for a policy without overrides. */
export function rateLimitActions(policy: GlobalRateLimitPolicy): JsonObject {
  return rateLimitEntries(policy)[0]!;
}

// Enables a default-disabled instance on a route (the route's rate_limits say what to send).
const ENABLE_ON_ROUTE = typed('envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute');

export const rateLimitFilter: HttpFilterModule = {
  id: 'ratelimit',
  instances({ proxy, chain }) {
    const first = chain.routes.find((r) => r.policy.globalRateLimit);
    if (!first) return [];
    const service = proxy.globalRateLimit;
    if (!service) {
      throw new XdsBuildError(`route "${first.route.name}" has a global rate limit but proxy "${proxy.name}" has no rate limit service`, first.route.source);
    }
    // The headers mode and failure mode are filter-level settings: routes that differ in them get
    // one instance each. A single instance stays on for the whole chain (it only calls the service
    // for routes with rate_limits); several are off by default and each is switched on by its routes,
    // so that no route is counted twice.
    const groups = groupRoutes(
      chain.routes,
      (r) => (r.policy.globalRateLimit ? settingsOf(r.policy.globalRateLimit, service) : undefined),
      (g) => `${g.headers}/${g.failClosed ? 'fail-closed' : 'fail-open'}`,
      (g) => `${g.headers}${g.failClosed ? '-fail-closed' : ''}`,
    );
    const forRoute = (r: PlannedRoute): RouteContribution | undefined => (r.policy.globalRateLimit ? { rateLimits: rateLimitEntries(r.policy.globalRateLimit) } : undefined);
    if (groups.length === 1) {
      return [{ name: RATELIMIT_FILTER, httpFilter: httpFilterEntry(RATELIMIT_FILTER, rateLimitFilterConfig(service, groups[0]!.value), false), forRoute }];
    }
    const names = instanceNames(RATELIMIT_FILTER, groups);
    return groups.map((group, i) => {
      const members = new Set(group.routes);
      return {
        name: names[i]!,
        httpFilter: httpFilterEntry(names[i]!, rateLimitFilterConfig(service, group.value), true),
        forRoute: (r: PlannedRoute): RouteContribution | undefined => (members.has(r) ? { perFilterConfig: ENABLE_ON_ROUTE, ...forRoute(r) } : undefined),
      };
    });
  },
};
