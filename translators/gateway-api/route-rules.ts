// Pieces shared by HTTPRoute and GRPCRoute rules: header modifiers, backendRefs with weights,
// mirrors, ExtensionRef filters, and the ResolvedRefs problems they raise.
import type { InputDocument, StatusCondition } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import type { HeaderMutation, Mirror, WeightedBackend } from '../../src/ir/route';
import type { BackendResolver } from '../backends';
import { DocumentIndex, namespaceOf } from '../core/documents';
import { getNumber, getObject, getObjects, getString, getStrings } from '../core/json';
import { GATEWAY_GROUP, MESHGATE_GROUP } from '../core/kinds';
import { UNRESOLVED_BACKEND_CLUSTER } from '../core/names';
import { condition } from '../core/status';
import { routeFilterSettings, type RouteFilterSettings } from '../meshgate/http-route-filter';

export interface RouteCompileContext {
  readonly index: DocumentIndex;
  readonly backends: BackendResolver;
}

/** ResolvedRefs problems of one route; the first reason is reported, every message is kept. */
export class RefProblems {
  private readonly list: { reason: string; message: string }[] = [];

  add(reason: string, message: string): void {
    if (!this.list.some((p) => p.message === message)) this.list.push({ reason, message });
  }

  condition(): StatusCondition {
    if (this.list.length === 0) return condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved');
    return condition('ResolvedRefs', false, this.list[0]!.reason, this.list.map((p) => p.message).join('; '));
  }
}

/** HTTPHeaderFilter → IR HeaderMutation (lower-case names; set overwrites, add appends). */
export function headerMutation(filter: JsonObject | undefined): HeaderMutation | undefined {
  if (!filter) return undefined;
  const pairs = (key: string): { name: string; value: string }[] =>
    getObjects(filter, key).map((h) => ({ name: (getString(h, 'name') ?? '').toLowerCase(), value: getString(h, 'value') ?? '' }));
  const set = pairs('set');
  const add = pairs('add');
  const remove = getStrings(filter, 'remove').map((r) => r.toLowerCase());
  if (set.length === 0 && add.length === 0 && remove.length === 0) return undefined;
  return { ...(set.length > 0 ? { set } : {}), ...(add.length > 0 ? { add } : {}), ...(remove.length > 0 ? { remove } : {}) };
}

function routeEnd(route: InputDocument): { group: string; kind: string; namespace: string } {
  return { group: GATEWAY_GROUP, kind: route.kind, namespace: namespaceOf(route) };
}

export interface ResolvedBackends {
  readonly backends: WeightedBackend[];
  readonly backendDocs: InputDocument[];
  readonly clusters: Cluster[];
  readonly failStatus?: 500;
  readonly usesUnresolved: boolean;
}

/**
 * backendRefs → weighted clusters. Gateway API: weight defaults to 1; a reference that does not
 * resolve keeps its share of traffic, which must fail (here: a cluster without endpoints); when
 * nothing resolves, or every weight is 0, or there are no backendRefs, the rule answers 500.
 */
export function resolveBackendRefs(
  route: InputDocument,
  refs: readonly JsonObject[],
  grpc: boolean,
  ctx: RouteCompileContext,
  problems: RefProblems,
  backendHeaders: (ref: JsonObject) => HeaderMutation | undefined,
): ResolvedBackends {
  const backends: WeightedBackend[] = [];
  const backendDocs: InputDocument[] = [];
  const clusters: Cluster[] = [];
  let unresolvedWeight = 0;
  let resolvedCount = 0;
  for (const ref of refs) {
    const weight = getNumber(ref, 'weight') ?? 1;
    const r = ctx.backends.resolve(routeEnd(route), ref, grpc);
    if (!r.ok) {
      problems.add(r.reason, r.message);
      unresolvedWeight += weight;
      continue;
    }
    resolvedCount++;
    const headers = backendHeaders(ref);
    backends.push({ cluster: r.cluster.name, weight, ...(headers ? { requestHeaders: headers } : {}) });
    backendDocs.push(r.backend);
    if (!clusters.some((c) => c.name === r.cluster.name)) clusters.push(r.cluster);
  }
  const total = backends.reduce((n, b) => n + b.weight, 0) + unresolvedWeight;
  if (refs.length === 0 || resolvedCount === 0 || total === 0) return { backends: [], backendDocs, clusters: [], failStatus: 500, usesUnresolved: false };
  if (unresolvedWeight > 0) backends.push({ cluster: UNRESOLVED_BACKEND_CLUSTER, weight: unresolvedWeight });
  return { backends, backendDocs, clusters, usesUnresolved: unresolvedWeight > 0 };
}

