// explain: walk one proxy's generated Envoy configuration the way Envoy handles a request —
// listener → filter chain → network filters → HTTP filters → virtual host → route → cluster — and
// report each decision. A pure function over the resources' JSON; nothing is fetched or resolved.
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { clusterReport, describeCluster } from './cluster-report';
import { describeConnection, matchFilterChain } from './filter-chain-match';
import type { FilterEnv, FilterVerdict } from './filter-env';
import { ROUTER_TYPE, runHttpFilters } from './http-filters';
import { bool, dataSourceText, enumName, num, obj, objs, str } from './json';
import { matchListener } from './listener-match';
import { chainTls, HCM_TYPE, networkFilters, routeTableOf, TCP_PROXY_TYPE } from './network-filters';
import type { RouteScope } from './per-filter-config';
import { evalRbac, type RbacContext } from './rbac-eval';
import { redirectLocation, redirectStatus } from './redirect';
import type { HeaderMap } from './header-mutation';
import { applyResponseHeaders, type ResponseHeaderContext } from './response-headers';
import { remoteAddress } from './remote-address';
import { indexResources, type ResourceIndex } from './resource-index';
import { buildRequestView, headerValue, normalizePath, type RequestView } from './request-view';
import { explainForward } from './route-action';
import { matchRoute, type RouteMatchResult } from './route-match';
import { Trace } from './trace';
import type { ExplainDecision, ExplainRequest, ExplainResult, FilterReport, UpstreamReport } from './types';
import { authorityAfterHcm, matchVirtualHost, type VirtualHostMatch } from './virtual-host-match';

export type * from './types';

const NETWORK_RBAC_TYPE = 'envoy.extensions.filters.network.rbac.v3.RBAC';

/** Mutable result under construction; frozen into ExplainResult at the end. */
interface Draft {
  decision: ExplainDecision;
  status?: number;
  listener?: ExplainResult['listener'];
  filterChain?: ExplainResult['filterChain'];
  networkFilters?: ExplainResult['networkFilters'];
  routeConfig?: ExplainResult['routeConfig'];
  virtualHost?: ExplainResult['virtualHost'];
  route?: ExplainResult['route'];
  filters: FilterReport[];
  upstream?: UpstreamReport;
  redirect?: ExplainResult['redirect'];
  directResponse?: ExplainResult['directResponse'];
  responseHeadersAdded?: ExplainResult['responseHeadersAdded'];
  responseHeadersRemoved?: ExplainResult['responseHeadersRemoved'];
}

/** Records the route's response header changes on the draft; returns the response headers that result. */
function responseHeaders(draft: Draft, ctx: Omit<ResponseHeaderContext, 'requestHeaders'>, requestHeaders: HeaderMap): HeaderMap {
  const response: HeaderMap = new Map();
  const changes = applyResponseHeaders({ ...ctx, requestHeaders }, response);
  if (changes.added.length > 0) draft.responseHeadersAdded = changes.added;
  if (changes.removed.length > 0) draft.responseHeadersRemoved = changes.removed;
  return response;
}

function finish(draft: Draft, trace: Trace): ExplainResult {
  const suffix = draft.status !== undefined ? ` (${draft.status})` : '';
  trace.step(`decision: ${draft.decision}${suffix}`);
  return { ...draft, steps: trace.steps, assumptions: trace.assumptions };
}

function explainTcpProxy(config: JsonObject, index: ResourceIndex, draft: Draft, trace: Trace): ExplainResult {
  const single = str(config, 'cluster');
  const weighted = objs(obj(config, 'weighted_clusters'), 'clusters');
  const entries = single ? [{ name: single, weight: 1 }] : weighted.map((c) => ({ name: str(c, 'name') ?? '', weight: num(c, 'weight') ?? 0 }));
  const total = entries.reduce((s, e) => s + e.weight, 0);
  const clusters = entries.map((e) => clusterReport(e.name, e.weight, total > 0 ? Math.round((e.weight / total) * 10_000) / 100 : 0, index));
  trace.step(`tcp_proxy: the connection is proxied as raw TCP to ${clusters.map((c) => c.name).join(', ') || 'no cluster'}`);
  for (const c of clusters) trace.step(describeCluster(c));
  draft.upstream = { clusters, rewrittenPath: '', rewrittenHost: '', requestHeadersAdded: [], requestHeadersRemoved: [], requestHeaders: {}, endpoints: clusters.flatMap((c) => c.endpoints), mirrors: [], hashPolicy: [], tcp: true };
  draft.decision = clusters.some((c) => c.found) ? 'forward' : 'cluster_not_found';
  return finish(draft, trace);
}

