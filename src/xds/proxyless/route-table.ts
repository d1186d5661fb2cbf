// Route tables for gRPC clients: the IR's virtual hosts and routes restricted to what gRPC's xDS
// client accepts (gRFC A28/A31/A44 and grpc-js-xds's validation):
// - matches: prefix / path / safe_regex paths (Gateway API path prefixes become "<prefix>/", since a
//   gRPC method path always has two segments), header matchers. A method match on POST is dropped
//   (every gRPC call is a POST); a route matching another method or a query parameter can never
//   match a gRPC call and is left out. The `grpc` match is dropped (every call is gRPC).
// - actions: `cluster` or `weighted_clusters`. Redirects, direct responses and rules whose backends
//   cannot be used go to UNAVAILABLE_CLUSTER with a fault abort of every call (see fault.ts).
// - timeouts: RouteAction.timeout becomes max_stream_duration (gRPC ignores `timeout`); absent
//   stays absent (the caller's deadline applies).
// - retries: only gRPC status conditions; Envoy's HTTP conditions for failures a gRPC call reports
//   as UNAVAILABLE (5xx, gateway-error, reset, connect-failure, refused-stream,
//   retriable-status-codes) become "unavailable". per_try_timeout is not supported by gRPC.
// - hash policies: header; source IP becomes the channel id (one client sticks to one host).
// - fault injection: per-route HTTPFault. Envoy-only filters (authentication, CORS, rate limits, ...)
//   are sent as optional filters with optional per-route configs (optional-filters.ts) and noted;
//   other Envoy-only route features (header changes, rewrites, mirrors) are omitted and noted.
import type { JsonObject } from '../../envoy/resource';
import type { RoutePolicy } from '../../ir/policy';
import type { ForwardAction, HashKey, HeaderMatch, PathMatch, Route, RetryPolicy } from '../../ir/route';
import type { Source } from '../../ir/types';
import { compact, duration, list } from '../json';
import { headerMatcher } from '../matchers';
import { separatedPrefix } from '../route-match';
import { abortEveryCall, routeFault } from './fault';
import { FAULT_FILTER, UNAVAILABLE_CLUSTER } from './names';
import { deepFreeze } from './freeze';
import { type ProxylessNote, type ProxylessNotes, recording } from './notes';
import type { OptionalFilters } from './optional-filters';
import { GenerationalWeakMap } from '../../util/generational-weak-map';
import { sameJson } from '../../cache/same-json';

export interface TableRoute {
  readonly route: Route;
  /** The virtual host's own policy (part of the memo key: `policy` is merged from it). */
  readonly hostPolicy: RoutePolicy | undefined;
  /** Host and route policy merged (src/xds/effective-policy.ts). */
  readonly policy: RoutePolicy;
}

export interface TableHost {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly TableRoute[];
}

export interface RouteTable {
  /** RouteConfiguration name (the api_listeners' rds.route_config_name). */
  readonly name: string;
  /** The port clients name in "<host>:<port>" targets. */
  readonly port: number;
  readonly hosts: readonly TableHost[];
  /** The Envoy-only filters of the Envoy view's chains for this table, sent as optional. */
  readonly optional: OptionalFilters;
}

export interface BuiltRouteTable {
  readonly json: JsonObject;
  /** Some route carries an HTTPFault: the HCM needs the fault filter. */
  readonly usesFault: boolean;
  /** Some route points at UNAVAILABLE_CLUSTER. */
  readonly usesUnavailable: boolean;
  /** Concrete (wildcard-free) domains clients can dial, in table order. */
  readonly dialableDomains: readonly string[];
}

/** gRPC's retryable status codes, as Envoy's retry_on spells them. */
const GRPC_RETRY_ON = new Set(['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable']);
/** Envoy HTTP retry conditions whose failures a gRPC client sees as UNAVAILABLE. */
const HTTP_RETRY_ON_AS_UNAVAILABLE = new Set(['5xx', 'gateway-error', 'reset', 'connect-failure', 'refused-stream', 'retriable-status-codes']);

