// Where security.istio.io documents meet the proxies built here: translators/istio/security
// (applyIstioSecurity) checks them and sets mTLS modes, request authentication and authorization
// on the sidecars' inbound listeners, adding the clusters those need. Clients read the
// destinations' PeerAuthentication modes earlier (inboundMtlsModes), for auto mTLS.
import type { InputDocument } from '../../src/documents/types';
import type { InboundListener, Workload } from '../../src/ir/mesh';
import type { Proxy } from '../../src/ir/types';
import type { IstioContext } from './context';
import { ROOT_NAMESPACE } from './kinds';
import { applyIstioSecurity, checkSecurityDocument, PeerAuthenticationResolver, type IstioSecurityContext } from './security';

function securityContext(ctx: IstioContext): IstioSecurityContext {
  return {
    rootNamespace: ROOT_NAMESPACE,
    trustDomain: ctx.trustDomain,
    statusOf: (doc) => ctx.statusOf(doc),
    error: (doc, path, reason) => ctx.error(doc, path, reason),
  };
}

/** `gateways`: Istio Gateway proxy name → the gateway workload its policies select (ingressGatewayWorkload). */
export function applySecurity(proxies: Proxy[], docs: readonly InputDocument[], ctx: IstioContext, gateways: ReadonlyMap<string, Workload> = new Map()): Proxy[] {
  return applyIstioSecurity(proxies, docs, securityContext(ctx), gateways);
}

/** The PeerAuthentication mode of a workload's inbound port; undefined when no policy decides it. */
export type InboundMtlsModes = (workload: Pick<Workload, 'name' | 'namespace' | 'labels'>, port: number) => InboundListener['mtls'] | undefined;

/**
 * The destinations' PeerAuthentication modes, for clients' auto mTLS (decided when their clusters
 * are built, before applySecurity runs). Invalid documents are left out here as there; their
 * errors are reported once, by applySecurity.
 */
export function inboundMtlsModes(docs: readonly InputDocument[], ctx: IstioContext): InboundMtlsModes {
  const quiet: IstioSecurityContext = { ...securityContext(ctx), error: () => {} };
  const policies = docs.filter((d) => d.kind === 'PeerAuthentication' && checkSecurityDocument(d, quiet));
  const resolver = new PeerAuthenticationResolver(policies, securityContext(ctx));
  return (workload, port) => resolver.modeFor(workload, port, undefined);
}
