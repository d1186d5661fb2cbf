// Step 7 for forwarding routes: which clusters, and the request as the upstream receives it
// (header mutations, then host rewrite, then path rewrite, in RouteEntryImplBase's order), plus
// timeout, retries, mirrors and hash policy.
import type { JsonObject } from '../envoy/resource';
import { clusterReport } from './cluster-report';
import { applyLevel, hasMutations, routeMutationLevels, type FormatContext, type HeaderMap, type MutationResult } from './header-mutation';
import { arr, bool, durationText, enumName, fractionalPercent, num, obj, objs, str } from './json';
import { re2ReplaceAll } from './regex';
import { rewritePath } from './redirect';
import type { ResourceIndex } from './resource-index';
import { headerValue, removeQueryAndFragment, type RequestView } from './request-view';
import type { Trace } from './trace';
import type { ClusterReport, HeaderChange, RetryReport, UpstreamReport } from './types';

export interface ForwardContext {
  readonly routeConfig: JsonObject;
  readonly virtualHost: JsonObject;
  readonly route: JsonObject;
  readonly matchedPath: string;
  readonly view: RequestView;
  /** :authority after the HCM (port stripping). */
  readonly authority: string;
  readonly remoteIp?: string;
  readonly index: ResourceIndex;
  readonly trace: Trace;
}

export interface ForwardResult {
  readonly upstream: UpstreamReport;
  /** Status Envoy answers with when no cluster can be used (cluster_not_found_response_code). */
  readonly clusterNotFoundStatus?: number;
}

const NOT_FOUND_CODES: Record<string, number> = { SERVICE_UNAVAILABLE: 503, NOT_FOUND: 404, INTERNAL_SERVER_ERROR: 500 };

interface ClusterChoice {
  readonly name: string;
  readonly weight: number;
  readonly percent: number;
  readonly config?: JsonObject;
}

function chooseClusters(action: JsonObject, view: RequestView, trace: Trace): ClusterChoice[] {
  const single = str(action, 'cluster');
  if (single) return [{ name: single, weight: 1, percent: 100 }];
  const weighted = obj(action, 'weighted_clusters');
  if (weighted) {
    const entries = objs(weighted, 'clusters');
    const resolved = entries.map((c) => {
      const fromHeader = str(c, 'cluster_header');
      const name = str(c, 'name') ?? (fromHeader ? headerValue(view, fromHeader) ?? '' : '');
      return { name, weight: num(c, 'weight') ?? 0, config: c };
    });
    const total = num(weighted, 'total_weight') ?? resolved.reduce((s, c) => s + c.weight, 0);
    return resolved.map((c) => ({ ...c, percent: total > 0 ? Math.round((c.weight / total) * 10_000) / 100 : 0 }));
  }
  const header = str(action, 'cluster_header');
  if (header) {
    const name = headerValue(view, header);
    trace.step(`cluster: taken from request header ${header}: ${name === undefined ? 'absent' : `"${name}"`}`);
    return name === undefined ? [] : [{ name, weight: 1, percent: 100 }];
  }
  if (str(action, 'cluster_specifier_plugin') || obj(action, 'inline_cluster_specifier_plugin')) {
    trace.assume('the cluster comes from a cluster specifier plugin, which explain does not run');
  }
  return [];
}

function retryOf(route: JsonObject, virtualHost: JsonObject): RetryReport | undefined {
  const fromRoute = obj(obj(route, 'route'), 'retry_policy');
  const policy = fromRoute ?? obj(virtualHost, 'retry_policy');
  if (!policy) return undefined;
  const backoff = obj(policy, 'retry_back_off');
  const perTry = durationText(policy, 'per_try_timeout');
  const codes = arr(policy, 'retriable_status_codes').map((c) => Number(c));
  const base = durationText(backoff, 'base_interval');
  const max = durationText(backoff, 'max_interval');
  return {
    retryOn: str(policy, 'retry_on') ?? '',
    numRetries: num(policy, 'num_retries') ?? 1,
    ...(perTry ? { perTryTimeout: perTry } : {}),
    ...(codes.length > 0 ? { retriableStatusCodes: codes } : {}),
    ...(backoff ? { backoff: { ...(base ? { baseInterval: base } : {}), ...(max ? { maxInterval: max } : {}) } } : {}),
    from: fromRoute ? 'route' : 'virtual host',
  };
}

