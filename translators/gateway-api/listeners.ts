// A Gateway's listeners: which are usable (protocol, route kinds, certificates), which conflict
// (same port with different protocols, or same port, protocol and hostname), and the conditions
// Gateway API reports for each. meshgate serves HTTP and HTTPS (TLS mode Terminate).
import type { InputDocument, StatusCondition } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { TlsSecret } from '../../src/ir/types';
import { DocumentIndex } from '../core/documents';
import { getNumber, getObject, getObjects, getString } from '../core/json';
import { GATEWAY_GROUP } from '../core/kinds';
import type { ReferenceGrants } from '../core/reference-grants';
import { condition, type RouteGroupKind } from '../core/status';
import { resolveCertificateRef } from './tls-secrets';

export const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export interface ListenerPlan {
  readonly name: string;
  /** Position in spec.listeners, for error paths. */
  readonly index: number;
  readonly port: number;
  /** Upper-cased (Gateway API protocols are case-insensitive). */
  readonly protocol: string;
  readonly hostname?: string;
  readonly spec: JsonObject;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly secrets: readonly TlsSecret[];
  /** Problems that keep the listener out of the configuration, as conditions. */
  readonly accepted: StatusCondition;
  readonly resolvedRefs: StatusCondition;
  readonly conflicted: StatusCondition;
  /** Goes into the IR: accepted, not conflicted, with certificates when HTTPS. */
  readonly programmable: boolean;
}

export interface ListenerProblem {
  readonly path: string;
  readonly reason: string;
}

function supportedKinds(spec: JsonObject, protocol: string): { kinds: RouteGroupKind[]; invalid: string[] } {
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') return { kinds: [], invalid: [] };
  const requested = getObjects(getObject(spec, 'allowedRoutes'), 'kinds');
  if (requested.length === 0) return { kinds: ROUTE_KINDS.map((kind) => ({ group: GATEWAY_GROUP, kind })), invalid: [] };
  const kinds: RouteGroupKind[] = [];
  const invalid: string[] = [];
  for (const k of requested) {
    const group = getString(k, 'group') ?? GATEWAY_GROUP;
    const kind = getString(k, 'kind') ?? '';
    if (group === GATEWAY_GROUP && (ROUTE_KINDS as readonly string[]).includes(kind)) {
      if (!kinds.some((x) => x.kind === kind)) kinds.push({ group, kind });
    } else invalid.push(`${group}/${kind}`);
  }
  return { kinds, invalid };
}

/** Plan every listener of a served Gateway; `problems` are conflicts the CRD itself forbids. */
export function planListeners(gateway: InputDocument, index: DocumentIndex, grants: ReferenceGrants, problems: ListenerProblem[]): ListenerPlan[] {
  const specs = getObjects(gateway.spec, 'listeners');
  const conflicts = findConflicts(specs, problems);
  return specs.map((spec, i): ListenerPlan => {
    const name = getString(spec, 'name') ?? `listener-${i}`;
    const protocol = (getString(spec, 'protocol') ?? '').toUpperCase();
    const hostname = getString(spec, 'hostname');
    const port = getNumber(spec, 'port') ?? 0;
    const { kinds, invalid } = supportedKinds(spec, protocol);
    const supported = protocol === 'HTTP' || protocol === 'HTTPS';
    const secrets: TlsSecret[] = [];
    const refProblems: { reason: string; message: string }[] = [];
    if (invalid.length > 0) refProblems.push({ reason: 'InvalidRouteKinds', message: `route kinds ${invalid.join(', ')} are not supported (HTTPRoute and GRPCRoute are)` });
    if (protocol === 'HTTPS') {
      getObjects(getObject(spec, 'tls'), 'certificateRefs').forEach((ref) => {
        const r = resolveCertificateRef(gateway, ref, index, grants);
        if (r.ok) secrets.push(r.secret);
        else refProblems.push({ reason: r.reason, message: r.message });
      });
    }
    const conflict = conflicts.get(i);
    const acceptedCond = !supported
      ? condition('Accepted', false, 'UnsupportedProtocol', `protocol ${getString(spec, 'protocol')} is not supported (meshgate serves HTTP and HTTPS)`)
      : conflict
        ? condition('Accepted', false, conflict.reason, conflict.message)
        : condition('Accepted', true, 'Accepted', 'Listener accepted');
    const resolvedCond =
      refProblems.length > 0
        ? condition('ResolvedRefs', false, refProblems[0]!.reason, refProblems.map((p) => p.message).join('; '))
        : condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved');
    const conflictedCond = conflict ? condition('Conflicted', true, conflict.reason, conflict.message) : condition('Conflicted', false, 'NoConflicts', 'No conflicts');
    const hasCerts = protocol !== 'HTTPS' || secrets.length > 0;
    return {
      name,
      index: i,
      port,
      protocol,
      ...(hostname !== undefined ? { hostname } : {}),
      spec,
      supportedKinds: kinds,
      secrets,
      accepted: acceptedCond,
      resolvedRefs: resolvedCond,
      conflicted: conflictedCond,
      programmable: supported && !conflict && hasCerts,
    };
  });
}

interface Conflict {
  readonly reason: 'HostnameConflict' | 'ProtocolConflict';
  readonly message: string;
}

/**
 * Listeners sharing a port must share a protocol (ProtocolConflict) and, within a protocol,
 * differ in hostname (HostnameConflict). Every listener of a conflicting set is left out: the
 * Gateway API forbids picking a winner.
 */
function findConflicts(specs: readonly JsonObject[], problems: ListenerProblem[]): Map<number, Conflict> {
  const out = new Map<number, Conflict>();
  const byPort = new Map<number, number[]>();
  specs.forEach((s, i) => {
    const protocol = (getString(s, 'protocol') ?? '').toUpperCase();
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') return;
    const port = getNumber(s, 'port') ?? 0;
    byPort.set(port, [...(byPort.get(port) ?? []), i]);
  });
  const nameOf = (i: number): string => getString(specs[i], 'name') ?? `#${i}`;
  for (const [port, members] of byPort) {
    const protocols = new Set(members.map((i) => (getString(specs[i], 'protocol') ?? '').toUpperCase()));
    if (protocols.size > 1) {
      const message = `port ${port} is used by listeners with different protocols (${members.map((i) => `${nameOf(i)}: ${(getString(specs[i], 'protocol') ?? '').toUpperCase()}`).join(', ')})`;
      for (const i of members) out.set(i, { reason: 'ProtocolConflict', message });
      continue;
    }
    const byHost = new Map<string, number[]>();
    for (const i of members) {
      const h = getString(specs[i], 'hostname') ?? '';
      byHost.set(h, [...(byHost.get(h) ?? []), i]);
    }
    for (const [host, same] of byHost) {
      if (same.length < 2) continue;
      const message = `listeners ${same.map(nameOf).join(', ')} share port ${port}, protocol and ${host === '' ? 'the empty hostname' : `hostname ${host}`}`;
      for (const i of same) out.set(i, { reason: 'HostnameConflict', message });
      for (const i of same.slice(1)) problems.push({ path: `spec.listeners[${i}]`, reason: `conflicts with listener ${nameOf(same[0]!)}: the combination of port, protocol and hostname must be unique` });
    }
  }
  return out;
}
