// One sidecar proxy group per WorkloadEntry ("sidecar/<namespace>/<name>"): inbound listeners for
// the ports its services (or its Sidecar's ingress) expose, forwarding to the local app, and
// outbound listeners for the services its Sidecar's egress hosts make visible, one virtual host
// per service with the VirtualService's routes (or a default route to the service).
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { InboundListener, MeshProtocol, OutboundListener } from '../../src/ir/mesh';
import type { Route } from '../../src/ir/route';
import type { Proxy, Source, VirtualHost } from '../../src/ir/types';
import { getNumber, getObject, getObjects, getString } from '../core/json';
import { ClusterSet, type ClusterRef } from './clusters';
import { ISTIO_DEFAULT_CIRCUIT_BREAKER } from './connection-pool';
import type { IstioContext } from './context';
import type { InboundMtlsModes } from './security-hook';
import type { DestinationRules } from './destination-rules';
import { hostAliases, hostMatches, resolveHost } from './hosts';
import { appliesTo, httpRoutes, ISTIO_DEFAULT_RETRY, type RouteClient } from './http-routes';
import { namespaceOf } from '../core/documents';
import { endpointPort, identityOf, isHttpProtocol, type Service, type ServiceRegistry, type WorkloadInstance } from './service-registry';
import { sidecarFor, type EgressListener, type SidecarScope } from './sidecar-scope';
import { MESH_GATEWAY, type VirtualServices } from './virtual-services';

export interface MeshInputs {
  readonly ctx: IstioContext;
  readonly registry: ServiceRegistry;
  readonly rules: DestinationRules;
  readonly virtualServices: VirtualServices;
  /** Destinations' PeerAuthentication modes (auto mTLS follows them). */
  readonly peerModes: InboundMtlsModes;
}

export function sidecarProxyName(namespace: string, name: string): string {
  return `sidecar/${namespace}/${name}`;
}

function meshProtocol(text: string | undefined): MeshProtocol {
  const p = (text ?? '').toUpperCase();
  if (p === 'GRPC' || p === 'GRPC-WEB') return 'GRPC';
  if (p === 'HTTP' || p === 'HTTP2') return 'HTTP';
  return 'TCP';
}

function sourceOf(scope: SidecarScope, w: WorkloadInstance, section?: string): Source {
  const doc = scope.doc ?? w.doc;
  return { kind: doc?.kind ?? 'WorkloadEntry', namespace: doc ? namespaceOf(doc) : w.namespace, name: doc?.metadata.name ?? w.name, ...(section ? { section } : {}) };
}

function inboundListeners(w: WorkloadInstance, scope: SidecarScope, inputs: MeshInputs): InboundListener[] {
  if (scope.ingress) {
    return scope.ingress.map((i) => ({
      name: `inbound|${i.port}`,
      port: i.port,
      protocol: meshProtocol(i.protocol),
      forwardTo: i.forwardTo,
      mtls: 'PERMISSIVE',
      circuitBreaker: ISTIO_DEFAULT_CIRCUIT_BREAKER,
      source: sourceOf(scope, w, i.path.replace(/^spec\./, '')),
    }));
  }
  const byPort = new Map<number, InboundListener>();
  for (const service of inputs.registry.servicesSelecting(w)) {
    for (const port of service.ports) {
      const p = endpointPort(w, port);
      if (byPort.has(p)) continue;
      byPort.set(p, {
        name: `inbound|${p}`,
        port: p,
        protocol: isHttpProtocol(port.protocol) ? (port.protocol === 'GRPC' ? 'GRPC' : 'HTTP') : 'TCP',
        forwardTo: { address: '127.0.0.1', port: p },
        mtls: 'PERMISSIVE',
        circuitBreaker: ISTIO_DEFAULT_CIRCUIT_BREAKER,
        source: { kind: 'ServiceEntry', namespace: service.namespace, name: service.doc.metadata.name, section: `ports[${port.name}]` },
      });
    }
  }
  const out = [...byPort.values()].sort((a, b) => a.port - b.port);
  if (scope.captureMode === 'explicit' && scope.doc && out.length > 0) {
    inputs.ctx.statusOf(scope.doc).warn(`workload ${w.namespace}/${w.name}: without spec.ingress the sidecar listens on the service's ports (${out.map((l) => l.port).join(', ')}) and forwards to 127.0.0.1 on the same port; declare spec.ingress with a defaultEndpoint for captureMode NONE`);
  }
  return out;
}