/** Route policies enforced by Envoy HTTP filters that gRPC clients do not have. */
const ENVOY_ONLY_POLICY_FEATURES: readonly (keyof RoutePolicy)[] = [
  'jwt',
  'apiKey',
  'basicAuth',
  'extAuthz',
  'ipAccess',
  'consumers',
  'cors',
  'localRateLimit',
  'globalRateLimit',
  'maxRequestBodyBytes',
];

function pathSpecifier(path: PathMatch): JsonObject {
  switch (path.type) {
    case 'Exact':
      return { path: path.value };
    case 'PathPrefix': {
      const prefix = separatedPrefix(path.value);
      return { prefix: prefix === '/' ? '/' : `${prefix}/` };
    }
    case 'StringPrefix':
      return { prefix: path.value === '' ? '/' : path.value };
    case 'RegularExpression':
      return { safe_regex: { regex: path.value } };
  }
}

/** The route's match, or a reason why no gRPC call can ever match it. */
function routeMatch(route: Route): { match: JsonObject } | { never: string } {
  const m = route.match;
  if (m.queryParams && m.queryParams.length > 0) return { never: 'it matches query parameters, which gRPC calls do not carry' };
  if (m.method !== undefined && m.method.toUpperCase() !== 'POST') return { never: `it matches method ${m.method}; every gRPC call is a POST` };
  const headers = (m.headers ?? []).map((h: HeaderMatch) => headerMatcher(h));
  return { match: compact({ ...pathSpecifier(m.path), headers: list(headers) }) };
}

export function grpcRetryPolicy(retry: RetryPolicy, subject: string, notes: ProxylessNotes, source: Source): JsonObject | undefined {
  const conditions = new Set<string>();
  for (const condition of retry.retryOn) {
    if (GRPC_RETRY_ON.has(condition)) conditions.add(condition);
    else if (HTTP_RETRY_ON_AS_UNAVAILABLE.has(condition)) conditions.add('unavailable');
    else notes.add(subject, `retry condition "${condition}" has no gRPC equivalent and is left out`, source);
  }
  if (retry.perTryTimeoutMs !== undefined) notes.add(subject, 'per-try timeout is not supported by gRPC clients and is left out', source);
  if (conditions.size === 0) {
    notes.add(subject, 'no retry condition applies to gRPC: the route does not retry', source);
    return undefined;
  }
  if (retry.attempts < 1) return undefined;
  return compact({
    retry_on: [...conditions].sort().join(','),
    num_retries: retry.attempts,
    retry_back_off: retry.backoff
      ? compact({
          base_interval: duration(Math.max(1, retry.backoff.baseIntervalMs)),
          max_interval: retry.backoff.maxIntervalMs !== undefined ? duration(Math.max(retry.backoff.maxIntervalMs, retry.backoff.baseIntervalMs, 1)) : undefined,
        })
      : undefined,
  });
}

function hashPolicy(key: HashKey, subject: string, notes: ProxylessNotes, source: Source): JsonObject | undefined {
  switch (key.type) {
    case 'header':
      return { header: { header_name: key.name } };
    case 'sourceIP':
      // A gRPC client has no source address to hash; its channel is the closest stable identity.
      return { filter_state: { key: 'io.grpc.channel_id' } };
    case 'cookie':
    case 'queryParameter':
      notes.add(subject, `hashing on a ${key.type === 'cookie' ? 'cookie' : 'query parameter'} is not possible for gRPC calls and is left out`, source);
      return undefined;
  }
}

function clusterSpecifier(action: ForwardAction): JsonObject {
  const only = action.backends.length === 1 ? action.backends[0]! : undefined;
  if (only) return { cluster: only.cluster };
  return { weighted_clusters: { clusters: action.backends.map((b) => ({ name: b.cluster, weight: b.weight })) } };
}

