// security.istio.io → the mesh IR. applyIstioSecurity checks the PeerAuthentication,
// RequestAuthentication and AuthorizationPolicy documents (errors name the document, the field
// path and the reason; invalid documents are left out), then fills every sidecar inbound listener's
// mtls, requestAuthentication and authorization, and adds the clusters those need (JWKS fetchers,
// ext_authz services). Istio ingress gateways are workloads too, selected by the labels of the
// gateway deployment, which their Gateway's spec.selector names: RequestAuthentication and
// AuthorizationPolicy in scope of those labels apply to every HTTP route of the gateway (JWTs on
// each virtual host, authorization on the proxy). PeerAuthentication does not: a gateway's
// downstream is its clients' TLS, not mesh mTLS.
import type { InputDocument } from '../../../src/documents/types';
import type { Cluster } from '../../../src/ir/cluster';
import type { Authorization, InboundListener, InboundPassthrough, MeshProxy, Workload } from '../../../src/ir/mesh';
import { networkAuthorizationNotes } from '../../../src/xds/mesh/authorization';
import { namespaceOf } from '../../core/documents';
import type { JwtPolicy } from '../../../src/ir/policy';
import type { Listener, Proxy } from '../../../src/ir/types';
import { checkSchema, isJsonObject } from '../../schema';
import { field } from '../../core/json';
import { condition } from '../../core/status';
import { authorizationFor, convertAuthorizationPolicy, type ConvertedPolicy } from './authorization-policy';
import { PeerAuthenticationResolver } from './peer-authentication';
import { buildJwtRules, jwtPolicyOf, type BuiltJwtRules } from './request-authentication';
import { SECURITY_KINDS, SECURITY_SCHEMAS, SECURITY_VERSIONS, type SecurityKind } from './schemas';
import { reportScoping, scopeOf, type IstioSecurityContext } from './scope';

export { SECURITY_SCHEMAS, SECURITY_KINDS, SECURITY_VERSIONS } from './schemas';
export type { IstioSecurityContext } from './scope';
export { PeerAuthenticationResolver } from './peer-authentication';

function isSecurityKind(kind: unknown): kind is SecurityKind {
  return typeof kind === 'string' && (SECURITY_KINDS as readonly string[]).includes(kind);
}

/** Schema errors of one security document, reported through the context; true when it is valid. */
export function checkSecurityDocument(doc: InputDocument, ctx: IstioSecurityContext): boolean {
  const raw: unknown = doc;
  if (!isJsonObject(raw)) return false;
  let ok = true;
  const fail = (path: string, reason: string): void => {
    ok = false;
    ctx.error(doc, path, reason);
  };
  if (!isSecurityKind(raw['kind'])) {
    fail('kind', `unknown security.istio.io kind ${JSON.stringify(raw['kind'])} (meshgate reads: ${SECURITY_KINDS.join(', ')})`);
    return false;
  }
  if (typeof raw['apiVersion'] !== 'string' || !SECURITY_VERSIONS.includes(raw['apiVersion'])) {
    fail('apiVersion', `apiVersion ${JSON.stringify(raw['apiVersion'])} is not supported for ${raw['kind']} (use ${SECURITY_VERSIONS.join(', ')})`);
  }
  const md = raw['metadata'];
  if (!isJsonObject(md) || typeof md['name'] !== 'string' || md['name'] === '') fail('metadata.name', 'required field is missing');
  // An empty spec is valid for every security kind (e.g. the allow-nothing policy).
  const spec = raw['spec'] ?? {};
  for (const issue of checkSchema(SECURITY_SCHEMAS[raw['kind']], spec, 'spec')) fail(issue.path, issue.reason);
  return ok;
}

