// AuthorizationPolicy → InboundListener.authorization, with Istio's semantics: every policy that
// applies to a workload contributes its rules to its action's list; CUSTOM is asked first, then a
// request matching a DENY rule is denied, then, once any ALLOW policy applies, a request matching
// no ALLOW rule is denied. An ALLOW policy without rules allows nothing (deny by default); a rule
// `{}` matches every request; DENY and AUDIT policies without rules match nothing.
import type { InputDocument } from '../../../src/documents/types';
import type { Cluster } from '../../../src/ir/cluster';
import type { Authorization, AuthorizationRule, ConditionMatch, CustomAuthorization, OperationMatch, PeerMatch, Workload } from '../../../src/ir/mesh';
import { namespaceOf } from '../../core/documents';
import { getArray, getObject, getObjects, getString, getStrings } from '../../core/json';
import type { JsonObject } from '../../../src/envoy/resource';
import { customAuthorization, parseProvider, providerCluster, type ParsedProvider } from './ext-authz-provider';
import { portOf } from './schemas';
import { scopeOf, type IstioSecurityContext } from './scope';

type Action = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

export interface ConvertedPolicy {
  readonly doc: InputDocument;
  readonly action: Action;
  readonly rules: readonly AuthorizationRule[];
  /** CUSTOM only. */
  readonly provider?: ParsedProvider;
}

/** "ns/sa" or "sa" (in the policy's namespace) → "<trustDomain>/ns/<ns>/sa/<sa>". */
function serviceAccountPrincipal(value: string, policyNamespace: string, trustDomain: string): string {
  const slash = value.indexOf('/');
  const [ns, sa] = slash >= 0 ? [value.slice(0, slash), value.slice(slash + 1)] : [policyNamespace, value];
  return `${trustDomain}/ns/${ns}/sa/${sa}`;
}

/**
 * Istio reads the trust domain "cluster.local" in a policy's principal as a pointer to the mesh's own
 * trust domain (pilot's trust domain bundle), so policies keep working when --trust-domain changes.
 */
function inLocalTrustDomain(principal: string, trustDomain: string): string {
  return principal.startsWith('cluster.local/') ? `${trustDomain}/${principal.slice('cluster.local/'.length)}` : principal;
}

function setList<K extends string>(into: Partial<Record<K, readonly string[]>>, key: K, values: readonly string[]): void {
  if (values.length > 0) into[key] = values;
}

function peerMatch(source: JsonObject, doc: InputDocument, path: string, ctx: IstioSecurityContext): PeerMatch {
  const ns = namespaceOf(doc);
  const peer: Partial<Record<keyof PeerMatch, readonly string[]>> = {};
  const direct = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
  for (const f of direct) setList(peer, f, getStrings(source, f));
  if (peer.principals) peer.principals = peer.principals.map((v) => inLocalTrustDomain(v, ctx.trustDomain));
  if (peer.notPrincipals) peer.notPrincipals = peer.notPrincipals.map((v) => inLocalTrustDomain(v, ctx.trustDomain));
  const accounts = getStrings(source, 'serviceAccounts').map((v) => serviceAccountPrincipal(v, ns, ctx.trustDomain));
  if (accounts.length > 0) {
    // principals and serviceAccounts are two fields that must both match; PeerMatch has one list.
    if (peer.principals) ctx.error(doc, `${path}.serviceAccounts`, 'serviceAccounts cannot be combined with principals in one source in meshgate; use one of them');
    else peer.principals = accounts;
  }
  const notAccounts = getStrings(source, 'notServiceAccounts').map((v) => serviceAccountPrincipal(v, ns, ctx.trustDomain));
  if (notAccounts.length > 0) peer.notPrincipals = [...(peer.notPrincipals ?? []), ...notAccounts];
  return peer as PeerMatch;
}

function operationMatch(operation: JsonObject): OperationMatch {
  const op: { -readonly [K in keyof OperationMatch]?: OperationMatch[K] } = {};
  for (const f of ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const) {
    const values = getStrings(operation, f);
    if (values.length > 0) op[f] = values;
  }
  for (const f of ['ports', 'notPorts'] as const) {
    const ports = getArray(operation, f).map(portOf).filter((p): p is number => p !== undefined);
    if (ports.length > 0) op[f] = ports;
  }
  return op;
}