function visible(service: Service, egress: EgressListener): boolean {
  return egress.hosts.some((h) => h.namespace !== '~' && (h.namespace === '*' || h.namespace === service.namespace) && hostMatches(h.host, service.host));
}

interface PortPlan {
  readonly address: string;
  readonly port: number;
  readonly services: Service[];
  readonly path: string;
}

function planOutbound(scope: SidecarScope, registry: ServiceRegistry): PortPlan[] {
  const plans = new Map<string, PortPlan>();
  for (const egress of scope.egress) {
    const services = registry.services.filter((s) => visible(s, egress));
    const ports = egress.port !== undefined ? [egress.port] : [...new Set(services.flatMap((s) => s.ports.map((p) => p.number)))].sort((a, b) => a - b);
    const address = scope.captureMode === 'explicit' ? egress.bind ?? '127.0.0.1' : '0.0.0.0';
    for (const port of ports) {
      const key = `${address}:${port}`;
      const plan = plans.get(key) ?? { address, port, services: [], path: egress.path };
      for (const s of services) if (s.ports.some((p) => p.number === port) && !plan.services.includes(s)) plan.services.push(s);
      plans.set(key, plan);
    }
  }
  return [...plans.values()];
}

function defaultRoute(vhost: string, ref: ClusterRef, source: Source): Route {
  return {
    name: `default@${vhost}`,
    match: { path: { type: 'StringPrefix', value: '/' } },
    action: { type: 'forward', backends: [{ cluster: ref.cluster, weight: 100 }], timeoutMs: 0, retry: ISTIO_DEFAULT_RETRY, ...(ref.hashOn ? { hashOn: ref.hashOn } : {}) },
    source,
  };
}

/**
 * The first tcp route whose match selects this client on this port (port, sourceLabels,
 * sourceNamespace, gateways, as for HTTP routes). destinationSubnets and sourceSubnet need the
 * connection's addresses, which one outbound cluster per port cannot tell apart: reported, and the
 * match is taken without them.
 */
function chooseTcpRoute(vs: InputDocument, port: number, client: RouteClient, ctx: IstioContext): JsonObject | undefined {
  const routes = getObjects(vs.spec, 'tcp');
  routes.forEach((r, i) => getObjects(r, 'match').forEach((m, j) => ctx.unsupported(vs, m, `spec.tcp[${i}].match[${j}]`, ['destinationSubnets', 'sourceSubnet'], 'is not supported by meshgate and is ignored (the match applies without it)')));
  return routes.find((r) => getObjects(r, 'match').length === 0 || getObjects(r, 'match').some((m) => appliesTo(m, port, client, namespaceOf(vs))));
}

