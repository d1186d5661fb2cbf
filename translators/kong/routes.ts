// Kong routes → HTTPRoutes. Kong splits a route with several paths into one sub-route per regex /
// prefix-length group, each with its own priority (priority.ts); each group becomes an HTTPRoute
// annotated meshgate.io/priority. Paths become RegularExpression matches with Kong's prefix and
// "~" semantics (regex.ts), methods × paths become matches, headers become case-insensitive regex
// matches, snis pick the HTTPS listeners. strip_path, service.path and preserve_host become a
// URL rewrite; https-only routes answer plain HTTP with 426 (or a redirect) from a route of their own.
import type { JsonObject } from '../../src/envoy/resource';
import { getArray, getBoolean, getNumber, getObject, getString, getStrings } from '../core/json';
import { PRIORITY_ANNOTATION } from '../gateway-api/priority';
import { HTTP_METHODS } from '../gateway-api/schemas/http-route';
import { HOSTNAME_PATTERN } from '../gateway-api/schemas/common';
import { backendRef, GATEWAY_API_V1, HTTP_LISTENER, MESHGATE_API, MESHGATE_GROUP, type HttpsListener, type RoutePlan, type ServicePlan } from './context';
import type { KongRoute, KongService } from './model';
import { objectNameOf, type NameAllocator } from './names';
import type { Output } from './output';
import { kongPriority, MAX_REGEX_PRIORITY, pathGroups } from './priority';
import { at, type Problems } from './problems';
import { headerValuesRegex, isRegexPath, literalSubstitution, pathMatchRegex, re2Problem, stripPattern } from './regex';

const ROUTE_PROTOCOLS = ['http', 'https', 'grpc', 'grpcs'];
const MAX_MATCHES_PER_RULE = 64;
const MAX_RULES = 16;
const MAX_HOSTNAMES = 16;
const HTTPS_MESSAGE = '{"message":"Please use HTTPS protocol"}';

/** What plugins add to every HTTPRoute of a route: filters, and request-transformer's replace.uri. */
export interface RouteExtras {
  readonly filters: readonly JsonObject[];
  readonly replaceUri?: string;
}

interface Group {
  readonly name: string;
  readonly paths: readonly string[];
  readonly pathIndexes: readonly number[];
  readonly hostnames: readonly { host: string; index: number }[];
  readonly priority: number;
}

interface RouteShape {
  readonly plan: RoutePlan;
  readonly groups: readonly Group[];
  readonly methods: readonly { method: string; index: number }[];
  readonly headers: readonly JsonObject[];
  readonly parents: readonly JsonObject[];
  readonly redirect?: { status: number };
  readonly stripPath: boolean;
  readonly preserveHost: boolean;
}

export interface RouteOutputs {
  readonly plans: RoutePlan[];
  emit(output: Output, gatewayName: string, extrasOf: (plan: RoutePlan) => RouteExtras): void;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length > 0 ? out : [[]];
}

