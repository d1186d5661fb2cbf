// The Envoy-only HTTP filters of a client view, marked optional. The Envoy view of a group runs
// filters gRPC's client does not implement (jwt_authn, rbac, cors, rate limits, ext_authz, ...);
// the gRPC view carries the same filters with `is_optional: true` in the HCM and their per-route
// configs wrapped in envoy.config.route.v3.FilterConfig{config, is_optional: true}, so a client
// that knows a filter may apply it and one that does not skips it instead of NACKing the resource
// (gRFC A39). The router stays last and required; the fault filter is not here: gRPC implements
// it, and the route table sends it as it is (fault.ts). Filters that hold consumers' credentials
// (API keys, basic-auth password hashes, symmetric JWT keys in a local JWKS) are never sent: a gRPC client is the caller those
// credentials authenticate, not a proxy trusted with them (left out and noted).
import type { JsonObject } from '../../envoy/resource';
import type { Route } from '../../ir/route';
import type { Proxy } from '../../ir/types';
import { httpFiltersFor } from '../filters/registry';
import { ROUTER_FILTER } from '../filters/router';
import type { HttpFilterInstance } from '../filters/types';
import { compact, typed } from '../json';
import type { FilterChainPlan, PlannedRoute } from '../plan';
import { FAULT_FILTER } from './names';
import type { ProxylessNotes } from './notes';

const FILTER_CONFIG = 'envoy.config.route.v3.FilterConfig';

export interface OptionalFilters {
  /** HCM http_filters entries, in Envoy's order, each `is_optional: true`. */
  readonly httpFilters: readonly JsonObject[];
  /** Canonical key of httpFilters (part of the api_listener memo key). */
  readonly key: string;
  /** typed_per_filter_config entries (wrapped in FilterConfig) for one route; undefined when none. */
  perRoute(route: Route): JsonObject | undefined;
}

export const NO_OPTIONAL_FILTERS: OptionalFilters = { httpFilters: [], key: '', perRoute: () => undefined };

/** Filters gRPC runs itself (router, fault) are not Envoy-only. */
function envoyOnly(instance: HttpFilterInstance): boolean {
  return instance.name !== ROUTER_FILTER && instance.name !== FAULT_FILTER;
}

const CREDENTIAL_FILTERS: readonly string[] = ['envoy.filters.http.api_key_auth', 'envoy.filters.http.basic_auth'];

/** A local JWKS with a symmetric ("oct") key: whoever holds it can mint tokens. */
function hasSymmetricJwks(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSymmetricJwks);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, child]) => {
    if (key !== 'local_jwks') return hasSymmetricJwks(child);
    const inline = (child as { inline_string?: unknown }).inline_string;
    if (typeof inline !== 'string') return false;
    try {
      const keys = (JSON.parse(inline) as { keys?: unknown }).keys;
      return Array.isArray(keys) && keys.some((k) => typeof k === 'object' && k !== null && (k as { kty?: unknown }).kty === 'oct');
    } catch {
      return true;
    }
  });
}

/** Why the filter must not reach a gRPC client, or undefined when it may. */
function heldCredentials(instance: HttpFilterInstance): string | undefined {
  if (CREDENTIAL_FILTERS.some((name) => instance.name === name || instance.name.startsWith(`${name}/`))) return "consumers' credentials";
  return hasSymmetricJwks(instance.httpFilter) ? 'a symmetric JWT signing key (local JWKS)' : undefined;
}

function optionalEntry(httpFilter: JsonObject): JsonObject {
  return compact({ name: httpFilter['name'], typed_config: httpFilter['typed_config'], is_optional: true, disabled: httpFilter['disabled'] });
}

/** The Envoy-only filters the Envoy view builds for `chains` (one route table's filter chains). */
export function optionalFiltersFor(proxy: Proxy, chains: readonly FilterChainPlan[], notes: ProxylessNotes): OptionalFilters {
  const perChain = chains.map((chain) => {
    const instances = httpFiltersFor({ proxy, chain }).filter(envoyOnly);
    const sendable = instances.filter((instance) => {
      const held = heldCredentials(instance);
      if (held) {
        // The note belongs to the first route that uses the filter (else the chain's listener).
        const user = chain.routes.find((r) => instance.forRoute(r) !== undefined);
        notes.add(`filter ${instance.name}`, `holds ${held}, which is never sent to gRPC clients: left out of their view`, user?.route.source ?? chain.listeners[0]?.source);
      }
      return held === undefined;
    });
    return { chain, instances: sendable };
  });
  const seen = new Set<string>();
  const httpFilters: JsonObject[] = [];
  for (const { instances } of perChain) {
    for (const instance of instances) {
      if (seen.has(instance.name)) continue;
      seen.add(instance.name);
      httpFilters.push(optionalEntry(instance.httpFilter));
    }
  }
  if (httpFilters.length === 0) return NO_OPTIONAL_FILTERS;
  const planned = new Map<Route, { planned: PlannedRoute; instances: readonly HttpFilterInstance[] }>();
  for (const { chain, instances } of perChain) {
    for (const route of chain.routes) if (!planned.has(route.route)) planned.set(route.route, { planned: route, instances });
  }
  return {
    httpFilters,
    key: JSON.stringify(httpFilters),
    perRoute(route: Route): JsonObject | undefined {
      const found = planned.get(route);
      if (!found) return undefined;
      const out: JsonObject = {};
      for (const instance of found.instances) {
        const config = instance.forRoute(found.planned)?.perFilterConfig;
        if (config) out[instance.name] = typed(FILTER_CONFIG, { config, is_optional: true });
      }
      return Object.keys(out).length > 0 ? out : undefined;
    },
  };
}