function mirrorsOf(action: JsonObject, virtualHost: JsonObject, view: RequestView): { cluster: string; percent: number }[] {
  const own = objs(action, 'request_mirror_policies');
  const policies = own.length > 0 ? own : objs(virtualHost, 'request_mirror_policies');
  return policies.map((m) => {
    const header = str(m, 'cluster_header');
    const cluster = str(m, 'cluster') ?? (header ? `${headerValue(view, header) ?? '(absent)'} (from header ${header})` : '');
    const rf = obj(m, 'runtime_fraction');
    return { cluster, percent: rf ? fractionalPercent(obj(rf, 'default_value')) ?? 0 : 100 };
  });
}

function hashPolicyOf(action: JsonObject): string[] {
  return objs(action, 'hash_policy').map((h) => {
    const terminal = bool(h, 'terminal') === true ? ' (terminal)' : '';
    if (obj(h, 'header')) return `header ${str(obj(h, 'header'), 'header_name') ?? ''}${terminal}`;
    if (obj(h, 'cookie')) {
      const ttl = durationText(obj(h, 'cookie'), 'ttl');
      return `cookie ${str(obj(h, 'cookie'), 'name') ?? ''}${ttl ? ` (ttl ${ttl})` : ''}${terminal}`;
    }
    if (obj(h, 'connection_properties')) return `source IP${terminal}`;
    if (obj(h, 'query_parameter')) return `query parameter ${str(obj(h, 'query_parameter'), 'name') ?? ''}${terminal}`;
    if (obj(h, 'filter_state')) return `filter state ${str(obj(h, 'filter_state'), 'key') ?? ''}${terminal}`;
    return 'unknown hash key';
  });
}

function snapshot(headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of [...headers.entries()].sort(([a], [b]) => a.localeCompare(b))) out[k] = v.join(',');
  return out;
}