/** A RequestMirror filter → IR Mirror; a mirror whose backend does not resolve is left out. */
export function resolveMirror(route: InputDocument, filter: JsonObject, grpc: boolean, ctx: RouteCompileContext, problems: RefProblems): { mirror: Mirror; cluster: Cluster } | undefined {
  const ref = getObject(filter, 'backendRef') ?? {};
  const r = ctx.backends.resolve(routeEnd(route), ref, grpc);
  if (!r.ok) {
    problems.add(r.reason, `mirror: ${r.message}`);
    return undefined;
  }
  const percent = getNumber(filter, 'percent');
  const fraction = getObject(filter, 'fraction');
  const share =
    percent !== undefined ? percent : fraction ? (100 * (getNumber(fraction, 'numerator') ?? 0)) / (getNumber(fraction, 'denominator') ?? 100) : undefined;
  return { mirror: { cluster: r.cluster.name, ...(share !== undefined && share < 100 ? { percent: Number(share.toFixed(4)) } : {}) }, cluster: r.cluster };
}

export const EXTENSION_KINDS = ['SecurityPolicy', 'TrafficPolicy', 'HTTPRouteFilter'];

/** An ExtensionRef filter → the meshgate policy it names (same namespace), or a problem. */
export function resolveExtension(route: InputDocument, ref: JsonObject, ctx: RouteCompileContext, problems: RefProblems): InputDocument | undefined {
  const group = getString(ref, 'group') ?? '';
  const kind = getString(ref, 'kind') ?? '';
  const name = getString(ref, 'name') ?? '';
  if (group !== MESHGATE_GROUP || !EXTENSION_KINDS.includes(kind)) {
    problems.add('InvalidKind', `ExtensionRef to ${group || 'core'}/${kind} is not supported (use ${MESHGATE_GROUP} ${EXTENSION_KINDS.slice(0, -1).join(', ')} or ${EXTENSION_KINDS[EXTENSION_KINDS.length - 1]})`);
    return undefined;
  }
  const doc = ctx.index.get(kind, namespaceOf(route), name);
  if (!doc) problems.add('ExtensionRefNotFound', `ExtensionRef ${kind} ${namespaceOf(route)}/${name} does not exist`);
  return doc;
}

/** The first backendRef filter meshgate cannot apply per backend (only RequestHeaderModifier can be). */
export function unsupportedBackendFilter(rule: JsonObject): JsonObject | undefined {
  return getObjects(rule, 'backendRefs')
    .flatMap((b) => getObjects(b, 'filters'))
    .find((f) => getString(f, 'type') !== 'RequestHeaderModifier');
}

export interface CommonRuleParts {
  /** The rule's filter of a type, if any. */
  readonly byType: (type: string) => JsonObject | undefined;
  readonly mirrors: Mirror[];
  readonly extensionPolicies: InputDocument[];
  /** HTTPRouteFilters named by ExtensionRef filters, with the index of the filter naming them. */
  readonly routeFilters: { readonly settings: RouteFilterSettings; readonly filterIndex: number }[];
  readonly extensionFailed: boolean;
  readonly backends: ReturnType<typeof resolveBackendRefs>;
}

/** What HTTPRoute and GRPCRoute rules share: mirrors, ExtensionRef policies and backends. */
export function resolveCommonRuleParts(
  route: InputDocument,
  rule: JsonObject,
  grpc: boolean,
  ctx: RouteCompileContext,
  problems: RefProblems,
  addCluster: (cluster: Cluster) => void,
): CommonRuleParts {
  const filters = getObjects(rule, 'filters');
  const byType = (type: string): JsonObject | undefined => filters.find((f) => getString(f, 'type') === type);
  const mirrors: Mirror[] = [];
  for (const f of filters.filter((x) => getString(x, 'type') === 'RequestMirror')) {
    const m = resolveMirror(route, getObject(f, 'requestMirror') ?? {}, grpc, ctx, problems);
    if (m) {
      mirrors.push(m.mirror);
      addCluster(m.cluster);
    }
  }
  const extensionPolicies: InputDocument[] = [];
  const routeFilters: { settings: RouteFilterSettings; filterIndex: number }[] = [];
  let extensionFailed = false;
  filters.forEach((f, filterIndex) => {
    if (getString(f, 'type') !== 'ExtensionRef') return;
    const p = resolveExtension(route, getObject(f, 'extensionRef') ?? {}, ctx, problems);
    if (!p) extensionFailed = true;
    else if (p.kind === 'HTTPRouteFilter') routeFilters.push({ settings: routeFilterSettings(p), filterIndex });
    else extensionPolicies.push(p);
  });
  const backends = resolveBackendRefs(route, getObjects(rule, 'backendRefs'), grpc, ctx, problems, (ref) =>
    headerMutation(getObject(getObjects(ref, 'filters').find((f) => getString(f, 'type') === 'RequestHeaderModifier'), 'requestHeaderModifier')),
  );
  return { byType, mirrors, extensionPolicies, routeFilters, extensionFailed, backends };
}