function noteForwardExtras(action: ForwardAction, subject: string, notes: ProxylessNotes, source: Source): void {
  if (action.mirrors && action.mirrors.length > 0) notes.add(subject, 'request mirroring is not supported by gRPC clients and is left out', source);
  if (action.rewrite) notes.add(subject, 'path and host rewrites are not supported by gRPC clients and are left out', source);
  if (action.backends.some((b) => b.requestHeaders)) notes.add(subject, 'per-backend header changes are not supported by gRPC clients and are left out', source);
}

interface RouteOutcome {
  readonly json: JsonObject;
  readonly fault: boolean;
  readonly unavailable: boolean;
}

function unavailableRoute(name: string, match: JsonObject, status: number): RouteOutcome {
  return {
    json: { name, match, route: { cluster: UNAVAILABLE_CLUSTER }, typed_per_filter_config: { [FAULT_FILTER]: abortEveryCall(status) } },
    fault: true,
    unavailable: true,
  };
}

function grpcRoute(planned: TableRoute, notes: ProxylessNotes): RouteOutcome | undefined {
  const { route, policy } = planned;
  const subject = `route ${route.name}`;
  const matched = routeMatch(route);
  if ('never' in matched) {
    notes.add(subject, `left out: ${matched.never}`, route.source);
    return undefined;
  }
  const match = matched.match;
  for (const feature of ENVOY_ONLY_POLICY_FEATURES) {
    if (policy[feature] !== undefined) notes.add(subject, `policy "${feature}" runs in an Envoy filter gRPC clients do not have: sent as an optional filter, which they skip`, route.source);
  }
  if (route.requestHeaders || route.responseHeaders) notes.add(subject, 'header changes are not supported by gRPC clients and are left out', route.source);

  const action = route.action;
  switch (action.type) {
    case 'redirect':
      notes.add(subject, `gRPC cannot follow redirects: calls fail as with HTTP ${action.statusCode}`, route.source);
      return unavailableRoute(route.name, match, action.statusCode);
    case 'direct':
      notes.add(subject, `gRPC cannot take a direct response: calls fail as with HTTP ${action.status}`, route.source);
      return unavailableRoute(route.name, match, action.status);
    case 'forward':
      break;
  }
  if (action.unavailableStatus !== undefined) return unavailableRoute(route.name, match, action.unavailableStatus);
  if (action.backends.reduce((sum, b) => sum + b.weight, 0) <= 0) return unavailableRoute(route.name, match, 500);
  noteForwardExtras(action, subject, notes, route.source);
  const hashPolicies = (action.hashOn ?? []).flatMap((k) => hashPolicy(k, subject, notes, route.source) ?? []);
  const fault = policy.fault;
  return {
    json: compact({
      name: route.name,
      match,
      route: compact({
        ...clusterSpecifier(action),
        // gRPC reads only max_stream_duration; 0 means "the caller's deadline".
        max_stream_duration: action.timeoutMs !== undefined ? { max_stream_duration: duration(action.timeoutMs) } : undefined,
        retry_policy: action.retry ? grpcRetryPolicy(action.retry, subject, notes, route.source) : undefined,
        hash_policy: list(hashPolicies),
      }),
      typed_per_filter_config: fault ? { [FAULT_FILTER]: routeFault(fault) } : undefined,
    }),
    fault: fault !== undefined,
    unavailable: false,
  };
}

/**
 * Routes are memoised per IR Route object (translators keep unchanged IR objects identical): an
 * unchanged route is the same frozen JSON as in the previous build, which validation and the
 * snapshot cache recognise by identity.
 */
const routeMemo = new GenerationalWeakMap<Route, { readonly hostPolicy: RoutePolicy | undefined; readonly outcome: RouteOutcome | undefined; readonly notes: readonly ProxylessNote[] }>();