function conditionMatch(cond: JsonObject, doc: InputDocument, ctx: IstioSecurityContext): ConditionMatch {
  let key = getString(cond, 'key') ?? '';
  let values = getStrings(cond, 'values');
  let notValues = getStrings(cond, 'notValues');
  if (key === 'source.serviceAccount') {
    const ns = namespaceOf(doc);
    key = 'source.principal';
    values = values.map((v) => serviceAccountPrincipal(v, ns, ctx.trustDomain));
    notValues = notValues.map((v) => serviceAccountPrincipal(v, ns, ctx.trustDomain));
  } else if (key === 'source.principal') {
    values = values.map((v) => inLocalTrustDomain(v, ctx.trustDomain));
    notValues = notValues.map((v) => inLocalTrustDomain(v, ctx.trustDomain));
  }
  return { key, ...(values.length > 0 ? { values } : {}), ...(notValues.length > 0 ? { notValues } : {}) };
}

/** One validated policy as IR rules (errors and warnings go to the context). */
export function convertAuthorizationPolicy(doc: InputDocument, ctx: IstioSecurityContext): ConvertedPolicy | undefined {
  const ns = namespaceOf(doc);
  const action = (getString(doc.spec, 'action') ?? 'ALLOW') as Action;
  let provider: ParsedProvider | undefined;
  if (action === 'CUSTOM') {
    const parsed = parseProvider(getString(getObject(doc.spec, 'provider'), 'name') ?? '');
    if (typeof parsed === 'string') {
      ctx.error(doc, 'spec.provider.name', parsed);
      return undefined;
    }
    provider = parsed;
  }
  const rules = getObjects(doc.spec, 'rules').map((rule, i): AuthorizationRule => {
    const path = `spec.rules[${i}]`;
    const from = getObjects(rule, 'from').map((f, j) => peerMatch(getObject(f, 'source') ?? {}, doc, `${path}.from[${j}].source`, ctx));
    const to = getObjects(rule, 'to').map((t) => operationMatch(getObject(t, 'operation') ?? {}));
    const when = getObjects(rule, 'when').map((c) => conditionMatch(c, doc, ctx));
    return {
      name: `${ns}/${doc.metadata.name}[rules[${i}]]`,
      ...(from.length > 0 ? { from } : {}),
      ...(to.length > 0 ? { to } : {}),
      ...(when.length > 0 ? { when } : {}),
      source: { kind: doc.kind, namespace: ns, name: doc.metadata.name, section: `rules[${i}]` },
    };
  });
  if (rules.length === 0 && action !== 'ALLOW') ctx.statusOf(doc).warn(`an ${action} policy without rules matches no request and has no effect`);
  return { doc, action, rules, ...(provider ? { provider } : {}) };
}

export interface WorkloadAuthorization {
  readonly authorization?: Authorization;
  readonly clusters: readonly Cluster[];
}

/** The authorization of `workload` from every policy that applies to it. */
export function authorizationFor(workload: Pick<Workload, 'namespace' | 'labels'>, policies: readonly ConvertedPolicy[], existingClusters: readonly Cluster[], ctx: IstioSecurityContext): WorkloadAuthorization {
  const applying = policies.filter((p) => scopeOf(p.doc, workload, ctx.rootNamespace, true) !== undefined);
  if (applying.length === 0) return { clusters: [] };
  const rulesOf = (action: Action): AuthorizationRule[] => applying.filter((p) => p.action === action).flatMap((p) => p.rules);
  const hasAllow = applying.some((p) => p.action === 'ALLOW');
  const audit = rulesOf('AUDIT');
  const clusters: Cluster[] = [];
  const custom: CustomAuthorization[] = [];
  // One ext_authz per distinct provider; policies naming the same provider share it.
  const byProvider = new Map<string, ConvertedPolicy[]>();
  for (const p of applying) {
    if (p.action !== 'CUSTOM' || !p.provider) continue;
    const key = getString(getObject(p.doc.spec, 'provider'), 'name') ?? '';
    byProvider.set(key, [...(byProvider.get(key) ?? []), p]);
  }
  for (const group of byProvider.values()) {
    const first = group[0]!;
    const source = { kind: first.doc.kind, namespace: namespaceOf(first.doc), name: first.doc.metadata.name, section: 'provider' };
    const { name, generated } = providerCluster(first.provider!, namespaceOf(first.doc), [...existingClusters, ...clusters], source);
    if (generated) clusters.push(generated);
    const rules = group.flatMap((p) => p.rules);
    if (rules.length > 0) custom.push(customAuthorization(first.provider!, name, rules));
  }
  const authorization: Authorization = {
    ...(custom.length > 0 ? { custom } : {}),
    deny: rulesOf('DENY'),
    ...(hasAllow ? { allow: rulesOf('ALLOW') } : {}),
    ...(audit.length > 0 ? { audit } : {}),
  };
  return { authorization, clusters };
}
