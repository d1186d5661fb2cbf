// GRPCRoute → compiled rules: service/method and header matches, header modifiers, mirrors,
// ExtensionRef filters and weighted backends (spoken to over HTTP/2).
import type { InputDocument } from '../../src/documents/types';
import type { Cluster } from '../../src/ir/cluster';
import { documentKey } from '../core/documents';
import { getObject, getObjects, getString, has } from '../core/json';
import { combineRuleFilters, warnUnusedForDirectResponse, type GatewayRuleFilters } from './route-filters';
import { compiledRoute, type CompiledMatch, type CompiledRoute, type CompiledRule } from './compiled-route';
import { grpcMatch } from './route-matches';
import { headerMutation, RefProblems, resolveCommonRuleParts, unsupportedBackendFilter, type RouteCompileContext } from './route-rules';

export function compileGrpcRoute(doc: InputDocument, ctx: RouteCompileContext, warn: (message: string) => void): CompiledRoute {
  const problems = new RefProblems();
  const specRules = getObjects(doc.spec, 'rules');
  const rules = specRules.length > 0 ? specRules : [{}];
  const compiled: CompiledRule[] = [];
  const dropped: string[] = [];
  const errors: { path: string; reason: string }[] = [];
  let usesUnresolved = false;
  rules.forEach((rule, i) => {
    const ruleName = getString(rule, 'name');
    const label = ruleName !== undefined ? `${i} (${ruleName})` : `${i}`;
    const badBackendFilter = unsupportedBackendFilter(rule);
    if (badBackendFilter) {
      dropped.push(`Dropped Rule ${label}: ${getString(badBackendFilter, 'type')} filters on a backendRef are not supported (only RequestHeaderModifier)`);
      return;
    }
    const clusters: Cluster[] = [];
    const addCluster = (c: Cluster): void => {
      if (!clusters.some((x) => x.name === c.name)) clusters.push(c);
    };
    const matchSpecs = getObjects(rule, 'matches');
    const matches: CompiledMatch[] = (matchSpecs.length > 0 ? matchSpecs : [undefined]).map((m, j) => ({ match: grpcMatch(m), matchIndex: j }));
    const { mirrors, extensionPolicies, routeFilters, extensionFailed, backends: resolved } = resolveCommonRuleParts(doc, rule, true, ctx, problems, addCluster);
    if (has(rule, 'sessionPersistence')) warn(`rules[${i}].sessionPersistence is not supported and is ignored`);
    const filters = getObjects(rule, 'filters');
    const at = (type: string): number => filters.findIndex((f) => getString(f, 'type') === type);
    const request = headerMutation(getObject(filters[at('RequestHeaderModifier')], 'requestHeaderModifier'));
    const response = headerMutation(getObject(filters[at('ResponseHeaderModifier')], 'responseHeaderModifier'));
    const gateway: GatewayRuleFilters = {
      ...(request ? { requestHeaders: { mutation: request, source: { label: "the rule's RequestHeaderModifier filter", filterIndex: at('RequestHeaderModifier') } } } : {}),
      ...(response ? { responseHeaders: { mutation: response, source: { label: "the rule's ResponseHeaderModifier filter", filterIndex: at('ResponseHeaderModifier') } } } : {}),
    };
    const combined = combineRuleFilters(gateway, routeFilters);
    combined.errors.forEach((e) => errors.push({ path: `spec.rules[${i}].filters[${e.filterIndex}]`, reason: e.reason }));
    // The gRPC method is the path: rewriting it would call another method.
    for (const { settings, filterIndex } of routeFilters) {
      if (settings.pathRegex) errors.push({ path: `spec.rules[${i}].filters[${filterIndex}]`, reason: `HTTPRouteFilter ${documentKey(settings.doc)}: urlRewrite.path cannot be used on a GRPCRoute (the path names the gRPC method)` });
    }
    const { requestHeaders, responseHeaders, directResponse } = combined;
    const hostRewrite = combined.rewrite?.host;
    if (directResponse) warnUnusedForDirectResponse(rule, i, mirrors.length > 0, warn);
    else resolved.clusters.forEach(addCluster);
    usesUnresolved ||= !directResponse && resolved.usesUnresolved;
    const ruleErrors = errors.some((e) => e.path.startsWith(`spec.rules[${i}].`));
    // Gateway API: gRPC requests that cannot be routed get UNAVAILABLE, which is what a 503 maps to.
    const failStatus = extensionFailed || ruleErrors || (!directResponse && resolved.failStatus) ? 503 : undefined;
    compiled.push({
      index: i,
      ...(ruleName !== undefined ? { name: ruleName } : {}),
      matches,
      ...(requestHeaders ? { requestHeaders } : {}),
      ...(responseHeaders ? { responseHeaders } : {}),
      ...(hostRewrite !== undefined && !directResponse ? { rewrite: { host: hostRewrite } } : {}),
      ...(directResponse ? { directResponse } : {}),
      mirrors: directResponse ? [] : mirrors,
      extensionPolicies,
      backends: directResponse ? [] : resolved.backends,
      backendDocs: directResponse ? [] : resolved.backendDocs,
      ...(failStatus ? { failStatus } : {}),
      clusters: failStatus ? [] : clusters,
    });
  });
  return compiledRoute(doc, 'GRPCRoute', compiled, problems.condition(), dropped, usesUnresolved, errors);
}
