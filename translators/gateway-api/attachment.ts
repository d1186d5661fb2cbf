// Route attachment (Gateway API): a parentRef selects a Gateway (namespace defaults to the
// route's), optionally one listener (sectionName) and/or port; a listener takes the route when
// its allowedRoutes admit the route's namespace and kind and the hostnames intersect. The result
// is the per-parent status and, for accepted parents, the hostnames served on each listener.
import type { InputDocument, StatusCondition } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { DocumentIndex, keyOf, namespaceOf } from '../core/documents';
import { intersectHostnames } from '../core/hostnames';
import { getNumber, getObject, getObjects, getString } from '../core/json';
import { GATEWAY_GROUP } from '../core/kinds';
import { selectorMatches } from '../core/label-selector';
import { condition, type ParentStatus, type ParentStatusRef } from '../core/status';
import type { CompiledRoute } from './compiled-route';
import type { ListenerPlan } from './listeners';

export interface GatewayPlan {
  readonly doc: InputDocument;
  readonly listeners: readonly ListenerPlan[];
  /**
   * Routes accepted per listener name, each with its hostnames as served on that listener
   * (the intersection with the listener's hostname; "*" for any).
   */
  readonly attached: Map<string, Map<CompiledRoute, readonly string[]>>;
}

/** Gateways by "namespace/name": served ones with their plan, or the reason they are not served. */
export type GatewayLookup = ReadonlyMap<string, GatewayPlan | { readonly notServed: string }>;

function admitsNamespace(listener: ListenerPlan, gateway: InputDocument, routeNamespace: string, index: DocumentIndex): boolean {
  const ns = getObject(getObject(listener.spec, 'allowedRoutes'), 'namespaces');
  const from = getString(ns, 'from') ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNamespace === namespaceOf(gateway);
  return selectorMatches(getObject(ns, 'selector') ?? {}, index.namespaceLabels(routeNamespace));
}

function parentRefOf(ref: JsonObject, routeNamespace: string): ParentStatusRef {
  const section = getString(ref, 'sectionName');
  const port = getNumber(ref, 'port');
  return {
    kind: getString(ref, 'kind') ?? 'Gateway',
    namespace: getString(ref, 'namespace') ?? routeNamespace,
    name: getString(ref, 'name') ?? '',
    ...(section !== undefined ? { sectionName: section } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

function rejected(parentRef: ParentStatusRef, route: CompiledRoute, reason: string, message: string): ParentStatus {
  return {
    parentRef,
    conditions: [condition('Accepted', false, reason, message), route.resolvedRefs, condition('Programmed', false, 'NotAccepted', `Not programmed: ${message}`)],
  };
}

/** Attach one route to its parents; records accepted attachments in the gateway plans. */
export function attachRoute(route: CompiledRoute, gateways: GatewayLookup, index: DocumentIndex): ParentStatus[] {
  const routeNs = namespaceOf(route.doc);
  return getObjects(route.doc.spec, 'parentRefs').map((ref): ParentStatus => {
    const parentRef = parentRefOf(ref, routeNs);
    const group = getString(ref, 'group') ?? GATEWAY_GROUP;
    if (group !== GATEWAY_GROUP || parentRef.kind !== 'Gateway') {
      return rejected(parentRef, route, 'NoMatchingParent', `parent ${group}/${parentRef.kind} is not supported: meshgate attaches routes to Gateways`);
    }
    const gw = gateways.get(keyOf(parentRef.namespace, parentRef.name));
    if (!gw) return rejected(parentRef, route, 'NoMatchingParent', `Gateway ${parentRef.namespace}/${parentRef.name} does not exist`);
    if ('notServed' in gw) return rejected(parentRef, route, 'NoMatchingParent', gw.notServed);
    const candidates = gw.listeners.filter(
      (l) => (parentRef.sectionName === undefined || l.name === parentRef.sectionName) && (parentRef.port === undefined || l.port === parentRef.port),
    );
    if (candidates.length === 0) {
      const what = [parentRef.sectionName !== undefined ? `named ${parentRef.sectionName}` : '', parentRef.port !== undefined ? `on port ${parentRef.port}` : ''].filter(Boolean).join(' and ');
      return rejected(parentRef, route, 'NoMatchingParent', `Gateway ${parentRef.namespace}/${parentRef.name} has no listener ${what}`);
    }
    const allowed = candidates.filter((l) => l.supportedKinds.some((k) => k.kind === route.kind) && admitsNamespace(l, gw.doc, routeNs, index));
    if (allowed.length === 0) {
      return rejected(parentRef, route, 'NotAllowedByListeners', `no listener of Gateway ${parentRef.namespace}/${parentRef.name} allows ${route.kind}s from namespace ${routeNs}`);
    }
    const matching = allowed.map((l) => ({ l, hostnames: intersectHostnames(l.hostname, route.hostnames) })).filter((x) => x.hostnames.length > 0);
    if (matching.length === 0) {
      return rejected(parentRef, route, 'NoMatchingListenerHostname', `none of the route's hostnames (${route.hostnames.join(', ')}) matches a listener hostname of Gateway ${parentRef.namespace}/${parentRef.name}`);
    }
    if (route.unusable) {
      return rejected(parentRef, route, 'UnsupportedValue', `no rule can be used: ${route.droppedRules.join('; ')}`);
    }
    for (const { l, hostnames } of matching) {
      let routes = gw.attached.get(l.name);
      if (!routes) gw.attached.set(l.name, (routes = new Map()));
      // Two parentRefs selecting the same listener: serve the union of their hostnames.
      const before = routes.get(route);
      routes.set(route, before ? [...new Set([...before, ...hostnames])] : hostnames);
    }
    const programmedOn = matching.filter((x) => x.l.programmable).map((x) => x.l.name);
    const conditions: StatusCondition[] = [condition('Accepted', true, 'Accepted', `Accepted by listeners ${matching.map((x) => x.l.name).join(', ')}`), route.resolvedRefs];
    if (route.droppedRules.length > 0) conditions.push(condition('PartiallyInvalid', true, 'UnsupportedValue', route.droppedRules.join('; ')));
    conditions.push(
      programmedOn.length > 0
        ? condition('Programmed', true, 'Programmed', `Programmed on listeners ${programmedOn.join(', ')}`)
        : condition('Programmed', false, 'Invalid', 'The listeners that accepted the route are not programmed (see the Gateway status)'),
    );
    return { parentRef, conditions };
  });
}