/** What the router filter does once every earlier filter has let the request through. */
function routerVerdict(
  draft: Draft,
  ctx: { view: RequestView; authority: string; remoteIp?: string; routeConfig?: JsonObject; vh?: VirtualHostMatch; route?: RouteMatchResult; sslRedirect: boolean; index: ResourceIndex; trace: Trace },
): FilterVerdict {
  const { view, route, vh, trace } = ctx;
  if (ctx.sslRedirect) {
    const location = `https://${ctx.authority}${view.path}`;
    draft.decision = 'redirect';
    draft.status = 301;
    draft.redirect = { location, status: 301 };
    return { outcome: 'respond', statusCode: 301, detail: `the virtual host requires TLS: 301 to ${location}` };
  }
  if (!vh || !route || !ctx.routeConfig) {
    draft.decision = 'no_route';
    draft.status = 404;
    return { outcome: 'respond', statusCode: 404, detail: 'no route: 404' };
  }
  const r = route.route;
  const redirect = obj(r, 'redirect');
  if (redirect) {
    const location = redirectLocation(redirect, view, ctx.authority, route.matchedPath);
    const status = redirectStatus(redirect);
    draft.decision = 'redirect';
    draft.status = status;
    draft.redirect = { location, status };
    return { outcome: 'respond', statusCode: status, detail: `redirect ${status} to ${location}` };
  }
  const direct = obj(r, 'direct_response');
  if (direct) {
    const status = num(direct, 'status') ?? 200;
    const body = dataSourceText(obj(direct, 'body'));
    draft.decision = 'direct_response';
    draft.status = status;
    const response = responseHeaders(draft, { routeConfig: ctx.routeConfig, virtualHost: vh.virtualHost, route: r, ...(ctx.remoteIp !== undefined ? { remoteIp: ctx.remoteIp } : {}), trace }, new Map([...view.headers.entries()].map(([k, v]) => [k, [...v]])));
    // Envoy's local reply sets text/plain for a body only when no Content-Type was set.
    const contentType = response.get('content-type')?.[0] ?? (body !== undefined && body !== '' ? 'text/plain' : undefined);
    draft.directResponse = { status, ...(body !== undefined ? { body } : {}), ...(contentType !== undefined ? { contentType } : {}) };
    return { outcome: 'respond', statusCode: status, detail: `direct response ${status}${body !== undefined ? ` with body ${JSON.stringify(body.length > 80 ? `${body.slice(0, 77)}...` : body)}` : ''}` };
  }
  if (!obj(r, 'route')) {
    draft.decision = 'no_route';
    draft.status = 404;
    return { outcome: 'respond', statusCode: 404, detail: 'the route neither forwards, redirects nor responds: 404' };
  }
  const forward = explainForward({
    routeConfig: ctx.routeConfig,
    virtualHost: vh.virtualHost,
    route: r,
    matchedPath: route.matchedPath,
    view,
    authority: ctx.authority,
    ...(ctx.remoteIp !== undefined ? { remoteIp: ctx.remoteIp } : {}),
    index: ctx.index,
    trace,
  });
  draft.upstream = forward.upstream;
  for (const c of forward.upstream.clusters) trace.step(describeCluster(c));
  const sentHeaders: HeaderMap = new Map(Object.entries(forward.upstream.requestHeaders).map(([k, v]) => [k, [v]]));
  responseHeaders(draft, { routeConfig: ctx.routeConfig, virtualHost: vh.virtualHost, route: r, ...(ctx.remoteIp !== undefined ? { remoteIp: ctx.remoteIp } : {}), trace }, sentHeaders);
  if (forward.clusterNotFoundStatus !== undefined) {
    draft.decision = 'cluster_not_found';
    draft.status = forward.clusterNotFoundStatus;
    return { outcome: 'respond', statusCode: forward.clusterNotFoundStatus, detail: `no usable cluster: ${forward.clusterNotFoundStatus}` };
  }
  const missing = forward.upstream.clusters.filter((c) => !c.found && c.weight > 0);
  if (missing.length > 0) trace.step(`clusters: ${missing.map((c) => c.name).join(', ')} missing: the requests split to ${missing.length === 1 ? 'it' : 'them'} get 503`);
  draft.decision = 'forward';
  return { outcome: 'pass', detail: `forwards to ${forward.upstream.clusters.map((c) => (forward.upstream.clusters.length > 1 ? `${c.name} (${c.percent}%)` : c.name)).join(', ')} as ${forward.upstream.rewrittenHost}${forward.upstream.rewrittenPath}` };
}

