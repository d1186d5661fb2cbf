// Shared shapes of filter instances. Features that apply per route are added to the HCM disabled
// (HttpFilter.disabled: true) and switched on by the route's own typed_per_filter_config entry, as
// Envoy's route-based filter chain allows: routes that do not use the feature never run the filter
// and need no entry at all.
import type { JsonObject } from '../../envoy/resource';
import { compact, compareStrings, flag } from '../json';
import type { PlannedRoute } from '../plan';
import type { HttpFilterInstance, RouteContribution } from './types';

export function httpFilterEntry(name: string, typedConfig: JsonObject, disabledByDefault: boolean): JsonObject {
  return compact({ name, typed_config: typedConfig, disabled: flag(disabledByDefault) });
}

/** A filter that is always on for the whole chain and has nothing per route (grpc_web, router). */
export function chainWideInstance(name: string, typedConfig: JsonObject): HttpFilterInstance {
  return { name, httpFilter: httpFilterEntry(name, typedConfig, false), forRoute: () => undefined };
}

/** A filter disabled by default and enabled on each route for which `perRoute` returns a config. */
export function perRouteInstance(name: string, typedConfig: JsonObject, perRoute: (route: PlannedRoute) => JsonObject | undefined): HttpFilterInstance {
  return {
    name,
    httpFilter: httpFilterEntry(name, typedConfig, true),
    forRoute(route: PlannedRoute): RouteContribution | undefined {
      const config = perRoute(route);
      return config ? { perFilterConfig: config } : undefined;
    },
  };
}

export interface RouteGroup<T> {
  /** Canonical key of the filter-level configuration the group shares. */
  readonly key: string;
  /** Human-readable part of the instance name (e.g. the auth service's cluster). */
  readonly label: string;
  readonly value: T;
  readonly routes: readonly PlannedRoute[];
}

/**
 * Routes using a feature, grouped by the filter-level configuration they need (e.g. which auth
 * service): Envoy has one configuration per filter instance, so each group gets its own instance.
 * Groups come sorted by key so the same routes always give the same filters.
 */
export function groupRoutes<T>(
  routes: readonly PlannedRoute[],
  select: (route: PlannedRoute) => T | undefined,
  keyOf: (value: T) => string,
  labelOf: (value: T) => string,
): RouteGroup<T>[] {
  const groups = new Map<string, { label: string; value: T; routes: PlannedRoute[] }>();
  for (const route of routes) {
    const value = select(route);
    if (value === undefined) continue;
    const key = keyOf(value);
    const group = groups.get(key);
    if (group) group.routes.push(route);
    else groups.set(key, { label: labelOf(value), value, routes: [route] });
  }
  return [...groups.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([key, g]) => ({ key, ...g }));
}

/** `base` for a single group; `base/label` (with "-2", "-3" on clashes) when there are several. */
export function instanceNames(base: string, groups: readonly { readonly label: string }[]): string[] {
  if (groups.length === 1) return [base];
  const used = new Set<string>();
  return groups.map((g) => {
    let name = `${base}/${g.label}`;
    for (let n = 2; used.has(name); n++) name = `${base}/${g.label}-${n}`;
    used.add(name);
    return name;
  });
}
