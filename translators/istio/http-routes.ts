// VirtualService http[] → IR routes for one host and port as one client sees it. First match wins
// (Istio's order is kept); matches that cannot apply to this client (port, sourceLabels,
// sourceNamespace, gateways) are left out of its proxy, since every proxy gets its own config.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { FaultPolicy } from '../../src/ir/mesh';
import type { CorsPolicy, RoutePolicy } from '../../src/ir/policy';
import type { ForwardAction, HashKey, HeaderMatch, HeaderMutation, HeaderValue, Mirror, QueryParamMatch, RedirectAction, RetryPolicy, Rewrite, Route, RouteAction, RouteMatch, WeightedBackend } from '../../src/ir/route';
import { namespaceOf } from '../core/documents';
import { getBoolean, getNumber, getObject, getObjects, getString, getStringMap, getStrings } from '../core/json';
import type { ClusterSet } from './clusters';
import type { IstioContext } from './context';
import { parseIstioDurationMs } from './durations';
import { resolveHost } from './hosts';
import { GRPC_STATUS_NAMES } from './schemas/virtual-service';
import { MESH_GATEWAY } from './virtual-services';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface RouteClient {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** "mesh" for sidecars, "<namespace>/<name>" for an ingress Gateway. */
  readonly gateway: string;
}

