// Which Sidecar resource configures a workload (Istio's order: one with a matching
// workloadSelector in the workload's namespace, else the namespace's Sidecar without selector,
// else the root namespace's), and what it says: capture mode, ingress ports, egress listeners.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { compareAge, namespaceOf } from '../core/documents';
import { getNumber, getObject, getObjects, getString, getStringMap, getStrings } from '../core/json';
import type { IstioContext } from './context';
import { parseEgressHost, type EgressHost } from './hosts';
import { ROOT_NAMESPACE } from './kinds';
import type { WorkloadInstance } from './service-registry';

export interface IngressPort {
  readonly port: number;
  readonly protocol: string | undefined;
  readonly forwardTo: { readonly address: string; readonly port: number };
  readonly path: string;
}

export interface EgressListener {
  readonly port?: number;
  readonly bind?: string;
  readonly hosts: readonly EgressHost[];
  readonly path: string;
}

export interface SidecarScope {
  readonly doc?: InputDocument;
  readonly captureMode: 'explicit' | 'transparent';
  readonly ingress?: readonly IngressPort[];
  readonly egress: readonly EgressListener[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

const EVERYTHING: EgressListener = { hosts: [{ namespace: '*', host: '*' }], path: '(default)' };

export function sidecarFor(workload: WorkloadInstance, ctx: IstioContext): SidecarScope {
  const all = [...ctx.index.list('Sidecar')].sort(compareAge);
  const selected = all.filter((s) => namespaceOf(s) === workload.namespace && getObject(s.spec, 'workloadSelector'));
  const matching = selected.filter((s) => Object.entries(getStringMap(getObject(s.spec, 'workloadSelector'), 'labels')).every(([k, v]) => workload.labels[k] === v));
  const doc =
    matching[0] ??
    all.find((s) => namespaceOf(s) === workload.namespace && !getObject(s.spec, 'workloadSelector')) ??
    all.find((s) => namespaceOf(s) === ROOT_NAMESPACE && !getObject(s.spec, 'workloadSelector'));
  if (matching.length > 1) ctx.statusOf(matching[1]!).warn(`workload ${workload.namespace}/${workload.name} is also selected by Sidecar ${namespaceOf(matching[0]!)}/${matching[0]!.metadata.name}, which is older and wins`);
  if (!doc) return { captureMode: 'transparent', egress: [EVERYTHING], outboundTrafficPolicy: 'ALLOW_ANY' };
  return scopeOf(doc, ctx);
}

function scopeOf(doc: InputDocument, ctx: IstioContext): SidecarScope {
  ctx.unsupported(doc, doc.spec, 'spec', ['inboundConnectionPool']);
  const modes = new Set<string>();
  const ingressSpecs = getObjects(doc.spec, 'ingress');
  const ingress = ingressSpecs.map((i, n) => ingressPort(i, `spec.ingress[${n}]`, doc, ctx, modes));
  const egressSpecs = getObjects(doc.spec, 'egress');
  const egress = egressSpecs.map((e, n): EgressListener => {
    const path = `spec.egress[${n}]`;
    modes.add(getString(e, 'captureMode') ?? 'DEFAULT');
    const port = getNumber(getObject(e, 'port'), 'number');
    const bind = getString(e, 'bind');
    const hosts: EgressHost[] = [];
    getStrings(e, 'hosts').forEach((h, i) => {
      const parsed = parseEgressHost(h, namespaceOf(doc));
      if (!parsed) ctx.error(doc, `${path}.hosts[${i}]`, `${JSON.stringify(h)} is not "<namespace>/<host>" (e.g. "./*", "istio-system/*", "*/httpbin.org")`);
      else hosts.push(parsed);
    });
    return { ...(port !== undefined ? { port } : {}), ...(bind !== undefined ? { bind } : {}), hosts, path };
  });
  const explicit = modes.has('NONE');
  if (explicit && (modes.has('DEFAULT') || modes.has('IPTABLES')) && modes.size > 1) {
    ctx.statusOf(doc).warn('listeners mix captureMode NONE with iptables capture; meshgate gives a proxy one capture mode: NONE (explicit listeners) for all of them');
  }
  const otp = getString(getObject(doc.spec, 'outboundTrafficPolicy'), 'mode') === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY';
  ctx.unsupported(doc, getObject(doc.spec, 'outboundTrafficPolicy'), 'spec.outboundTrafficPolicy', ['egressProxy']);
  if (explicit && getObject(doc.spec, 'outboundTrafficPolicy')) ctx.statusOf(doc).warn('spec.outboundTrafficPolicy has no effect with captureMode NONE: only declared egress listeners exist');
  return {
    doc,
    captureMode: explicit ? 'explicit' : 'transparent',
    ...(ingressSpecs.length > 0 ? { ingress } : {}),
    egress: egress.length > 0 ? egress : [EVERYTHING],
    outboundTrafficPolicy: otp,
  };
}

function ingressPort(i: JsonObject, path: string, doc: InputDocument, ctx: IstioContext, modes: Set<string>): IngressPort {
  ctx.unsupported(doc, i, path, ['tls', 'connectionPool', 'bind']);
  modes.add(getString(i, 'captureMode') ?? 'DEFAULT');
  const port = getObject(i, 'port');
  const number = getNumber(port, 'number') ?? 0;
  const target = getNumber(port, 'targetPort') ?? number;
  const endpoint = getString(i, 'defaultEndpoint');
  let forwardTo = { address: '127.0.0.1', port: target };
  if (endpoint !== undefined) {
    const m = /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|localhost):([0-9]{1,5})$/.exec(endpoint);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) ctx.error(doc, `${path}.defaultEndpoint`, `${JSON.stringify(endpoint)} is not "127.0.0.1:<port>" or "0.0.0.0:<port>" (unix sockets are not supported)`);
    else forwardTo = { address: m[1] === '0.0.0.0' || m[1] === 'localhost' ? '127.0.0.1' : m[1] === '[::1]' ? '::1' : m[1]!, port: Number(m[2]) };
  }
  return { port: number, protocol: getString(port, 'protocol') ?? getString(port, 'name')?.split('-')[0], forwardTo, path };
}
