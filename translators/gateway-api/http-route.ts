// HTTPRoute → compiled rules: matches, filters (header modifiers, redirect, URL rewrite, mirrors,
// CORS, external auth, ExtensionRef), backends with weights, timeouts and retries.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import type { ExtAuthzPolicy } from '../../src/ir/policy';
import type { RetryPolicy, Rewrite } from '../../src/ir/route';
import { parseDurationMs } from '../core/durations';
import { namespaceOf } from '../core/documents';
import { getArray, getNumber, getObject, getObjects, getString, getStrings, has } from '../core/json';
import { GATEWAY_GROUP } from '../core/kinds';
import { DEFAULT_RETRY_ON } from '../meshgate/traffic-policy';
import { compiledRoute, type CompiledMatch, type CompiledRoute, type CompiledRule } from './compiled-route';
import { corsPolicy } from './cors';
import { httpMatch } from './route-matches';
import { combineRuleFilters, warnUnusedForDirectResponse, type GatewayRuleFilters, type RuleFilterSource } from './route-filters';
import { headerMutation, RefProblems, resolveCommonRuleParts, unsupportedBackendFilter, type RouteCompileContext } from './route-rules';

const DEFAULT_EXT_AUTH_TIMEOUT_MS = 10_000;

function rewriteOf(filter: JsonObject | undefined): Rewrite | undefined {
  if (!filter) return undefined;
  const path = getObject(filter, 'path');
  const host = getString(filter, 'hostname');
  const type = getString(path, 'type');
  const rewritePath: Rewrite['path'] =
    type === 'ReplaceFullPath'
      ? { type: 'ReplaceFullPath', value: getString(path, 'replaceFullPath') ?? '/' }
      : type === 'ReplacePrefixMatch'
        ? { type: 'ReplacePrefixMatch', value: getString(path, 'replacePrefixMatch') ?? '' }
        : undefined;
  if (!rewritePath && host === undefined) return undefined;
  return { ...(rewritePath ? { path: rewritePath } : {}), ...(host !== undefined ? { host } : {}) };
}

/** rules[].timeouts and rules[].retry (Gateway API semantics; "0s" disables the request timeout). */
export function timeoutsAndRetry(rule: JsonObject): { timeoutMs?: number; retry?: RetryPolicy } {
  const t = getObject(rule, 'timeouts');
  const request = parseDurationMs(getString(t, 'request') ?? '');
  const backend = parseDurationMs(getString(t, 'backendRequest') ?? '');
  const r = getObject(rule, 'retry');
  let retry: RetryPolicy | undefined;
  if (r && (getNumber(r, 'attempts') ?? 1) > 0) {
    const codes = getArray(r, 'codes').filter((c): c is number => typeof c === 'number');
    const backoff = parseDurationMs(getString(r, 'backoff') ?? '');
    retry = {
      attempts: getNumber(r, 'attempts') ?? 1,
      retryOn: codes.length > 0 ? [...DEFAULT_RETRY_ON, 'retriable-status-codes'] : [...DEFAULT_RETRY_ON],
      ...(codes.length > 0 ? { retriableStatusCodes: codes } : {}),
      ...(backend !== undefined && backend > 0 ? { perTryTimeoutMs: backend } : {}),
      ...(backoff !== undefined && backoff > 0 ? { backoff: { baseIntervalMs: backoff } } : {}),
    };
  }
  // Without retries one backend request is the whole request, so backendRequest bounds it.
  const timeoutMs = request ?? (retry ? undefined : backend);
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(retry ? { retry } : {}) };
}

function externalAuth(route: InputDocument, filter: JsonObject, ctx: RouteCompileContext, problems: RefProblems): { policy?: ExtAuthzPolicy; cluster?: Cluster; warning?: string } {
  const grpc = getString(filter, 'protocol') === 'GRPC';
  const r = ctx.backends.resolve({ group: GATEWAY_GROUP, kind: route.kind, namespace: namespaceOf(route) }, getObject(filter, 'backendRef') ?? {}, grpc);
  if (!r.ok) {
    problems.add(r.reason, `externalAuth: ${r.message}`);
    return {};
  }
  const cfg = getObject(filter, grpc ? 'grpc' : 'http');
  const headers = getStrings(cfg, 'allowedHeaders').map((h) => h.toLowerCase());
  const path = getString(getObject(filter, 'http'), 'path');
  const forwardBody = getNumber(getObject(filter, 'forwardBody'), 'maxSize') ?? 0;
  return {
    cluster: r.cluster,
    policy: {
      cluster: r.cluster.name,
      protocol: grpc ? 'grpc' : 'http',
      ...(path !== undefined && path !== '' ? { pathPrefix: path } : {}),
      timeoutMs: DEFAULT_EXT_AUTH_TIMEOUT_MS,
      // Gateway API: problems talking to the auth service must fail closed.
      failOpen: false,
      ...(headers.length > 0 ? { allowedHeaders: headers } : {}),
    },
    ...(forwardBody > 0 ? { warning: 'externalAuth.forwardBody is not supported: the request body is not sent to the auth service' } : {}),
  };
}