export function explainRequest(resources: readonly EnvoyResource[], request: ExplainRequest): ExplainResult {
  const trace = new Trace();
  const index = indexResources(resources);
  const draft: Draft = { decision: 'no_listener', filters: [] };
  trace.step(`request: ${request.method.toUpperCase()} ${request.tls ? 'https' : 'http'}://${request.host}${request.path} on port ${request.port}${request.sourceIp ? ` from ${request.sourceIp}` : ''}`);

  const lm = matchListener(index.listeners, request.port, request.destinationIp, trace);
  if (!lm) return finish(draft, trace);
  draft.listener = { name: lm.name, address: lm.address, port: lm.port };

  const conn = describeConnection(lm.listener, lm.address, request, trace);
  const fc = matchFilterChain(lm.listener, conn, trace);
  if (!fc) {
    draft.decision = 'connection_closed';
    return finish(draft, trace);
  }
  const tls = chainTls(fc.chain, index, trace);
  draft.filterChain = { index: fc.index, ...(fc.name ? { name: fc.name } : {}), tls: tls.tls, secrets: tls.secrets };
  if (tls.tls !== (request.tls === true)) {
    trace.step(tls.tls ? 'connection: the chain expects TLS but the client speaks plaintext: the handshake fails' : 'connection: the client starts TLS but the chain speaks plaintext: Envoy cannot parse the request');
    draft.decision = 'connection_closed';
    return finish(draft, trace);
  }

  const filters = networkFilters(fc.chain);
  draft.networkFilters = filters.map((f) => ({ name: f.name, type: f.type }));
  trace.step(`network filters: ${filters.map((f) => f.name || f.type).join(' → ') || 'none'}`);
  const sni = conn.serverName;
  const destinationIp = request.destinationIp ?? (conn.destinationIp ? lm.address : undefined);
  for (const f of filters) {
    if (f.type !== NETWORK_RBAC_TYPE) continue;
    const rules = obj(f.config, 'rules');
    if (!rules) continue;
    const view = buildRequestView(request, request.path);
    const ctx: RbacContext = { view, ...(request.sourceIp ? { peerIp: request.sourceIp, remoteIp: request.sourceIp } : {}), sni, destinationPort: request.port, ...(destinationIp ? { destinationIp } : {}), http: false };
    const result = evalRbac(rules, ctx);
    trace.step(`network rbac ${f.name}: ${result.action} rules → ${result.result}${result.matchedPolicy ? ` (policy "${result.matchedPolicy}")` : ''}`);
    if (result.result === 'denied') {
      draft.decision = 'connection_closed';
      return finish(draft, trace);
    }
  }
  const terminal = filters.find((f) => f.type === HCM_TYPE || f.type === TCP_PROXY_TYPE);
  if (!terminal) {
    trace.step('network filters: no HttpConnectionManager or tcp_proxy: explain stops here');
    draft.decision = 'connection_closed';
    return finish(draft, trace);
  }
  if (terminal.type === TCP_PROXY_TYPE) return explainTcpProxy(terminal.config, index, draft, trace);

  const hcm = terminal.config;
  const path = normalizePath(request.path, { normalize: bool(hcm, 'normalize_path') === true, mergeSlashes: bool(hcm, 'merge_slashes') === true });
  if (path !== request.path) trace.step(`path: normalized "${request.path}" → "${path}"`);
  const view = buildRequestView(request, path);
  const authority = authorityAfterHcm(hcm, request.host, request.port, trace);
  const remoteIp = remoteAddress(hcm, view);
  if (remoteIp !== undefined && remoteIp !== request.sourceIp) trace.step(`client address: ${remoteIp} (from X-Forwarded-For)`);

  const table = routeTableOf(hcm, index, trace);
  if (table) draft.routeConfig = { name: table.name, source: table.source, found: table.config !== undefined };
  if (table && !table.config) {
    draft.decision = 'connection_closed';
    return finish(draft, trace);
  }
  const routeConfig = table?.config;
  const vh = routeConfig ? matchVirtualHost(routeConfig, authority, trace) : undefined;
  if (vh) draft.virtualHost = { name: vh.name, matchedDomain: vh.matchedDomain, matchKind: vh.matchKind };
  const requireTls = vh ? enumName(vh.virtualHost, 'require_tls', ['NONE', 'EXTERNAL_ONLY', 'ALL']) ?? 'NONE' : 'NONE';
  const internal = headerValue(view, 'x-envoy-internal') === 'true';
  const sslRedirect = !view.tls && (requireTls === 'ALL' || (requireTls === 'EXTERNAL_ONLY' && !internal));
  if (sslRedirect) trace.step(`virtual host: require_tls ${requireTls} and the request is plaintext: the route is an HTTPS redirect`);
  const route = vh && !sslRedirect ? matchRoute(vh.virtualHost, view, trace) : undefined;
  if (route) draft.route = { ...(route.name ? { name: route.name } : {}), index: route.index, match: route.description };

  const scope: RouteScope = route && vh && routeConfig ? { route: route.route, virtualHost: vh.virtualHost, routeConfig } : {};
  const singleCluster = str(obj(route?.route, 'route'), 'cluster');
  const env: FilterEnv = {
    view,
    scope,
    rbac: { view, ...(request.sourceIp ? { peerIp: request.sourceIp } : {}), ...(remoteIp ? { remoteIp } : {}), sni, destinationPort: request.port, ...(destinationIp ? { destinationIp } : {}), http: true },
    ...(remoteIp !== undefined ? { remoteIp } : {}),
    ...(singleCluster ? { destinationCluster: singleCluster } : {}),
    trace,
  };
  const run = runHttpFilters(hcm, env, () =>
    routerVerdict(draft, { view, authority, ...(remoteIp !== undefined ? { remoteIp } : {}), ...(routeConfig ? { routeConfig } : {}), ...(vh ? { vh } : {}), ...(route ? { route } : {}), sslRedirect, index, trace }),
  );
  draft.filters = run.reports;
  if (run.stoppedBy) {
    draft.decision = run.stoppedBy.outcome === 'respond' ? 'direct_response' : 'denied';
    if (run.stoppedBy.statusCode !== undefined) draft.status = run.stoppedBy.statusCode;
    if (draft.decision === 'direct_response') draft.directResponse = { status: run.stoppedBy.statusCode ?? 200 };
    delete draft.upstream;
    return finish(draft, trace);
  }
  if (!run.reports.some((r) => r.status === 'runs' && r.type === ROUTER_TYPE)) {
    // Without a router filter nothing forwards the request; Envoy rejects such a listener anyway.
    trace.step('filters: no router filter ran');
    draft.decision = 'no_route';
    draft.status = 404;
  }
  return finish(draft, trace);
}
