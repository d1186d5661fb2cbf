// The Istio family: networking.istio.io and security.istio.io documents → sidecar proxy groups (one
// per WorkloadEntry) and ingress gateway groups (one per Istio Gateway). Schema errors name the
// document, field path and reason; Istio fields meshgate does not implement become warnings on the
// document's status. Security documents are applied to the proxies by translators/istio/security.
import type { DocumentError, DocumentStatus, InputDocument } from '../../src/documents/types';
import type { Workload } from '../../src/ir/mesh';
import { IR_VERSION, type Proxy } from '../../src/ir/types';
import { DocumentIndex, keyOf } from '../core/documents';
import { accepted, notAccepted } from '../core/status';
import { isJsonObject } from '../schema';
import type { FamilyTranslator } from '../families';
import type { TranslateOptions, TranslationResult } from '../translate';
import { IstioContext } from './context';
import { DestinationRules } from './destination-rules';
import { buildIngressGateway, ingressGatewayWorkload } from './ingress-gateway';
import { DEFAULT_TRUST_DOMAIN, isIstioDocument, isSecurityDocument } from './kinds';
import { applySecurity, inboundMtlsModes } from './security-hook';
import { ServiceRegistry } from './service-registry';
import { buildSidecarProxy, type MeshInputs } from './sidecar-proxy';
import { validateIstioDocuments } from './validate';
import { VirtualServices } from './virtual-services';

export { sidecarProxyName } from './sidecar-proxy';
export { istioGatewayProxyName } from './ingress-gateway';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function translateIstio(own: readonly InputDocument[], shared: readonly InputDocument[], options: TranslateOptions = {}): TranslationResult {
  const isNetworking = (d: InputDocument): boolean => !isSecurityDocument(d);
  const schemaErrors = validateIstioDocuments(own);
  const invalid = new Set(schemaErrors.map((e) => e.index));
  const position = new Map<InputDocument, number>(own.map((d, i) => [d, i]));
  const valid = own.filter((d, i) => !invalid.has(i));
  const networking = valid.filter(isNetworking);
  const security = valid.filter(isSecurityDocument);
  // Shared core documents arrive unchecked (the Gateway API family reports their problems).
  const usableShared = shared.filter((d) => isJsonObject(d) && isJsonObject(d.metadata) && typeof d.metadata.name === 'string');
  const ctx = new IstioContext(networking, position, new DocumentIndex(usableShared), options.trustDomain ?? DEFAULT_TRUST_DOMAIN);
  const registry = new ServiceRegistry(ctx);
  const inputs: MeshInputs = { ctx, registry, rules: new DestinationRules(ctx), virtualServices: new VirtualServices(ctx), peerModes: inboundMtlsModes(security, ctx) };

  inputs.rules.reportUnmatchedHosts(registry.services.map((s) => s.host));
  let proxies: Proxy[] = registry.workloads.filter((w) => w.address !== '').map((w) => buildSidecarProxy(w, inputs));
  const gatewayWorkloads = new Map<string, Workload>();
  for (const gw of ctx.index.list('Gateway')) {
    const proxy = buildIngressGateway(gw, inputs);
    if (proxy) proxies.push(proxy);
    if (proxy) gatewayWorkloads.set(proxy.name, ingressGatewayWorkload(gw, ctx.trustDomain));
  }
  inputs.virtualServices.danglingGateways((ns, name) => ctx.index.get('Gateway', ns, name) !== undefined);
  proxies = applySecurity(proxies, security, ctx, gatewayWorkloads);

  for (const doc of networking) {
    const status = ctx.statusOf(doc);
    const failed = ctx.errors.some((e) => e.document && e.document.kind === doc.kind && keyOf(e.document.namespace, e.document.name) === keyOf(status.document.namespace, status.document.name));
    if (!status.conditions.some((c) => c.type === 'Accepted')) status.conditions.push(failed ? notAccepted('Invalid', 'see errors') : accepted(`${doc.kind} accepted`));
  }
  const statuses: DocumentStatus[] = ctx
    .allStatuses()
    .map((s) => s.build())
    .sort((a, b) => cmp(a.document.kind, b.document.kind) || cmp(keyOf(a.document.namespace, a.document.name), keyOf(b.document.namespace, b.document.name)));
  const errors: DocumentError[] = [...schemaErrors, ...ctx.errors];
  proxies.sort((a, b) => cmp(a.name, b.name));
  return { ir: { version: IR_VERSION, proxies }, statuses, errors };
}

export const istioFamily: FamilyTranslator = {
  name: 'istio',
  owns: (doc) => isIstioDocument(doc),
  translate: (own, shared, options) => translateIstio(own, shared, options),
};