function outboundListener(plan: PortPlan, w: WorkloadInstance, scope: SidecarScope, inputs: MeshInputs, clusters: ClusterSet): OutboundListener | undefined {
  const { ctx, virtualServices } = inputs;
  const source = sourceOf(scope, w, plan.path.replace(/^spec\./, ''));
  const services = [...plan.services].sort((a, b) => (a.host < b.host ? -1 : 1));
  const httpServices = services.filter((s) => isHttpProtocol(s.ports.find((p) => p.number === plan.port)!.protocol));
  const tcpServices = services.filter((s) => !httpServices.includes(s));
  const name = `outbound|${plan.port}`;
  const client: RouteClient = { namespace: w.namespace, labels: w.labels, gateway: MESH_GATEWAY };
  if (httpServices.length === 0) {
    const first = tcpServices[0];
    if (!first) return undefined;
    if (tcpServices.length > 1 && scope.doc) ctx.statusOf(scope.doc).warn(`workload ${w.namespace}/${w.name}: port ${plan.port} is a TCP port of ${tcpServices.length} services; connections go to ${first.host} (use one egress port per TCP service)`);
    const vs = virtualServices.forMeshHost(first.host);
    const tcpRoute = vs ? chooseTcpRoute(vs, plan.port, client, ctx) : undefined;
    const dest = getObject(getObjects(tcpRoute, 'route')[0], 'destination');
    if (vs && getObjects(tcpRoute, 'route').length > 1) ctx.statusOf(vs).warn('spec.tcp: weighted TCP routes are not supported; connections go to the first destination');
    const target = dest && vs ? clusters.ensure(resolveHost(getString(dest, 'host') ?? '', namespaceOf(vs)), getNumber(getObject(dest, 'port'), 'number'), getString(dest, 'subset'), plan.port) : clusters.ensure(first.host, plan.port, undefined);
    if ('problem' in target) {
      if (vs) ctx.statusOf(vs).warn(`spec.tcp: ${target.problem}`);
      return undefined;
    }
    return { name, address: plan.address, port: plan.port, protocol: 'TCP', virtualHosts: [], tcpCluster: target.cluster, source };
  }
  if (tcpServices.length > 0 && scope.doc) ctx.statusOf(scope.doc).warn(`workload ${w.namespace}/${w.name}: port ${plan.port} serves HTTP; the TCP services on it (${tcpServices.map((s) => s.host).join(', ')}) are not reachable there`);
  const virtualHosts: VirtualHost[] = [];
  for (const service of httpServices) {
    const vhostName = `${service.host}:${plan.port}`;
    const names = [...hostAliases(service.host, w.namespace), ...service.addresses];
    const domains = [...names, ...names.map((n) => `${n}:${plan.port}`)];
    const vs = virtualServices.forMeshHost(service.host);
    let routes = vs ? httpRoutes(vs, vhostName, plan.port, client, ctx, clusters) : [];
    if (routes.length === 0) {
      const ref = clusters.ensure(service.host, plan.port, undefined);
      if ('problem' in ref) continue;
      routes = [defaultRoute(vhostName, ref, { kind: 'ServiceEntry', namespace: service.namespace, name: service.doc.metadata.name })];
    }
    virtualHosts.push({ name: vhostName, domains, routes });
  }
  const grpc = httpServices.every((s) => s.ports.find((p) => p.number === plan.port)!.protocol === 'GRPC');
  return { name, address: plan.address, port: plan.port, protocol: grpc ? 'GRPC' : 'HTTP', virtualHosts, source };
}

export function buildSidecarProxy(w: WorkloadInstance, inputs: MeshInputs): Proxy {
  const scope = sidecarFor(w, inputs.ctx);
  const clusters = new ClusterSet(inputs.ctx, inputs.registry, inputs.rules, w.namespace, inputs.peerModes, w.locality);
  const inbound = inboundListeners(w, scope, inputs);
  const outbound = planOutbound(scope, inputs.registry)
    .map((plan) => outboundListener(plan, w, scope, inputs, clusters))
    .filter((l): l is OutboundListener => l !== undefined)
    .sort((a, b) => a.port - b.port || (a.address < b.address ? -1 : 1));
  if (scope.captureMode === 'explicit' && scope.doc) {
    // Inbound ports bind 0.0.0.0: an egress listener on the same port cannot bind in the same network namespace.
    for (const o of outbound) {
      if (inbound.some((i) => i.port === o.port)) {
        inputs.ctx.error(scope.doc, o.source.section ? `spec.${o.source.section}.port` : 'spec.egress', `workload ${w.namespace}/${w.name}: egress port ${o.port} on ${o.address} collides with its inbound port ${o.port} (bound on 0.0.0.0); use another egress port`);
      }
    }
  }
  return {
    name: sidecarProxyName(w.namespace, w.name),
    kind: 'sidecar',
    listeners: [],
    clusters: clusters.list(),
    secrets: clusters.tlsSecrets(),
    mesh: {
      workload: {
        name: `${w.namespace}/${w.name}`,
        namespace: w.namespace,
        labels: w.labels,
        identity: identityOf(w, inputs.ctx.trustDomain),
        ...(w.address ? { address: w.address } : {}),
        ...(w.locality ? { locality: w.locality } : {}),
      },
      captureMode: scope.captureMode,
      inbound,
      outbound,
      ...(scope.captureMode === 'transparent' ? { outboundTrafficPolicy: scope.outboundTrafficPolicy } : {}),
    },
  };
}
