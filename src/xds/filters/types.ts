// The contract every HTTP filter module implements. A module looks at one filter chain (its
// routes with their merged policies and its listener options) and returns the filter instances the
// chain needs, usually none or one: a filter is only added when some route uses the feature.
import type { JsonObject } from '../../envoy/resource';
import type { Proxy } from '../../ir/types';
import type { FilterChainPlan, PlannedRoute } from '../plan';

export interface FilterChainContext {
  readonly proxy: Proxy;
  readonly chain: FilterChainPlan;
}

/** What one filter instance adds to one route. */
export interface RouteContribution {
  /** The route's typed_per_filter_config entry under the instance's name (an Any in canonical JSON). */
  readonly perFilterConfig?: JsonObject;
  /** Entries for RouteAction.rate_limits (descriptors for the global rate limit service). */
  readonly rateLimits?: readonly JsonObject[];
}

export interface HttpFilterInstance {
  /** The HttpFilter name; per-route configuration is keyed by it. */
  readonly name: string;
  /** The HttpConnectionManager.http_filters entry. */
  readonly httpFilter: JsonObject;
  /** Per-route additions; undefined when the route does not use this instance. */
  forRoute(route: PlannedRoute): RouteContribution | undefined;
}

export interface HttpFilterModule {
  /** Short id, e.g. "jwt_authn", "rbac_ip" (the registry order is listed by these). */
  readonly id: string;
  instances(ctx: FilterChainContext): HttpFilterInstance[];
}