function memoisedGrpcRoute(planned: TableRoute, notes: ProxylessNotes): RouteOutcome | undefined {
  const known = routeMemo.get(planned.route);
  if (known && known.hostPolicy === planned.hostPolicy) {
    notes.replay(known.notes);
    return known.outcome;
  }
  const built = recording((local) => grpcRoute(planned, local));
  if (built.value) deepFreeze(built.value.json);
  routeMemo.set(planned.route, { hostPolicy: planned.hostPolicy, outcome: built.value, notes: built.notes });
  notes.replay(built.notes);
  return built.value;
}

/** The route with the optional filters' per-route configs beside its own (the memoised JSON stays as it is). */
function withOptionalConfigs(json: JsonObject, optional: JsonObject | undefined): JsonObject {
  if (!optional) return json;
  const own = json['typed_per_filter_config'];
  return { ...json, typed_per_filter_config: { ...(typeof own === 'object' && own !== null && !Array.isArray(own) ? own : {}), ...optional } };
}

function isDialable(domain: string): boolean {
  return domain !== '' && !domain.includes('*');
}

/** A host's domains plus "<domain>:<port>" for each dialable one, without any already claimed. */
function hostDomains(host: TableHost, port: number, claimed: Set<string>): string[] {
  const out: string[] = [];
  const add = (domain: string): void => {
    const key = domain.toLowerCase();
    if (claimed.has(key)) return;
    claimed.add(key);
    out.push(domain);
  };
  for (const domain of host.domains) {
    add(domain);
    if (isDialable(domain) && !domain.includes(':')) add(`${domain}:${port}`);
  }
  return out;
}

/**
 * Each route table's virtual hosts as its last build made them, per proxy and table name. A host
 * built equal to last time's is handed out as that same frozen object, so validation (which keeps
 * its answer per frozen virtual host, src/validate/walker.ts) and structural sharing pass over it
 * after a one-route change, whether or not the view is served. Replaced by every build of the
 * table; dropped whole if proxies ever come and go by the thousand.
 */
const lastHosts = new Map<string, Map<string, JsonObject>>();
const LAST_HOSTS_LIMIT = 10_000;

function sameAsLastBuild(previous: ReadonlyMap<string, JsonObject> | undefined, name: string, built: JsonObject): JsonObject {
  const before = previous?.get(name);
  return before && sameJson(before, built) ? before : deepFreeze(built);
}

/** `scope` tells tables of different proxies apart (the proxy's name). */
export function buildRouteTable(table: RouteTable, notes: ProxylessNotes, scope = ''): BuiltRouteTable {
  const memoKey = `${scope}\u0000${table.name}`;
  const previous = lastHosts.get(memoKey);
  const hostsNow = new Map<string, JsonObject>();
  let usesFault = false;
  let usesUnavailable = false;
  const claimed = new Set<string>();
  const dialableDomains: string[] = [];
  const virtualHosts: JsonObject[] = [];
  for (const host of table.hosts) {
    const domains = hostDomains(host, table.port, claimed);
    if (domains.length === 0) continue;
    const routes: JsonObject[] = [];
    for (const planned of host.routes) {
      const outcome = memoisedGrpcRoute(planned, notes);
      if (!outcome) continue;
      routes.push(withOptionalConfigs(outcome.json, table.optional.perRoute(planned.route)));
      usesFault ||= outcome.fault;
      usesUnavailable ||= outcome.unavailable;
    }
    dialableDomains.push(...domains.filter(isDialable));
    const virtualHost = sameAsLastBuild(previous, host.name, compact({ name: host.name, domains, routes: list(routes) }));
    hostsNow.set(host.name, virtualHost);
    virtualHosts.push(virtualHost);
  }
  if (!previous && lastHosts.size >= LAST_HOSTS_LIMIT) lastHosts.clear();
  lastHosts.set(memoKey, hostsNow);
  return { json: compact({ name: table.name, virtual_hosts: list(virtualHosts) }), usesFault, usesUnavailable, dialableDomains };
}