/** The route's fields checked; undefined when the route cannot be served (reported). */
function shapeOf(route: KongRoute, plan: RoutePlan, https: readonly HttpsListener[], names: NameAllocator, problems: Problems): RouteShape | undefined {
  const raw = route.raw;
  const p = route.path;
  let servable = true;
  const skip = (path: string, reason: string): void => {
    problems.cannotHonour(path, reason);
    servable = false;
  };
  const protocols = plan.protocols;
  protocols.forEach((proto, i) => {
    if (!ROUTE_PROTOCOLS.includes(proto)) skip(at(p, `protocols[${i}]`), `"${proto}" routes are not supported (http, https, grpc, grpcs)`);
  });
  for (const field of ['sources', 'destinations']) if (getArray(raw, field).length > 0) skip(at(p, field), 'matching on client or destination addresses is not supported');
  if (getString(raw, 'expression') !== undefined) skip(at(p, 'expression'), 'router expressions (router_flavor expressions) are not supported');
  if (getString(raw, 'path_handling') === 'v1') problems.cannotHonour(at(p, 'path_handling'), 'path_handling v1 is not supported (Kong 3 deprecates it); v0 is used');
  const regexPriority = getNumber(raw, 'regex_priority') ?? 0;
  if (regexPriority < 0 || regexPriority > MAX_REGEX_PRIORITY) problems.error(at(p, 'regex_priority'), `must be 0 to ${MAX_REGEX_PRIORITY} for meshgate to order routes as Kong does`);

  // Methods, hosts and paths narrow the route: when every entry given is dropped, the route goes.
  const methods: { method: string; index: number }[] = [];
  getStrings(raw, 'methods').forEach((m, i) => {
    const method = m.toUpperCase();
    if ((HTTP_METHODS as readonly string[]).includes(method)) methods.push({ method, index: i });
    else problems.cannotHonour(at(p, `methods[${i}]`), `method "${m}" cannot be matched (${HTTP_METHODS.join(', ')})`);
  });
  if (getStrings(raw, 'methods').length > 0 && methods.length === 0) servable = false;

  const hosts: { host: string; index: number }[] = [];
  getStrings(raw, 'hosts').forEach((h, i) => {
    const host = h.toLowerCase();
    if (/:\d+$/.test(host)) problems.cannotHonour(at(p, `hosts[${i}]`), `"${h}": hosts with a port cannot be matched (Gateway API hostnames have no port)`);
    else if (host.endsWith('*') || host.endsWith('.*')) problems.cannotHonour(at(p, `hosts[${i}]`), `"${h}": suffix wildcards cannot be matched (only "*.example.com")`);
    else if (!HOSTNAME_PATTERN.test(host)) problems.error(at(p, `hosts[${i}]`), `"${h}" is not a host name`);
    else hosts.push({ host, index: i });
  });
  if (getStrings(raw, 'hosts').length > 0 && hosts.length === 0) servable = false;

  const paths: { path: string; index: number }[] = [];
  getStrings(raw, 'paths').forEach((path, i) => {
    if (!path.startsWith('/') && !path.startsWith('~')) {
      problems.error(at(p, `paths[${i}]`), 'must start with "/" (a prefix) or "~" (a regular expression)');
      return;
    }
    const regex = pathMatchRegex(path);
    const bad = re2Problem(regex);
    if (bad) problems.cannotHonour(at(p, `paths[${i}]`), `${JSON.stringify(path)} is not a regular expression Envoy (RE2) can run: ${bad}`);
    else if (regex.length > 1024) problems.cannotHonour(at(p, `paths[${i}]`), 'is longer than a Gateway API path match allows (1024)');
    else paths.push({ path, index: i });
  });
  if (getStrings(raw, 'paths').length > 0 && paths.length === 0) servable = false;

  const headers: JsonObject[] = [];
  const headerMap = getObject(raw, 'headers') ?? {};
  for (const [name, values] of Object.entries(headerMap)) {
    const list = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
    if (name.toLowerCase() === 'host') {
      problems.error(at(p, `headers.${name}`), "cannot contain the 'host' header: use hosts");
      continue;
    }
    if (list.length === 0) continue;
    const value = headerValuesRegex(list);
    const bad = re2Problem(value);
    if (bad) skip(at(p, `headers.${name}`), `a "~*" value is not a regular expression Envoy (RE2) can run: ${bad}`);
    else headers.push({ name, type: 'RegularExpression', value });
  }

  // snis pick HTTPS listeners; plain HTTP ignores them, as Kong does.
  const snis = getStrings(raw, 'snis').map((s) => s.toLowerCase().replace(/\.$/, ''));
  const wantsTls = protocols.includes('https') || protocols.includes('grpcs');
  const wantsPlain = protocols.includes('http') || protocols.includes('grpc');
  if (snis.length > 0 && !wantsTls) problems.error(at(p, 'snis'), "'snis' can only be set when 'protocols' is 'https' or 'grpcs'");
  let tlsListeners = wantsTls ? https : [];
  if (snis.length > 0) {
    snis.forEach((sni, i) => {
      if (!https.some((l) => l.sni === sni)) problems.cannotHonour(at(p, `snis[${i}]`), `no certificate in this file has SNI "${sni}" (meshgate has no default certificate), so no listener serves it`);
    });
    tlsListeners = https.filter((l) => snis.includes(l.sni));
  }
  if (wantsTls && !wantsPlain && tlsListeners.length === 0) problems.warn(p, 'no certificate serves this https-only route: it only answers plain HTTP requests with the HTTPS redirect');
  const largestGroup = Math.max(1, ...pathGroups(paths.map((x) => x.path)).map((g) => g.length));
  if (largestGroup * Math.max(1, methods.length) > MAX_MATCHES_PER_RULE * MAX_RULES) skip(p, `paths × methods give more than ${MAX_MATCHES_PER_RULE * MAX_RULES} matches for one HTTPRoute`);
  if (!servable) return undefined;

  const parents: JsonObject[] = [];
  if (wantsPlain) parents.push({ name: '$gateway', sectionName: HTTP_LISTENER });
  for (const l of tlsListeners) parents.push({ name: '$gateway', sectionName: l.sectionName });
  const redirectStatus = getNumber(raw, 'https_redirect_status_code') ?? 426;

  const byIndex = new Map(paths.map((x) => [x.path, x.index] as const));
  const groups: Group[] = [];
  const pathGroupsList = paths.length > 0 ? pathGroups(paths.map((x) => x.path)) : [[]];
  for (const group of pathGroupsList) {
    const priority = kongPriority({ snis: snis.length, methods: methods.length, hosts: hosts.map((h) => h.host), headers: headers.length, paths: group, regexPriority });
    for (const hostChunk of chunks(hosts, MAX_HOSTNAMES)) {
      groups.push({ name: names.allocate('HTTPRoute', plan.name), paths: group, pathIndexes: group.map((g) => byIndex.get(g) ?? 0), hostnames: hostChunk, priority });
    }
  }
  return {
    plan,
    groups,
    methods,
    headers,
    parents,
    ...(wantsTls && !wantsPlain ? { redirect: { status: redirectStatus } } : {}),
    stripPath: getBoolean(raw, 'strip_path') ?? true,
    preserveHost: getBoolean(raw, 'preserve_host') ?? false,
  };
}

