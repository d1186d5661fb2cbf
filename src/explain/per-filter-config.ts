// typed_per_filter_config, resolved as Envoy's PerFilterConfigs: the route's entry wins over the
// virtual host's, which wins over the route configuration's. An entry that is a
// config.route.v3.FilterConfig with disabled: true turns the filter off; any other entry
// (including a FilterConfig carrying a config) turns it on, which is how an HTTP filter declared
// with `disabled: true` in the HttpConnectionManager gets enabled for some routes only.
import type { JsonObject } from '../envoy/resource';
import { anyTypeName, bool, obj } from './json';

const FILTER_CONFIG_TYPE = 'envoy.config.route.v3.FilterConfig';

export type ConfigLevel = 'route' | 'virtual host' | 'route configuration';

export interface RouteScope {
  readonly route?: JsonObject;
  readonly virtualHost?: JsonObject;
  readonly routeConfig?: JsonObject;
}

export interface PerFilterHit {
  readonly level: ConfigLevel;
  /** The filter's own per-route message (FilterConfig unwrapped); undefined for an empty FilterConfig. */
  readonly config?: JsonObject;
  readonly disabled: boolean;
}

function levels(scope: RouteScope): [ConfigLevel, JsonObject | undefined][] {
  return [
    ['route', scope.route],
    ['virtual host', scope.virtualHost],
    ['route configuration', scope.routeConfig],
  ];
}

function entryAt(holder: JsonObject | undefined, filterName: string): JsonObject | undefined {
  return obj(obj(holder, 'typed_per_filter_config'), filterName);
}

/** The most specific typed_per_filter_config entry for the filter, if any. */
export function mostSpecificPerFilterConfig(scope: RouteScope, filterName: string): PerFilterHit | undefined {
  for (const [level, holder] of levels(scope)) {
    const entry = entryAt(holder, filterName);
    if (!entry) continue;
    if (anyTypeName(entry) === FILTER_CONFIG_TYPE) {
      if (bool(entry, 'disabled') === true) return { level, disabled: true };
      const inner = obj(entry, 'config');
      return { level, disabled: false, ...(inner && anyTypeName(inner) !== undefined ? { config: inner } : {}) };
    }
    return { level, config: entry, disabled: false };
  }
  return undefined;
}