export function explainForward(ctx: ForwardContext): ForwardResult {
  const { route, virtualHost, routeConfig, view, trace } = ctx;
  const action = obj(route, 'route') ?? {};
  const choices = chooseClusters(action, view, trace);
  const headers: HeaderMap = new Map([...view.headers.entries()].map(([k, v]) => [k, [...v]]));
  headers.set(':authority', [ctx.authority]);
  const fmt: FormatContext = { headers, ...(ctx.remoteIp !== undefined ? { remoteIp: ctx.remoteIp } : {}), protocol: 'HTTP/1.1' };
  const mutations: MutationResult = { added: [], removed: [] };

  // A weighted cluster's own header changes run first; with one live cluster they are certain.
  const live = choices.filter((c) => c.weight > 0 || choices.length === 1);
  const certain = live.length === 1 ? live[0] : undefined;
  if (certain?.config && hasMutations(certain.config)) applyLevel({ label: `weighted cluster ${certain.name}`, config: certain.config }, headers, fmt, trace, mutations);
  for (const level of routeMutationLevels(routeConfig, virtualHost, route)) applyLevel(level, headers, fmt, trace, mutations);

  // Host rewrite: the weighted cluster's literal first, then the route's rewrite on top.
  let host = headers.get(':authority')?.[0] ?? ctx.authority;
  const clusterHost = certain?.config ? str(certain.config, 'host_rewrite_literal') : undefined;
  if (clusterHost) host = clusterHost;
  const literal = str(action, 'host_rewrite_literal');
  const fromHeader = str(action, 'host_rewrite_header');
  const pathRegex = obj(action, 'host_rewrite_path_regex');
  const autoHostRewrite = bool(action, 'auto_host_rewrite') === true;
  if (literal) host = literal;
  else if (fromHeader) host = headers.get(fromHeader.toLowerCase())?.[0] ?? host;
  else if (pathRegex) {
    const replaced = re2ReplaceAll(str(obj(pathRegex, 'pattern'), 'regex') ?? '', removeQueryAndFragment(view.path), str(pathRegex, 'substitution') ?? '');
    if (replaced) host = replaced;
  } else if (autoHostRewrite) {
    trace.assume('auto_host_rewrite: the upstream host becomes the chosen endpoint\'s hostname, which depends on load balancing');
  }
  if (host !== ctx.authority) trace.step(`rewrite: host "${ctx.authority}" → "${host}"`);
  headers.set(':authority', [host]);

  const newPath = rewritePath(view.path, ctx.matchedPath, str(action, 'prefix_rewrite'), obj(action, 'regex_rewrite'));
  if (obj(action, 'path_rewrite_policy')) trace.assume('path_rewrite_policy (URI template rewrite) is not applied by explain');
  const path = newPath ?? view.path;
  if (newPath !== undefined) trace.step(`rewrite: path "${view.path}" → "${newPath}"`);
  headers.set(':path', [path]);
  for (const change of mutations.added) trace.step(`headers: ${change.level} ${change.action} ${change.name}: "${change.value}"${change.applied ? '' : ' (no effect)'}`);
  for (const name of mutations.removed) trace.step(`headers: removed ${name}`);

  const clusters: ClusterReport[] = choices.map((c) => {
    const report = clusterReport(c.name, c.weight, c.percent, ctx.index);
    if (!c.config || c === certain) return report;
    const own: MutationResult = { added: [], removed: [] };
    applyLevel({ label: `weighted cluster ${c.name}`, config: c.config }, new Map(headers), fmt, trace, own);
    const hostRewrite = str(c.config, 'host_rewrite_literal');
    return {
      ...report,
      ...(own.added.length > 0 ? { requestHeadersAdded: own.added as readonly HeaderChange[] } : {}),
      ...(own.removed.length > 0 ? { requestHeadersRemoved: own.removed } : {}),
      ...(hostRewrite ? { hostRewrite } : {}),
    };
  });
  if (clusters.length > 1) trace.step(`clusters: weighted ${clusters.map((c) => `${c.name} ${c.weight} (${c.percent}%)`).join(', ')}`);
  else if (clusters.length === 1) trace.step(`cluster: ${clusters[0]!.name}`);

  const timeout = durationText(action, 'timeout') ?? '15s';
  const idleTimeout = durationText(action, 'idle_timeout');
  const retry = retryOf(route, virtualHost);
  const mirrors = mirrorsOf(action, virtualHost, view);
  const hashPolicy = hashPolicyOf(action);
  trace.step(`timeout: ${timeout === '0s' ? 'disabled' : timeout}${retry ? `; retries: ${retry.numRetries} on "${retry.retryOn}"${retry.perTryTimeout ? `, per try ${retry.perTryTimeout}` : ''} (${retry.from})` : ''}`);
  for (const m of mirrors) trace.step(`mirror: ${m.percent}% of requests also go to ${m.cluster}`);
  if (hashPolicy.length > 0) trace.step(`hash policy: ${hashPolicy.join(', ')}`);

  const upstream: UpstreamReport = {
    clusters,
    rewrittenPath: path,
    rewrittenHost: host,
    requestHeadersAdded: mutations.added,
    requestHeadersRemoved: mutations.removed,
    requestHeaders: snapshot(headers),
    endpoints: clusters.flatMap((c) => c.endpoints),
    timeout,
    ...(idleTimeout ? { idleTimeout } : {}),
    ...(retry ? { retry } : {}),
    mirrors,
    hashPolicy,
    ...(autoHostRewrite ? { autoHostRewrite } : {}),
  };
  const usable = clusters.filter((c) => c.found && (c.weight > 0 || clusters.length === 1));
  if (usable.length === 0) {
    const code = NOT_FOUND_CODES[enumName(action, 'cluster_not_found_response_code', Object.keys(NOT_FOUND_CODES)) ?? 'SERVICE_UNAVAILABLE'] ?? 503;
    return { upstream, clusterNotFoundStatus: code };
  }
  return { upstream };
}