function mergeClusters(existing: readonly Cluster[], added: readonly Cluster[]): readonly Cluster[] {
  const names = new Set(existing.map((c) => c.name));
  if (added.every((c) => names.has(c.name))) return existing;
  const out = [...existing];
  for (const c of added) {
    if (names.has(c.name)) continue;
    names.add(c.name);
    out.push(c);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What a TCP port cannot enforce of the policies as written, on each policy's status. */
function reportTcpAuthorization(authorization: Authorization, docs: readonly InputDocument[], workload: string, where: string, ctx: IstioSecurityContext): void {
  for (const note of networkAuthorizationNotes(authorization)) {
    const doc = docs.find((d) => d.kind === note.source.kind && namespaceOf(d) === note.source.namespace && d.metadata.name === note.source.name);
    if (doc) ctx.statusOf(doc).warn(`workload ${workload} ${where}: ${note.source.section ?? note.rule}: ${note.message}`);
  }
}

/** An ingress gateway's workload: the namespace its Gateway is in and the labels its selector names. */
export type GatewayWorkload = Pick<Workload, 'name' | 'namespace' | 'labels'>;

/** Every virtual host of the gateway validates JWTs as RequestAuthentication says (a missing token passes). */
function withGatewayJwt(listeners: readonly Listener[], jwt: JwtPolicy): Listener[] {
  return listeners.map((l) => ({ ...l, virtualHosts: l.virtualHosts.map((vh) => ({ ...vh, policy: { ...vh.policy, jwt } })) }));
}

/**
 * Fills sidecars' inbound security, and ingress gateways' request authentication and
 * authorization, from the security.istio.io documents. `gatewayWorkloads`: the workload of each
 * Istio ingress gateway proxy, by proxy name.
 */
export function applyIstioSecurity(proxies: readonly Proxy[], docs: readonly InputDocument[], outer: IstioSecurityContext, gatewayWorkloads: ReadonlyMap<string, GatewayWorkload> = new Map()): Proxy[] {
  const failed = new Set<InputDocument>();
  const ctx: IstioSecurityContext = {
    rootNamespace: outer.rootNamespace,
    trustDomain: outer.trustDomain,
    statusOf: (doc) => outer.statusOf(doc),
    error: (doc, path, reason) => {
      failed.add(doc);
      outer.error(doc, path, reason);
    },
  };
  const valid = docs.filter((d) => checkSecurityDocument(d, ctx));
  for (const doc of valid) reportScoping(doc, ctx);
  const ofKind = (kind: SecurityKind): InputDocument[] => valid.filter((d) => d.kind === kind);

  const peerAuth = new PeerAuthenticationResolver(ofKind('PeerAuthentication'), ctx);
  const jwtRules = new Map<InputDocument, BuiltJwtRules>(ofKind('RequestAuthentication').map((d) => [d, buildJwtRules(d, ctx)]));
  const authz = ofKind('AuthorizationPolicy')
    .map((d) => convertAuthorizationPolicy(d, ctx))
    .filter((p): p is ConvertedPolicy => p !== undefined);

  const authzDocsFor = (workload: Workload): InputDocument[] => authz.map((p) => p.doc).filter((d) => scopeOf(d, workload, ctx.rootNamespace, true) !== undefined);
  const raDocsFor = (workload: Workload): InputDocument[] => [...jwtRules.keys()].filter((d) => scopeOf(d, workload, ctx.rootNamespace, true) !== undefined);
  const reportTcp = (docs: readonly InputDocument[], workload: string, port: number, why: string): void => {
    for (const doc of docs) ctx.statusOf(doc).warn(`workload ${workload} port ${port} is TCP: ${why}`);
  };
  const used = new Set<InputDocument>();
  const usedPorts = new Map<InputDocument, Set<number>>();
  const requestAuthsFor = (workload: GatewayWorkload): BuiltJwtRules[] =>
    [...jwtRules].filter(([doc]) => scopeOf(doc, workload, ctx.rootNamespace, true) !== undefined).map(([, built]) => built);
  /** Marks the policies in the workload's scope as used (PeerAuthentication's selectors never reach root-wide). */
  const markUsed = (workload: GatewayWorkload, withPeerAuthentication: boolean): void => {
    for (const doc of valid) {
      const peerAuthentication = doc.kind === 'PeerAuthentication';
      if (peerAuthentication && !withPeerAuthentication) continue;
      if (scopeOf(doc, workload, ctx.rootNamespace, !peerAuthentication)) used.add(doc);
    }
  };
  const gatewaySecurity = (proxy: Proxy, workload: GatewayWorkload): Proxy => {
    markUsed(workload, false);
    const requestAuths = requestAuthsFor(workload);
    const requestAuthentication = jwtPolicyOf(requestAuths);
    const { authorization, clusters: authzClusters } = authorizationFor(workload, authz, proxy.clusters, ctx);
    if (!requestAuthentication && !authorization) return proxy;
    return {
      ...proxy,
      listeners: requestAuthentication ? withGatewayJwt(proxy.listeners, requestAuthentication) : proxy.listeners,
      clusters: mergeClusters(proxy.clusters, [...requestAuths.flatMap((b) => b.clusters), ...authzClusters]),
      ...(authorization ? { authorization } : {}),
    };
  };
  const result = proxies.map((proxy): Proxy => {
    const gatewayWorkload = gatewayWorkloads.get(proxy.name);
    if (proxy.kind === 'gateway') return gatewayWorkload ? gatewaySecurity(proxy, gatewayWorkload) : proxy;
    const mesh = proxy.mesh;
    if (!mesh) return proxy;
    const workload = mesh.workload;
    markUsed(workload, true);
    const requestAuths = requestAuthsFor(workload);
    const requestAuthentication = jwtPolicyOf(requestAuths);
    const { authorization, clusters: authzClusters } = authorizationFor(workload, authz, proxy.clusters, ctx);
    const workloadPeerPolicy = peerAuth.workloadPolicy(workload);
    const inbound = mesh.inbound.map((listener): InboundListener => {
      if (workloadPeerPolicy) usedPorts.set(workloadPeerPolicy, (usedPorts.get(workloadPeerPolicy) ?? new Set()).add(listener.port));
      const mtls = peerAuth.modeFor(workload, listener.port, listener.mtls);
      if (listener.protocol === 'TCP') {
        // Authorization is enforced by network RBAC filters, with Istio's TCP semantics; what of a
        // rule needs HTTP is reported on its policy. JWTs need HTTP: not validated (reported).
        if (authorization) reportTcpAuthorization(authorization, authzDocsFor(workload), workload.name, `port ${listener.port} is TCP`, ctx);
        if (requestAuthentication) reportTcp(raDocsFor(workload), workload.name, listener.port, 'JWTs are validated on HTTP and gRPC ports only');
        return { ...listener, mtls, ...(authorization ? { authorization } : {}) };
      }
      return {
        ...listener,
        mtls,
        ...(requestAuthentication ? { requestAuthentication } : {}),
        ...(authorization ? { authorization } : {}),
      };
    });
    const clusters = mergeClusters(proxy.clusters, [...requestAuths.flatMap((b) => b.clusters), ...authzClusters]);
    // Transparent capture: connections to ports the workload declares no listener for pass through
    // with the workload's own mode (no port-level setting names them), authorized as TCP. Not
    // reported per policy: what an HTTP-only rule means there is the same for every policy, and
    // translators/README.md says it once.
    let inboundPassthrough: InboundPassthrough | undefined;
    if (mesh.captureMode === 'transparent') {
      inboundPassthrough = { mtls: peerAuth.modeFor(workload, -1, 'PERMISSIVE'), ...(authorization ? { authorization } : {}) };
    }
    const newMesh: MeshProxy = { ...mesh, inbound, ...(inboundPassthrough ? { inboundPassthrough } : {}) };
    return { ...proxy, mesh: newMesh, clusters };
  });

  peerAuth.reportUnusedPorts(usedPorts);
  const anyWorkload = proxies.some((p) => p.mesh || gatewayWorkloads.has(p.name));
  for (const doc of valid) {
    const status = ctx.statusOf(doc);
    if (anyWorkload && !used.has(doc) && field(doc.spec, 'targetRef') === undefined && field(doc.spec, 'targetRefs') === undefined) {
      // PeerAuthentication never applies to gateways, so only sidecars count for it.
      status.warn(doc.kind === 'PeerAuthentication' ? 'applies to no sidecar workload (no WorkloadEntry in its scope matches its selector; PeerAuthentication does not apply to ingress gateways)' : 'applies to no workload (no WorkloadEntry or Istio Gateway in its scope matches its selector)');
    }
    if (!status.conditions.some((c) => c.type === 'Accepted')) {
      status.conditions.push(failed.has(doc) ? condition('Accepted', false, 'Invalid', 'see errors') : condition('Accepted', true, 'Accepted', `${doc.kind} accepted`));
    }
  }
  return result;
}
