// GRPCRoute → compiled rules: service/method and header matches, header modifiers, mirrors,
// ExtensionRef filters and weighted backends (spoken to over HTTP/2).
import type { InputDocument } from '../../src/documents/types';
import type { Cluster } from '../../src/ir/cluster';
import { getObject, getObjects, getString, has } from '../core/json';
import { compiledRoute, type CompiledMatch, type CompiledRoute, type CompiledRule } from './compiled-route';
import { grpcMatch } from './route-matches';
import { headerMutation, RefProblems, resolveCommonRuleParts, unsupportedBackendFilter, type RouteCompileContext } from './route-rules';

export function compileGrpcRoute(doc: InputDocument, ctx: RouteCompileContext, warn: (message: string) => void): CompiledRoute {
  const problems = new RefProblems();
  const specRules = getObjects(doc.spec, 'rules');
  const rules = specRules.length > 0 ? specRules : [{}];
  const compiled: CompiledRule[] = [];
  const dropped: string[] = [];
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
    const { byType, mirrors, extensionPolicies, extensionFailed, backends: resolved } = resolveCommonRuleParts(doc, rule, true, ctx, problems, addCluster);
    resolved.clusters.forEach(addCluster);
    usesUnresolved ||= resolved.usesUnresolved;
    if (has(rule, 'sessionPersistence')) warn(`rules[${i}].sessionPersistence is not supported and is ignored`);
    const requestHeaders = headerMutation(getObject(byType('RequestHeaderModifier'), 'requestHeaderModifier'));
    const responseHeaders = headerMutation(getObject(byType('ResponseHeaderModifier'), 'responseHeaderModifier'));
    // Gateway API: gRPC requests that cannot be routed get UNAVAILABLE, which is what a 503 maps to.
    const failStatus = extensionFailed || resolved.failStatus ? 503 : undefined;
    compiled.push({
      index: i,
      ...(ruleName !== undefined ? { name: ruleName } : {}),
      matches,
      ...(requestHeaders ? { requestHeaders } : {}),
      ...(responseHeaders ? { responseHeaders } : {}),
      mirrors,
      extensionPolicies,
      backends: resolved.backends,
      backendDocs: resolved.backendDocs,
      ...(failStatus ? { failStatus } : {}),
      clusters: failStatus ? [] : clusters,
    });
  });
  return compiledRoute(doc, 'GRPCRoute', compiled, problems.condition(), dropped, usesUnresolved);
}