/** Istio's retry policy for routes that do not set `retries`. */
export const ISTIO_DEFAULT_RETRY: RetryPolicy = { attempts: 2, retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'], retriableStatusCodes: [503] };

interface Step {
  readonly ctx: IstioContext;
  readonly doc: InputDocument;
  readonly clusters: ClusterSet;
  readonly port: number;
}

export function httpRoutes(doc: InputDocument, vhostName: string, port: number, client: RouteClient, ctx: IstioContext, clusters: ClusterSet): Route[] {
  const routes: Route[] = [];
  const ns = namespaceOf(doc);
  const step: Step = { ctx, doc, clusters, port };
  getObjects(doc.spec, 'http').forEach((http, i) => {
    const path = `spec.http[${i}]`;
    if (getObject(http, 'delegate')) return;
    const action = routeAction(step, http, path);
    if (!action) return;
    const policy = routePolicy(step, http, path);
    const headers = getObject(http, 'headers');
    const requestHeaders = headerMutation(getObject(headers, 'request'));
    let responseHeaders = headerMutation(getObject(headers, 'response'));
    if (action.extraResponse) responseHeaders = mergeMutations(responseHeaders, action.extraResponse);
    const matches = getObjects(http, 'match');
    const list: (JsonObject | undefined)[] = matches.length > 0 ? [...matches] : [undefined];
    list.forEach((m, j) => {
      if (m && !appliesTo(m, port, client, ns)) return;
      const match = routeMatch(step, m, `${path}.match[${j}]`);
      const rewritten = action.action.type === 'forward' ? withRewrite(step, action.action, http, match, path) : action.action;
      routes.push({
        name: `${ns}/${doc.metadata.name}/${getString(http, 'name') ?? `http[${i}]`}${matches.length > 1 ? `/${getString(m, 'name') ?? `match[${j}]`}` : ''}@${vhostName}`,
        match,
        action: rewritten,
        ...(requestHeaders ? { requestHeaders } : {}),
        ...(responseHeaders ? { responseHeaders } : {}),
        ...(policy ? { policy } : {}),
        source: { kind: 'VirtualService', namespace: ns, name: doc.metadata.name, section: matches.length > 0 ? `http[${i}].match[${j}]` : `http[${i}]` },
      });
    });
  });
  return routes;
}

/** Whether a match's port, sourceLabels, sourceNamespace and gateways select this client (HTTP and TCP routes alike). */
export function appliesTo(match: JsonObject, port: number, client: RouteClient, vsNamespace: string): boolean {
  const p = getNumber(match, 'port');
  if (p !== undefined && p !== port) return false;
  if (!Object.entries(getStringMap(match, 'sourceLabels')).every(([k, v]) => client.labels[k] === v)) return false;
  const sourceNs = getString(match, 'sourceNamespace');
  if (sourceNs !== undefined && sourceNs !== client.namespace) return false;
  const gateways = getStrings(match, 'gateways').map((g) => (g === MESH_GATEWAY || g.includes('/') ? g : `${vsNamespace}/${g}`));
  return gateways.length === 0 || gateways.includes(client.gateway);
}

function stringMatchHeader(name: string, m: JsonObject | undefined, invert: boolean): HeaderMatch {
  const exact = getString(m, 'exact');
  const prefix = getString(m, 'prefix');
  const regex = getString(m, 'regex');
  const base: HeaderMatch =
    exact !== undefined ? { name, type: 'Exact', value: exact } : prefix !== undefined ? { name, type: 'Prefix', value: prefix } : regex !== undefined ? { name, type: 'RegularExpression', value: regex } : { name, type: 'Present' };
  return invert ? { ...base, invert: true } : base;
}

function routeMatch(step: Step, m: JsonObject | undefined, path: string): RouteMatch {
  const uri = getObject(m, 'uri');
  const out: Mutable<RouteMatch> = {
    path:
      getString(uri, 'exact') !== undefined
        ? { type: 'Exact', value: getString(uri, 'exact')! }
        : getString(uri, 'regex') !== undefined
          ? { type: 'RegularExpression', value: getString(uri, 'regex')! }
          : { type: 'StringPrefix', value: getString(uri, 'prefix') ?? '/' },
  };
  if (!m) return out;
  step.ctx.unsupported(step.doc, m, path, ['ignoreUriCase', 'statPrefix']);
  const headers: HeaderMatch[] = [];
  for (const [name, v] of Object.entries(getObject(m, 'headers') ?? {})) headers.push(stringMatchHeader(name.toLowerCase(), isObj(v), false));
  for (const [name, v] of Object.entries(getObject(m, 'withoutHeaders') ?? {})) headers.push(stringMatchHeader(name.toLowerCase(), isObj(v), true));
  const method = getObject(m, 'method');
  if (getString(method, 'exact') !== undefined) out.method = getString(method, 'exact')!.toUpperCase();
  else if (method) headers.push(stringMatchHeader(':method', method, false));
  if (getObject(m, 'authority')) headers.push(stringMatchHeader(':authority', getObject(m, 'authority'), false));
  if (getObject(m, 'scheme')) headers.push(stringMatchHeader(':scheme', getObject(m, 'scheme'), false));
  if (headers.length > 0) out.headers = headers;
  const params: QueryParamMatch[] = [];
  for (const [name, v] of Object.entries(getObject(m, 'queryParams') ?? {})) {
    const q = isObj(v);
    if (getString(q, 'exact') !== undefined) params.push({ name, type: 'Exact', value: getString(q, 'exact')! });
    else if (getString(q, 'regex') !== undefined) params.push({ name, type: 'RegularExpression', value: getString(q, 'regex')! });
    else if (getString(q, 'prefix') !== undefined) step.ctx.error(step.doc, `${path}.queryParams.${name}.prefix`, 'query parameters match exact or regex only (as in Istio)');
    else params.push({ name, type: 'Present' });
  }
  if (params.length > 0) out.queryParams = params;
  return out;
}

function isObj(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

interface BuiltAction {
  readonly action: RouteAction;
  readonly extraResponse?: HeaderMutation;
}

function routeAction(step: Step, http: JsonObject, path: string): BuiltAction | undefined {
  const redirect = getObject(http, 'redirect');
  const direct = getObject(http, 'directResponse');
  if (redirect || direct) {
    // Envoy answers these routes itself: nothing is forwarded, so forwarding settings do nothing.
    step.ctx.unsupported(step.doc, http, path, ['retries', 'timeout', 'mirror', 'mirrors', 'mirrorPercentage', 'mirrorPercent', 'mirror_percent', 'rewrite'], `has no effect on a ${redirect ? 'redirect' : 'directResponse'} route and is ignored`);
  }
  if (redirect) return { action: redirectAction(step, redirect, `${path}.redirect`) };
  if (direct) {
    const body = getObject(direct, 'body');
    const text = getString(body, 'string') ?? (getString(body, 'bytes') !== undefined ? Buffer.from(getString(body, 'bytes')!, 'base64').toString('utf8') : undefined);
    return { action: { type: 'direct', status: getNumber(direct, 'status') ?? 200, ...(text !== undefined ? { body: text } : {}) } };
  }
  const dests = getObjects(http, 'route');
  if (dests.length === 0) {
    step.ctx.error(step.doc, path, 'an http route needs route, redirect or directResponse');
    return undefined;
  }
  const backends: WeightedBackend[] = [];
  let hashOn: readonly HashKey[] | undefined;
  let extraResponse: HeaderMutation | undefined;
  dests.forEach((d, k) => {
    const dpath = `${path}.route[${k}]`;
    const ref = destinationCluster(step, getObject(d, 'destination'), `${dpath}.destination`);
    const headers = getObject(d, 'headers');
    const request = headerMutation(getObject(headers, 'request'));
    const response = headerMutation(getObject(headers, 'response'));
    if (response) {
      if (dests.length === 1) extraResponse = response;
      else step.ctx.statusOf(step.doc).warn(`${dpath}.headers.response: response headers per destination of a split are not supported; they are ignored`);
    }
    if (!ref) return;
    hashOn ??= ref.hashOn;
    backends.push({ cluster: ref.cluster, weight: getNumber(d, 'weight') ?? (dests.length === 1 ? 100 : 0), ...(request ? { requestHeaders: request } : {}) });
  });
  const total = dests.reduce((s, d) => s + (getNumber(d, 'weight') ?? 0), 0);
  if (dests.length > 1 && total !== 100) step.ctx.statusOf(step.doc).warn(`${path}.route: weights add up to ${total}, not 100; traffic is split in proportion`);
  const action: Mutable<ForwardAction> = { type: 'forward', backends };
  if (backends.length === 0) action.unavailableStatus = 503;
  if (hashOn) action.hashOn = hashOn;
  const timeout = getString(http, 'timeout');
  // Istio turns Envoy's 15 s route timeout off unless the route sets one.
  action.timeoutMs = timeout !== undefined ? parseIstioDurationMs(timeout) ?? 0 : 0;
  const retry = retryPolicy(step, getObject(http, 'retries'), `${path}.retries`);
  if (retry) action.retry = retry;
  const mirrors = mirrorsOf(step, http, path);
  if (mirrors.length > 0) action.mirrors = mirrors;
  return { action, ...(extraResponse ? { extraResponse } : {}) };
}

function destinationCluster(step: Step, dest: JsonObject | undefined, path: string): { cluster: string; hashOn?: readonly HashKey[] } | undefined {
  const host = resolveHost(getString(dest, 'host') ?? '', namespaceOf(step.doc));
  const ref = step.clusters.ensure(host, getNumber(getObject(dest, 'port'), 'number'), getString(dest, 'subset'), step.port);
  if ('problem' in ref) {
    step.ctx.statusOf(step.doc).warn(`${path}: ${ref.problem}; requests for it get 503`);
    return undefined;
  }
  return ref;
}

function redirectAction(step: Step, r: JsonObject, path: string): RedirectAction {
  step.ctx.unsupported(step.doc, r, path, ['derivePort']);
  const code = getNumber(r, 'redirectCode') ?? 301;
  const allowed = [301, 302, 303, 307, 308] as const;
  const statusCode = (allowed as readonly number[]).includes(code) ? (code as RedirectAction['statusCode']) : 301;
  if (statusCode !== code) step.ctx.error(step.doc, `${path}.redirectCode`, `redirectCode ${code} is not one Envoy can send (301, 302, 303, 307, 308)`);
  const scheme = getString(r, 'scheme');
  const uri = getString(r, 'uri');
  const out: Mutable<RedirectAction> = { type: 'redirect', statusCode };
  if (scheme === 'http' || scheme === 'https') out.scheme = scheme;
  if (getString(r, 'authority') !== undefined) out.hostname = getString(r, 'authority')!;
  if (getNumber(r, 'port') !== undefined) out.port = getNumber(r, 'port')!;
  if (uri !== undefined) out.path = { type: 'ReplaceFullPath', value: uri };
  return out;
}

function retryPolicy(step: Step, r: JsonObject | undefined, path: string): RetryPolicy | undefined {
  if (!r) return ISTIO_DEFAULT_RETRY;
  step.ctx.unsupported(step.doc, r, path, ['retryRemoteLocalities', 'retryIgnorePreviousHosts', 'backoff']);
  const attempts = getNumber(r, 'attempts') ?? ISTIO_DEFAULT_RETRY.attempts;
  if (attempts === 0) return undefined;
  const on = getString(r, 'retryOn');
  const conditions = on !== undefined ? on.split(',').map((s) => s.trim()).filter((s) => s !== '') : [...ISTIO_DEFAULT_RETRY.retryOn];
  const codes = conditions.filter((c) => /^[0-9]+$/.test(c)).map(Number);
  const retryOn = conditions.filter((c) => !/^[0-9]+$/.test(c));
  const perTry = getString(r, 'perTryTimeout');
  const defaults = on === undefined ? ISTIO_DEFAULT_RETRY.retriableStatusCodes ?? [] : [];
  const allCodes = [...defaults, ...codes];
  return {
    attempts,
    retryOn,
    ...(allCodes.length > 0 ? { retriableStatusCodes: allCodes } : {}),
    ...(perTry !== undefined ? { perTryTimeoutMs: parseIstioDurationMs(perTry) ?? 0 } : {}),
  };
}

function mirrorsOf(step: Step, http: JsonObject, path: string): Mirror[] {
  const out: Mirror[] = [];
  const add = (dest: JsonObject | undefined, pct: number | undefined, dpath: string): void => {
    const ref = destinationCluster(step, dest, dpath);
    if (ref) out.push({ cluster: ref.cluster, ...(pct !== undefined && pct < 100 ? { percent: pct } : {}) });
  };
  const mirror = getObject(http, 'mirror');
  if (mirror) add(mirror, getNumber(getObject(http, 'mirrorPercentage'), 'value') ?? getNumber(http, 'mirrorPercent') ?? getNumber(http, 'mirror_percent'), `${path}.mirror`);
  getObjects(http, 'mirrors').forEach((m, i) => add(getObject(m, 'destination'), getNumber(getObject(m, 'percentage'), 'value'), `${path}.mirrors[${i}].destination`));
  return out;
}

function withRewrite(step: Step, action: ForwardAction, http: JsonObject, match: RouteMatch, path: string): ForwardAction {
  const rw = getObject(http, 'rewrite');
  if (!rw) return action;
  const uri = getString(rw, 'uri');
  const regex = getObject(rw, 'uriRegexRewrite');
  if (uri !== undefined && regex) step.ctx.error(step.doc, `${path}.rewrite`, 'uri and uriRegexRewrite cannot both be set');
  const rewrite: Mutable<Rewrite> = {};
  // Istio replaces the matched prefix for prefix matches and the whole path otherwise.
  if (uri !== undefined) rewrite.path = match.path.type === 'StringPrefix' ? { type: 'ReplacePrefixMatch', value: uri } : { type: 'ReplaceFullPath', value: uri };
  else if (regex) rewrite.path = { type: 'Regex', pattern: getString(regex, 'match') ?? '', substitution: getString(regex, 'rewrite') ?? '' };
  if (getString(rw, 'authority') !== undefined) rewrite.host = getString(rw, 'authority')!;
  return { ...action, rewrite };
}

function grpcCode(name: string): number | undefined {
  const i = GRPC_STATUS_NAMES.indexOf(name.toUpperCase());
  return i >= 0 ? i : undefined;
}

function percentOf(o: JsonObject | undefined): number {
  return getNumber(getObject(o, 'percentage'), 'value') ?? getNumber(o, 'percent') ?? 100;
}

function routePolicy(step: Step, http: JsonObject, path: string): RoutePolicy | undefined {
  const policy: Mutable<RoutePolicy> = {};
  const fault = getObject(http, 'fault');
  if (fault) {
    const f: Mutable<FaultPolicy> = {};
    const delay = getObject(fault, 'delay');
    if (delay) {
      step.ctx.unsupported(step.doc, delay, `${path}.fault.delay`, ['exponentialDelay']);
      const ms = parseIstioDurationMs(getString(delay, 'fixedDelay') ?? '');
      if (ms === undefined) step.ctx.error(step.doc, `${path}.fault.delay.fixedDelay`, 'required field is missing');
      else f.delay = { fixedDelayMs: ms, percent: percentOf(delay) };
    }
    const abort = getObject(fault, 'abort');
    if (abort) {
      step.ctx.unsupported(step.doc, abort, `${path}.fault.abort`, ['http2Error']);
      const grpc = getString(abort, 'grpcStatus');
      const grpcStatus = grpc === undefined ? undefined : /^[0-9]+$/.test(grpc) ? Number(grpc) : grpcCode(grpc);
      if (grpc !== undefined && grpcStatus === undefined) step.ctx.error(step.doc, `${path}.fault.abort.grpcStatus`, `${JSON.stringify(grpc)} is not a gRPC status name (e.g. UNAVAILABLE) or number`);
      const httpStatus = getNumber(abort, 'httpStatus');
      if (httpStatus === undefined && grpcStatus === undefined && grpc === undefined) step.ctx.error(step.doc, `${path}.fault.abort`, 'needs httpStatus or grpcStatus');
      f.abort = { ...(httpStatus !== undefined ? { httpStatus } : {}), ...(grpcStatus !== undefined ? { grpcStatus } : {}), percent: percentOf(abort) };
    }
    if (f.delay || f.abort) policy.fault = f;
  }
  const cors = getObject(http, 'corsPolicy');
  if (cors) policy.cors = corsPolicy(step, cors, `${path}.corsPolicy`);
  return Object.keys(policy).length > 0 ? policy : undefined;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function corsPolicy(step: Step, c: JsonObject, path: string): CorsPolicy {
  step.ctx.unsupported(step.doc, c, path, ['unmatchedPreflights']);
  const origins = [
    ...getObjects(c, 'allowOrigins').map((o) =>
      getString(o, 'exact') !== undefined ? getString(o, 'exact')! : getString(o, 'prefix') !== undefined ? `~${escapeRegex(getString(o, 'prefix')!)}.*` : `~${getString(o, 'regex') ?? '.*'}`,
    ),
    ...getStrings(c, 'allowOrigin'),
  ];
  const out: Mutable<CorsPolicy> = { allowOrigins: origins };
  const list = (k: 'allowMethods' | 'allowHeaders' | 'exposeHeaders'): void => {
    const v = getStrings(c, k);
    if (v.length > 0) out[k] = v;
  };
  list('allowMethods');
  list('allowHeaders');
  list('exposeHeaders');
  const maxAge = getString(c, 'maxAge');
  if (maxAge !== undefined) out.maxAgeSeconds = Math.round((parseIstioDurationMs(maxAge) ?? 0) / 1000);
  if (getBoolean(c, 'allowCredentials') !== undefined) out.allowCredentials = getBoolean(c, 'allowCredentials')!;
  return out;
}

export function headerMutation(ops: JsonObject | undefined): HeaderMutation | undefined {
  if (!ops) return undefined;
  // Istio passes header values to Envoy as format strings (e.g. "%DOWNSTREAM_REMOTE_ADDRESS%").
  const pairs = (k: string): HeaderValue[] =>
    Object.entries(getStringMap(ops, k)).map(([name, value]) => (value.includes('%') ? { name: name.toLowerCase(), envoyFormat: value } : { name: name.toLowerCase(), value }));
  const set = pairs('set');
  const add = pairs('add');
  const remove = getStrings(ops, 'remove').map((r) => r.toLowerCase());
  const out: Mutable<HeaderMutation> = {};
  if (set.length > 0) out.set = set;
  if (add.length > 0) out.add = add;
  if (remove.length > 0) out.remove = remove;
  return Object.keys(out).length > 0 ? out : undefined;
}

function mergeMutations(a: HeaderMutation | undefined, b: HeaderMutation): HeaderMutation {
  if (!a) return b;
  return { set: [...(a.set ?? []), ...(b.set ?? [])], add: [...(a.add ?? []), ...(b.add ?? [])], remove: [...(a.remove ?? []), ...(b.remove ?? [])] };
}
