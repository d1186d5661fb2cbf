// One RouteConfiguration per filter chain (named like the chain): the chain's virtual hosts with
// their routes, plus the HTTPS redirect of listeners that ask for one and the Prometheus stats route.
// Per-route filter configuration comes from the chain's filter instances (filters/registry.ts).
import { sameJson } from '../cache/same-json';
import type { JsonObject, JsonValue } from '../envoy/resource';
import { XdsBuildError } from './errors';
import type { HttpFilterInstance } from './filters/types';
import type { Route } from '../ir/route';
import { headerMutation } from './headers';
import { compact, list } from './json';
import type { FilterChainPlan, PlannedRoute, PlannedVirtualHost } from './plan';
import { prometheusStatsRoute, PROMETHEUS_STATS_ROUTE } from './prometheus';
import { httpsRedirectVirtualHost, redirectAction } from './redirect';
import { forwardAction } from './route-action';
import { routeMatch } from './route-match';
import { directResponse, withContentType } from './direct-response';
import { spreadRenames } from './header-rename';
import { GenerationalWeakMap } from '../util/generational-weak-map';

/**
 * Envoy routes built last time, per IR route object: the JSON is a function of the IR route and
 * of what the chain's filters add to it, so the same IR route (translators hand out unchanged
 * routes as the same object) with equal filter additions gets the same JSON object back.
 */
const builtRoutes = new GenerationalWeakMap<Route, { readonly perFilter: JsonObject; readonly rateLimits: readonly JsonObject[]; readonly json: JsonObject }>();

export function envoyRoute(planned: PlannedRoute, filters: readonly HttpFilterInstance[]): JsonObject {
  const { route } = planned;
  const perFilter: JsonObject = {};
  const rateLimits: JsonObject[] = [];
  for (const filter of filters) {
    const contribution = filter.forRoute(planned);
    if (contribution?.perFilterConfig) perFilter[filter.name] = contribution.perFilterConfig;
    if (contribution?.rateLimits) rateLimits.push(...contribution.rateLimits);
  }
  const known = builtRoutes.get(route);
  if (known && sameJson(known.perFilter, perFilter) && sameJson([...known.rateLimits], rateLimits)) return known.json;
  const json = freshRoute(route, perFilter, rateLimits);
  builtRoutes.set(route, { perFilter, rateLimits, json });
  return json;
}

function freshRoute(route: Route, perFilter: JsonObject, rateLimits: readonly JsonObject[]): JsonObject {
  const renamed = spreadRenames(route);
  let action: JsonObject;
  let responseHeaders = route.responseHeaders;
  switch (renamed.action.type) {
    case 'forward':
      action = forwardAction(renamed.action, route.match.path, { rateLimits });
      break;
    case 'redirect':
      action = { redirect: redirectAction(renamed.action, route.match.path) };
      break;
    case 'direct':
      action = directResponse(renamed.action);
      responseHeaders = withContentType(renamed.action, responseHeaders);
      break;
  }
  const request = headerMutation(renamed.requestHeaders);
  const response = headerMutation(responseHeaders);
  return compact({
    name: route.name,
    match: routeMatch(route.match),
    ...action,
    request_headers_to_add: request.toAdd,
    request_headers_to_remove: request.toRemove,
    response_headers_to_add: response.toAdd,
    response_headers_to_remove: response.toRemove,
    typed_per_filter_config: Object.keys(perFilter).length > 0 ? perFilter : undefined,
  });
}

/** A virtual host while the table is assembled; written as JSON at the end. */
interface HostDraft {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly JsonObject[];
}

function virtualHost(planned: PlannedVirtualHost, filters: readonly HttpFilterInstance[]): HostDraft {
  return { name: planned.name, domains: planned.vhost.domains, routes: planned.routes.map((r) => envoyRoute(r, filters)) };
}

/** Envoy rejects a route table in which two virtual hosts claim the same domain. */
function checkDomains(chain: FilterChainPlan, hosts: readonly HostDraft[]): void {
  const owner = new Map<string, string>();
  for (const host of hosts) {
    for (const domain of host.domains) {
      const key = domain.toLowerCase();
      const other = owner.get(key);
      if (other !== undefined) {
        throw new XdsBuildError(`virtual hosts "${other}" and "${host.name}" of "${chain.name}" both claim domain ${domain}`, chain.listeners[0]?.source);
      }
      owner.set(key, host.name);
    }
  }
}

/** The stats route goes first in every host; a catch-all host carries it when no host has "*". */
function withPrometheusStats(hosts: readonly HostDraft[], path: string): HostDraft[] {
  const statsRoute = prometheusStatsRoute(path);
  const withStats = hosts.map((h) => ({ ...h, routes: [statsRoute, ...h.routes] }));
  const hasCatchAll = hosts.some((h) => h.domains.includes('*'));
  return hasCatchAll ? withStats : [...withStats, { name: PROMETHEUS_STATS_ROUTE, domains: ['*'], routes: [statsRoute] }];
}

/**
 * The virtual hosts each route table was last built with, by table name and host name. A host
 * built equal to last time is handed out as last time's (frozen) object, so the stages after this
 * one (validation, the snapshot cache's encodings) recognise it by identity and skip it. One
 * generation per table name is kept; the bound keeps tables of long-gone groups from piling up.
 */
const lastHosts = new Map<string, Map<string, JsonObject>>();
const REMEMBERED_TABLES = 256;

function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * `hosts` with every host equal to last time's (same `table` key, same host name) replaced by that
 * frozen object; new hosts are frozen. Any route-table builder can use it (give a key no other
 * table uses), so validation and the snapshot cache skip the unchanged hosts.
 */
export function reuseEqualHosts(table: string, hosts: readonly JsonObject[]): JsonObject[] {
  const before = lastHosts.get(table);
  const now = new Map<string, JsonObject>();
  const out = hosts.map((host) => {
    const name = String(host['name']);
    const old = before?.get(name);
    const kept = old && sameJson(old, host) ? old : deepFreeze(host);
    now.set(name, kept);
    return kept;
  });
  if (!before && lastHosts.size >= REMEMBERED_TABLES) lastHosts.clear();
  lastHosts.set(table, now);
  return out;
}

export function buildRouteConfiguration(chain: FilterChainPlan, filters: readonly HttpFilterInstance[]): JsonObject {
  const redirects = chain.listeners.flatMap((l) => (l.httpsRedirect ? [httpsRedirectVirtualHost(l, l.httpsRedirect)] : []));
  let hosts: HostDraft[] = [...redirects, ...chain.virtualHosts.map((v) => virtualHost(v, filters))];
  if (chain.options.prometheusStatsPath) hosts = withPrometheusStats(hosts, chain.options.prometheusStatsPath);
  checkDomains(chain, hosts);
  const virtualHosts = reuseEqualHosts(chain.name, hosts.map((h) => compact({ name: h.name, domains: [...h.domains], routes: list([...h.routes]) })));
  return compact({ name: chain.name, virtual_hosts: list(virtualHosts) });
}