function matchesOf(shape: RouteShape, group: Group): { match: JsonObject; pathIndex?: number; methodIndex?: number }[] {
  const out: { match: JsonObject; pathIndex?: number; methodIndex?: number }[] = [];
  const paths = group.paths.length > 0 ? group.paths.map((path, i) => ({ path, index: group.pathIndexes[i] })) : [{ path: undefined, index: undefined }];
  const methods = shape.methods.length > 0 ? shape.methods : [{ method: undefined, index: undefined }];
  for (const { path, index } of paths) {
    for (const m of methods) {
      const match: JsonObject = {};
      if (path !== undefined) match['path'] = path === '/' ? { type: 'PathPrefix', value: '/' } : { type: 'RegularExpression', value: pathMatchRegex(path) };
      if (m.method !== undefined) match['method'] = m.method;
      if (shape.headers.length > 0) match['headers'] = [...shape.headers];
      out.push({ match, ...(index !== undefined ? { pathIndex: index } : {}), ...(m.index !== undefined ? { methodIndex: m.index } : {}) });
    }
  }
  return out;
}

/**
 * The upstream path Kong builds (path_handling v0): service.path joined to what is left after
 * strip_path removed the matched prefix or regex match. Undefined when the path goes up unchanged.
 */
function pathRewrite(shape: RouteShape, group: Group, service: ServicePlan | undefined, replaceUri: string | undefined): JsonObject | undefined {
  if (replaceUri !== undefined) return { type: 'ReplaceRegexMatch', replaceRegexMatch: { pattern: '^.*$', substitution: literalSubstitution(replaceUri) } };
  const base = service?.basePath?.replace(/\/+$/, '') ?? '';
  const onlyRoot = group.paths.length === 0 || group.paths.every((x) => x === '/');
  if (shape.stripPath && !(onlyRoot && base === '')) {
    return { type: 'ReplaceRegexMatch', replaceRegexMatch: { pattern: stripPattern(group.paths), substitution: literalSubstitution(`${base}/`) } };
  }
  if (!shape.stripPath && base !== '') return { type: 'ReplaceRegexMatch', replaceRegexMatch: { pattern: '^/', substitution: literalSubstitution(`${base}/`) } };
  return undefined;
}

export function planRoutes(services: ReadonlyMap<KongService, ServicePlan>, routes: readonly KongRoute[], https: readonly HttpsListener[], names: NameAllocator, problems: Problems): RouteOutputs {
  const shapes: RouteShape[] = [];
  const plans: RoutePlan[] = [];
  for (const route of routes) {
    if (route.service && !services.has(route.service)) continue; // disabled or unusable service: reported there
    const service = route.service ? services.get(route.service) : undefined;
    const protocols = getStrings(route.raw, 'protocols').length > 0 ? getStrings(route.raw, 'protocols').map((s) => s.toLowerCase()) : ['http', 'https'];
    const fallback = `${service ? service.name : 'route'}-route-${route.service ? route.service.routes.indexOf(route) : route.index}`;
    const plan: RoutePlan = { route, ...(service ? { service } : {}), name: objectNameOf(getString(route.raw, 'name'), fallback), serving: [], redirects: [], protocols };
    const shape = shapeOf(route, plan, https, names, problems);
    if (!shape) continue;
    if (shape.parents.length > 0) plan.serving.push(...shape.groups.map((g) => g.name));
    if (shape.redirect) for (const g of shape.groups) plan.redirects.push(names.allocate('HTTPRoute', `${g.name}-https-redirect`));
    if (!service) problems.warn(route.path, 'the route has no service: it answers 503');
    shapes.push(shape);
    plans.push(plan);
  }
  return {
    plans,
    emit: (output, gatewayName, extrasOf) => {
      for (const shape of shapes) emitRoute(output, gatewayName, shape, extrasOf(shape.plan));
    },
  };
}

function directResponseFilter(output: Output, name: string, source: string, status: number, body: string): JsonObject {
  output.add(MESHGATE_API, 'HTTPRouteFilter', name, source, { spec: { directResponse: { statusCode: status, body, contentType: 'application/json' } } });
  return { type: 'ExtensionRef', extensionRef: { group: MESHGATE_GROUP, kind: 'HTTPRouteFilter', name } };
}

