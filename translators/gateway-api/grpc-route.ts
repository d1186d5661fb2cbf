// GRPCRoute → compiled rules: service/method and header matches, header modifiers, mirrors,
// ExtensionRef filters and weighted backends (spoken to over HTTP/2).
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import type { Mirror } from '../../src/ir/route';
import { getObject, getObjects, getString, getStrings, has } from '../core/json';
import type { CompiledMatch, CompiledRoute, CompiledRule } from './compiled-route';
import { grpcMatch } from './route-matches';
import { headerMutation, RefProblems, resolveBackendRefs, resolveExtension, resolveMirror, type RouteCompileContext } from './route-rules';

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
    const badBackendFilter = getObjects(rule, 'backendRefs')
      .flatMap((b) => getObjects(b, 'filters'))
      .find((f) => getString(f, 'type') !== 'RequestHeaderModifier');
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
    const filters = getObjects(rule, 'filters');
    const byType = (type: string): JsonObject | undefined => filters.find((f) => getString(f, 'type') === type);
    const mirrors: Mirror[] = [];
    for (const f of filters.filter((x) => getString(x, 'type') === 'RequestMirror')) {
      const m = resolveMirror(doc, getObject(f, 'requestMirror') ?? {}, true, ctx, problems);
      if (m) {
        mirrors.push(m.mirror);
        addCluster(m.cluster);
      }
    }
    const extensionPolicies: InputDocument[] = [];
    let extensionFailed = false;
    for (const f of filters.filter((x) => getString(x, 'type') === 'ExtensionRef')) {
      const p = resolveExtension(doc, getObject(f, 'extensionRef') ?? {}, ctx, problems);
      if (p) extensionPolicies.push(p);
      else extensionFailed = true;
    }
    const resolved = resolveBackendRefs(doc, getObjects(rule, 'backendRefs'), true, ctx, problems, (ref) =>
      headerMutation(getObject(getObjects(ref, 'filters').find((f) => getString(f, 'type') === 'RequestHeaderModifier'), 'requestHeaderModifier')),
    );
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
  return {
    doc,
    kind: 'GRPCRoute',
    hostnames: getStrings(doc.spec, 'hostnames'),
    rules: compiled,
    resolvedRefs: problems.condition(),
    droppedRules: dropped,
    unusable: compiled.length === 0,
    usesUnresolvedCluster: usesUnresolved,
  };
}
