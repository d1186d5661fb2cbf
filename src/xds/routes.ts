// One RouteConfiguration per filter chain (named like the chain): the chain's virtual hosts with
// their routes, plus the HTTPS redirect of listeners that ask for one and the Prometheus stats route.
// Per-route filter configuration comes from the chain's filter instances (filters/registry.ts).
import type { JsonObject } from '../envoy/resource';
import { XdsBuildError } from './errors';
import type { HttpFilterInstance } from './filters/types';
import { headerMutation } from './headers';
import { compact, list } from './json';
import type { FilterChainPlan, PlannedRoute, PlannedVirtualHost } from './plan';
import { prometheusStatsRoute, PROMETHEUS_STATS_ROUTE } from './prometheus';
import { httpsRedirectVirtualHost, redirectAction } from './redirect';
import { forwardAction } from './route-action';
import { routeMatch } from './route-match';

export function envoyRoute(planned: PlannedRoute, filters: readonly HttpFilterInstance[]): JsonObject {
  const { route } = planned;
  const perFilter: JsonObject = {};
  const rateLimits: JsonObject[] = [];
  for (const filter of filters) {
    const contribution = filter.forRoute(planned);
    if (contribution?.perFilterConfig) perFilter[filter.name] = contribution.perFilterConfig;
    if (contribution?.rateLimits) rateLimits.push(...contribution.rateLimits);
  }
  let action: JsonObject;
  switch (route.action.type) {
    case 'forward':
      action = forwardAction(route.action, route.match.path, { rateLimits });
      break;
    case 'redirect':
      action = { redirect: redirectAction(route.action, route.match.path) };
      break;
    case 'direct':
      action = { direct_response: compact({ status: route.action.status, body: route.action.body !== undefined ? { inline_string: route.action.body } : undefined }) };
      break;
  }
  const request = headerMutation(route.requestHeaders);
  const response = headerMutation(route.responseHeaders);
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

export function buildRouteConfiguration(chain: FilterChainPlan, filters: readonly HttpFilterInstance[]): JsonObject {
  const redirects = chain.listeners.flatMap((l) => (l.httpsRedirect ? [httpsRedirectVirtualHost(l, l.httpsRedirect)] : []));
  let hosts: HostDraft[] = [...redirects, ...chain.virtualHosts.map((v) => virtualHost(v, filters))];
  if (chain.options.prometheusStatsPath) hosts = withPrometheusStats(hosts, chain.options.prometheusStatsPath);
  checkDomains(chain, hosts);
  const virtualHosts = hosts.map((h) => compact({ name: h.name, domains: [...h.domains], routes: list([...h.routes]) }));
  return compact({ name: chain.name, virtual_hosts: list(virtualHosts) });
}
