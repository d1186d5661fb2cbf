// Step 6: the first route of the virtual host whose match accepts the request. Path matchers see
// the path without query and fragment; prefix, path and path_separated_prefix honour
// case_sensitive (default true); safe_regex must match the whole path. Then, as in
// RouteEntryImplBase::matchRoute: runtime_fraction, grpc, headers, query_parameters, tls_context.
import type { JsonObject } from '../envoy/resource';
import { describeHeaderMatcher, matchHeader } from './header-matcher';
import { bool, has, obj, objs, str } from './json';
import { re2FullMatch } from './regex';
import { headerValue, queryParams, type RequestView } from './request-view';
import { describeStringMatcher, matchString } from './string-matcher';
import type { Trace } from './trace';

export interface RouteMatchResult {
  readonly route: JsonObject;
  readonly index: number;
  readonly name?: string;
  readonly description: string;
  /** The part of the path prefix_rewrite replaces: the configured prefix or path, or the whole path for a regex. */
  readonly matchedPath: string;
}

interface Verdict {
  readonly ok: boolean;
  readonly why: string;
  readonly matchedPath?: string;
}

function pathVerdict(match: JsonObject, view: RequestView): Verdict {
  const caseSensitive = bool(match, 'case_sensitive') !== false;
  const fold = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const path = view.pathOnly;
  const note = caseSensitive ? '' : ' (case-insensitive)';
  const prefix = str(match, 'prefix');
  if (prefix !== undefined) {
    return { ok: fold(path).startsWith(fold(prefix)), why: `prefix ${JSON.stringify(prefix)}${note}`, matchedPath: path.slice(0, prefix.length) };
  }
  const exact = str(match, 'path');
  if (exact !== undefined) return { ok: fold(path) === fold(exact), why: `path ${JSON.stringify(exact)}${note}`, matchedPath: path };
  const separated = str(match, 'path_separated_prefix');
  if (separated !== undefined) {
    const ok = path.length >= separated.length && fold(path.slice(0, separated.length)) === fold(separated) && (path.length === separated.length || path[separated.length] === '/');
    return { ok, why: `path_separated_prefix ${JSON.stringify(separated)}${note}`, matchedPath: path.slice(0, separated.length) };
  }
  const regex = str(obj(match, 'safe_regex'), 'regex');
  if (regex !== undefined) return { ok: re2FullMatch(regex, path), why: `regex ${JSON.stringify(regex)}`, matchedPath: path };
  if (has(match, 'connect_matcher')) return { ok: view.method === 'CONNECT', why: 'CONNECT requests' };
  if (has(match, 'path_match_policy')) return { ok: false, why: 'path_match_policy (URI template; not evaluated by explain, treated as no match)' };
  // An empty prefix is omitted from proto3 JSON: {"prefix": ""} arrives as no path specifier at all.
  return { ok: true, why: 'prefix ""', matchedPath: '' };
}

function isGrpc(view: RequestView): boolean {
  const ct = headerValue(view, 'content-type') ?? '';
  return ct === 'application/grpc' || (ct.startsWith('application/grpc') && (ct[16] === '+' || ct[16] === ';'));
}

function queryVerdict(m: JsonObject, view: RequestView): Verdict {
  const name = str(m, 'name') ?? '';
  const value = queryParams(view).find(([k]) => k === name)?.[1];
  const sm = obj(m, 'string_match');
  const what = sm ? describeStringMatcher(sm) : 'present';
  if (value === undefined) return { ok: false, why: `query ${name} ${what}` };
  if (bool(m, 'present_match') === true || !sm) return { ok: true, why: `query ${name} present` };
  return { ok: matchString(sm, value), why: `query ${name} ${what}` };
}

/** Evaluates one route's match; `why` lists the criteria (the failing one last when it fails). */
function routeVerdict(route: JsonObject, view: RequestView, trace: Trace): Verdict {
  const match = obj(route, 'match') ?? {};
  const path = pathVerdict(match, view);
  const parts = [path.why];
  if (!path.ok) return { ok: false, why: parts.join(', ') };
  if (has(match, 'runtime_fraction')) {
    parts.push('runtime_fraction (ignored)');
    trace.assume('runtime_fraction on a route match is ignored: explain treats the route as matching whatever the random draw');
  }
  if (has(match, 'grpc')) {
    parts.push('gRPC content-type');
    if (!isGrpc(view)) return { ok: false, why: parts.join(', ') };
  }
  for (const h of objs(match, 'headers')) {
    parts.push(describeHeaderMatcher(h));
    if (!matchHeader(h, view)) return { ok: false, why: parts.join(', ') };
  }
  for (const q of objs(match, 'query_parameters')) {
    const v = queryVerdict(q, view);
    parts.push(v.why);
    if (!v.ok) return { ok: false, why: parts.join(', ') };
  }
  const tlsContext = obj(match, 'tls_context');
  if (tlsContext) {
    // explain has no client certificate: none is presented, none validated.
    for (const key of ['presented', 'validated']) {
      const want = bool(tlsContext, key);
      if (want === undefined) continue;
      parts.push(`client certificate ${key}: ${want}`);
      trace.assume('the client presents no certificate');
      if (want) return { ok: false, why: parts.join(', ') };
    }
  }
  if (objs(match, 'dynamic_metadata').length > 0 || objs(match, 'filter_state').length > 0) {
    parts.push('dynamic metadata / filter state (assumed to match)');
    trace.assume('route matches on dynamic metadata or filter state are assumed to match');
  }
  return { ok: true, why: parts.join(', '), ...(path.matchedPath !== undefined ? { matchedPath: path.matchedPath } : {}) };
}

/** True when a RouteMatch accepts the request (used by jwt_authn rules, which reuse RouteMatch). */
export function routeMatchAccepts(match: JsonObject, view: RequestView, trace: Trace): boolean {
  return routeVerdict({ match }, view, trace).ok;
}

const MAX_MISSES_LISTED = 20;

export function matchRoute(virtualHost: JsonObject, view: RequestView, trace: Trace): RouteMatchResult | undefined {
  const routes = objs(virtualHost, 'routes');
  let misses = 0;
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index]!;
    const name = str(route, 'name');
    const label = `#${index}${name ? ` "${name}"` : ''}`;
    const v = routeVerdict(route, view, trace);
    if (v.ok) {
      trace.step(`route: ${label} matches (${v.why})`);
      return { route, index, ...(name ? { name } : {}), description: v.why, matchedPath: v.matchedPath ?? view.pathOnly };
    }
    if (misses++ < MAX_MISSES_LISTED) trace.step(`route: ${label} does not match (${v.why})`);
  }
  if (misses > MAX_MISSES_LISTED) trace.step(`route: … ${misses - MAX_MISSES_LISTED} more route(s) do not match`);
  trace.step(`route: none of the ${routes.length} route(s) of the virtual host matches ${view.method} ${view.path}`);
  return undefined;
}