function emitRoute(output: Output, gatewayName: string, shape: RouteShape, extras: RouteExtras): void {
  const { plan } = shape;
  const route = plan.route;
  const service = plan.service;
  const parents = shape.parents.map((p) => ({ ...p, name: gatewayName }));
  shape.groups.forEach((group, g) => {
    const matches = matchesOf(shape, group);
    const annotations = { [PRIORITY_ANNOTATION]: String(group.priority) };
    const hostnames = group.hostnames.map((h) => h.host);
    const mapCommon = (name: string, matchList: typeof matches): void => {
      group.hostnames.forEach((h, i) => output.mapField('HTTPRoute', name, `spec.hostnames[${i}]`, at(route.path, `hosts[${h.index}]`)));
      chunks(matchList, MAX_MATCHES_PER_RULE).forEach((chunk, r) =>
        chunk.forEach((m, i) => {
          const base = `spec.rules[${r}].matches[${i}]`;
          if (m.pathIndex !== undefined) output.mapField('HTTPRoute', name, `${base}.path`, at(route.path, `paths[${m.pathIndex}]`));
          if (m.methodIndex !== undefined) output.mapField('HTTPRoute', name, `${base}.method`, at(route.path, `methods[${m.methodIndex}]`));
          output.mapField('HTTPRoute', name, `${base}.headers`, at(route.path, 'headers'));
        }),
      );
    };
    const ruleChunks = chunks(matches, MAX_MATCHES_PER_RULE);
    if (ruleChunks.length > MAX_RULES) throw new Error('unreachable: more than 1024 matches are refused before emission');

    if (plan.serving.includes(group.name)) {
      const filters: JsonObject[] = [];
      let backendRefs: JsonObject[] = [];
      if (!service || service.unavailable) {
        const message = service ? 'failure to get a peer from the ring-balancer' : 'no Service found with those values';
        filters.push(directResponseFilter(output, `${group.name}-unavailable`, route.path, 503, JSON.stringify({ message })));
      } else {
        backendRefs = service.backends.map((b) => backendRef(b.name, service.backends.length > 1 ? b.weight : undefined));
        const path = pathRewrite(shape, group, service, extras.replaceUri);
        const hostname = shape.preserveHost ? undefined : service.upstreamHost;
        if (path || hostname) {
          const filterName = `${group.name}-rewrite`;
          output.add(MESHGATE_API, 'HTTPRouteFilter', filterName, route.path, { spec: { urlRewrite: { ...(path ? { path } : {}), ...(hostname ? { hostname } : {}) } } });
          output.mapField('HTTPRouteFilter', filterName, 'spec.urlRewrite.path', at(route.path, extras.replaceUri !== undefined ? 'plugins' : 'strip_path'));
          output.mapField('HTTPRouteFilter', filterName, 'spec.urlRewrite.hostname', at(route.path, 'preserve_host'));
          filters.push({ type: 'ExtensionRef', extensionRef: { group: MESHGATE_GROUP, kind: 'HTTPRouteFilter', name: filterName } });
        }
        filters.push(...extras.filters);
      }
      const rules = ruleChunks.map((chunk) => ({
        matches: chunk.map((m) => m.match),
        ...(filters.length > 0 ? { filters } : {}),
        ...(backendRefs.length > 0 ? { backendRefs } : {}),
      }));
      output.add(GATEWAY_API_V1, 'HTTPRoute', group.name, route.path, { spec: { parentRefs: parents, ...(hostnames.length > 0 ? { hostnames } : {}), rules } }, { annotations });
      mapCommon(group.name, matches);
      rules.forEach((_, r) => {
        output.mapField('HTTPRoute', group.name, `spec.rules[${r}].backendRefs`, at(route.path, 'service'));
        output.mapField('HTTPRoute', group.name, `spec.rules[${r}].filters`, route.path);
      });
    }
    if (shape.redirect) {
      const name = plan.redirects[g]!;
      const status = shape.redirect.status;
      const filters: JsonObject[] =
        status === 426
          ? [directResponseFilter(output, name, route.path, 426, HTTPS_MESSAGE), { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'Upgrade', value: 'TLS/1.2, HTTP/1.1' }] } }]
          : [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: status } }];
      const rules = ruleChunks.map((chunk) => ({ matches: chunk.map((m) => m.match), filters }));
      output.add(GATEWAY_API_V1, 'HTTPRoute', name, route.path, { spec: { parentRefs: [{ name: gatewayName, sectionName: HTTP_LISTENER }], ...(hostnames.length > 0 ? { hostnames } : {}), rules } }, { annotations });
      mapCommon(name, matches);
      output.mapField('HTTPRoute', name, 'spec.rules', at(route.path, 'https_redirect_status_code'));
    }
  });
}