/** The rule's Gateway API filters that an HTTPRouteFilter could also set, with where they are. */
function gatewayFilters(rule: JsonObject): GatewayRuleFilters {
  const filters = getObjects(rule, 'filters');
  const at = (type: string): number => filters.findIndex((f) => getString(f, 'type') === type);
  const source = (type: string): RuleFilterSource => ({ label: `the rule's ${type} filter`, filterIndex: at(type) });
  const request = headerMutation(getObject(filters[at('RequestHeaderModifier')], 'requestHeaderModifier'));
  const response = headerMutation(getObject(filters[at('ResponseHeaderModifier')], 'responseHeaderModifier'));
  const rewrite = rewriteOf(getObject(filters[at('URLRewrite')], 'urlRewrite'));
  return {
    ...(request ? { requestHeaders: { mutation: request, source: source('RequestHeaderModifier') } } : {}),
    ...(response ? { responseHeaders: { mutation: response, source: source('ResponseHeaderModifier') } } : {}),
    ...(rewrite ? { rewrite: { rewrite, source: source('URLRewrite') } } : {}),
    ...(at('RequestRedirect') >= 0 ? { redirect: source('RequestRedirect') } : {}),
  };
}

export function compileHttpRoute(doc: InputDocument, ctx: RouteCompileContext, warn: (message: string) => void): CompiledRoute {
  const problems = new RefProblems();
  const specRules = getObjects(doc.spec, 'rules');
  const rules = specRules.length > 0 ? specRules : [{}];
  const compiled: CompiledRule[] = [];
  const dropped: string[] = [];
  const errors: { path: string; reason: string }[] = [];
  let usesUnresolved = false;
  rules.forEach((rule, i) => {
    const clusters: Cluster[] = [];
    const addCluster = (c: Cluster): void => {
      if (!clusters.some((x) => x.name === c.name)) clusters.push(c);
    };
    const ruleName = getString(rule, 'name');
    const label = ruleName !== undefined ? `${i} (${ruleName})` : `${i}`;
    const badBackendFilter = unsupportedBackendFilter(rule);
    if (badBackendFilter) {
      dropped.push(`Dropped Rule ${label}: ${getString(badBackendFilter, 'type')} filters on a backendRef are not supported (only RequestHeaderModifier)`);
      return;
    }
    const matchSpecs = getObjects(rule, 'matches');
    const matches: CompiledMatch[] = (matchSpecs.length > 0 ? matchSpecs : [undefined]).map((m, j) => ({ match: httpMatch(m), matchIndex: j }));
    const { byType, mirrors, extensionPolicies, routeFilters, extensionFailed, backends: resolved } = resolveCommonRuleParts(doc, rule, false, ctx, problems, addCluster);
    const ext = byType('ExternalAuth');
    const auth = ext ? externalAuth(doc, getObject(ext, 'externalAuth') ?? {}, ctx, problems) : {};
    if (auth.cluster) addCluster(auth.cluster);
    if (auth.warning) warn(auth.warning);
    const redirect = getObject(byType('RequestRedirect'), 'requestRedirect');
    if (has(rule, 'sessionPersistence')) warn(`rules[${i}].sessionPersistence is not supported and is ignored`);
    const combined = combineRuleFilters(gatewayFilters(rule), routeFilters);
    combined.errors.forEach((e) => errors.push({ path: `spec.rules[${i}].filters[${e.filterIndex}]`, reason: e.reason }));
    const { requestHeaders, responseHeaders, rewrite, directResponse } = combined;
    const answersItself = redirect !== undefined || directResponse !== undefined;
    if (directResponse) warnUnusedForDirectResponse(rule, i, mirrors.length > 0, warn);
    if (!answersItself) resolved.clusters.forEach(addCluster);
    usesUnresolved ||= !answersItself && resolved.usesUnresolved;
    const cors = byType('CORS');
    const failStatus = extensionFailed || combined.errors.length > 0 || (ext && !auth.policy) || (!answersItself && resolved.failStatus) ? 500 : undefined;
    compiled.push({
      index: i,
      ...(ruleName !== undefined ? { name: ruleName } : {}),
      matches,
      ...(requestHeaders ? { requestHeaders } : {}),
      ...(responseHeaders ? { responseHeaders } : {}),
      ...(redirect ? { redirect } : {}),
      ...(rewrite && !directResponse ? { rewrite } : {}),
      ...(directResponse ? { directResponse } : {}),
      mirrors: directResponse ? [] : mirrors,
      ...(cors ? { cors: corsPolicy(getObject(cors, 'cors') ?? {}) } : {}),
      ...(auth.policy ? { extAuthz: auth.policy } : {}),
      extensionPolicies,
      backends: answersItself ? [] : resolved.backends,
      backendDocs: answersItself ? [] : resolved.backendDocs,
      ...(failStatus ? { failStatus } : {}),
      ...timeoutsAndRetry(rule),
      clusters: failStatus ? [] : clusters,
    });
  });
  return compiledRoute(doc, 'HTTPRoute', compiled, problems.condition(), dropped, usesUnresolved, errors);
}
