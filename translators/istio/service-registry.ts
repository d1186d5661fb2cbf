// The service registry without Kubernetes: ServiceEntry hosts and ports, their endpoints from the
// WorkloadEntries they select (same namespace, by labels) or from their inline endpoints, and the
// workloads themselves (one sidecar proxy each).
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { WorkloadIdentity } from '../../src/ir/mesh';
import { spiffeIdOf } from '../../src/ir/mesh';
import { namespaceOf } from '../core/documents';
import { getNumber, getObject, getObjects, getString, getStringMap, getStrings } from '../core/json';
import type { IstioContext } from './context';
import { resolveHost } from './hosts';

export type ServiceProtocol = 'HTTP' | 'HTTP2' | 'GRPC' | 'TCP' | 'TLS' | 'HTTPS';

export interface ServicePort {
  readonly number: number;
  readonly name: string;
  readonly protocol: ServiceProtocol;
  readonly targetPort?: number;
}

export interface Locality {
  readonly region?: string;
  readonly zone?: string;
  readonly subZone?: string;
}

export interface WorkloadInstance {
  /** The WorkloadEntry document (absent for a ServiceEntry's inline endpoints). */
  readonly doc?: InputDocument;
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly locality?: Locality;
  readonly weight?: number;
  readonly network?: string;
}

export interface Service {
  readonly doc: InputDocument;
  readonly host: string;
  readonly namespace: string;
  readonly addresses: readonly string[];
  readonly ports: readonly ServicePort[];
  readonly resolution: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
  readonly external: boolean;
  readonly endpoints: readonly WorkloadInstance[];
  /** Endpoints are sidecar workloads (selected WorkloadEntries): mTLS is used automatically. */
  readonly meshWorkloads: boolean;
}

const HTTP_LIKE = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB']);

export function identityOf(w: Pick<WorkloadInstance, 'namespace' | 'serviceAccount'>, trustDomain: string): WorkloadIdentity {
  return { trustDomain, namespace: w.namespace, serviceAccount: w.serviceAccount };
}

export function spiffeOf(w: Pick<WorkloadInstance, 'namespace' | 'serviceAccount'>, trustDomain: string): string {
  return spiffeIdOf(identityOf(w, trustDomain));
}

export function isHttpProtocol(p: ServiceProtocol): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'GRPC';
}

export function parseLocality(text: string | undefined): Locality | undefined {
  if (!text) return undefined;
  const [region, zone, subZone] = text.split('/');
  const out: { region?: string; zone?: string; subZone?: string } = {};
  if (region) out.region = region;
  if (zone) out.zone = zone;
  if (subZone) out.subZone = subZone;
  return Object.keys(out).length > 0 ? out : undefined;
}

function workloadFrom(spec: JsonObject, name: string, namespace: string, doc?: InputDocument): WorkloadInstance {
  const locality = parseLocality(getString(spec, 'locality'));
  const weight = getNumber(spec, 'weight');
  const network = getString(spec, 'network');
  const ports: Record<string, number> = {};
  for (const [k, v] of Object.entries(getObject(spec, 'ports') ?? {})) if (typeof v === 'number') ports[k] = v;
  return {
    ...(doc ? { doc } : {}),
    name,
    namespace,
    address: getString(spec, 'address') ?? '',
    ports,
    labels: getStringMap(spec, 'labels'),
    serviceAccount: getString(spec, 'serviceAccount') ?? 'default',
    ...(locality ? { locality } : {}),
    ...(weight !== undefined && weight > 0 ? { weight } : {}),
    ...(network ? { network } : {}),
  };
}

function protocolOf(port: JsonObject, ctx: IstioContext, doc: InputDocument, path: string): ServiceProtocol {
  const raw = (getString(port, 'protocol') ?? guessFromName(getString(port, 'name'))).toUpperCase();
  if (raw === 'GRPC-WEB') return 'GRPC';
  if (HTTP_LIKE.has(raw)) return raw as ServiceProtocol;
  if (raw === 'TCP' || raw === 'TLS' || raw === 'HTTPS') return raw;
  ctx.statusOf(doc).warn(`${path}.protocol ${raw} is served as plain TCP`);
  return 'TCP';
}

/** Istio's protocol selection by port name prefix ("http-web", "grpc"); TCP otherwise. */
function guessFromName(name: string | undefined): string {
  const prefix = (name ?? '').split('-')[0]!.toUpperCase();
  return HTTP_LIKE.has(prefix) || prefix === 'TCP' || prefix === 'TLS' || prefix === 'HTTPS' ? prefix : 'TCP';
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export class ServiceRegistry {
  readonly workloads: readonly WorkloadInstance[];
  readonly services: readonly Service[];
  private readonly byHost = new Map<string, Service>();

  constructor(private readonly ctx: IstioContext) {
    this.workloads = ctx.index.list('WorkloadEntry').map((doc) => {
      const w = workloadFrom(doc.spec, doc.metadata.name, namespaceOf(doc), doc);
      if (w.address === '') ctx.error(doc, 'spec.address', 'required field is missing: a WorkloadEntry needs the address its sidecar is reached at');
      ctx.unsupported(doc, doc.spec, 'spec', ['network'], 'is recorded but meshgate serves a single network');
      return w;
    });
    const services: Service[] = [];
    for (const doc of ctx.index.list('ServiceEntry')) services.push(...this.servicesOf(doc));
    this.services = services;
  }

  private servicesOf(doc: InputDocument): Service[] {
    const ns = namespaceOf(doc);
    const status = this.ctx.statusOf(doc);
    this.ctx.unsupported(doc, doc.spec, 'spec', ['exportTo'], 'is ignored: every service is visible to every namespace (limit visibility with Sidecar egress hosts)');
    this.ctx.unsupported(doc, doc.spec, 'spec', ['subjectAltNames'], 'is ignored: ISTIO_MUTUAL expects the SPIFFE IDs of the selected workloads');
    const resolution = (getString(doc.spec, 'resolution') ?? 'NONE') as Service['resolution'];
    const ports = getObjects(doc.spec, 'ports').map((p, i) => ({
      number: getNumber(p, 'number') ?? 0,
      name: getString(p, 'name') ?? String(getNumber(p, 'number') ?? 0),
      protocol: protocolOf(p, this.ctx, doc, `spec.ports[${i}]`),
      ...(getNumber(p, 'targetPort') !== undefined ? { targetPort: getNumber(p, 'targetPort')! } : {}),
    }));
    if (ports.length === 0) status.warn('spec.ports is empty: the service has no port to call and produces no cluster');
    const selector = getObject(doc.spec, 'workloadSelector');
    let endpoints: WorkloadInstance[];
    if (selector) {
      const labels = getStringMap(selector, 'labels');
      endpoints = this.workloads.filter((w) => w.namespace === ns && selects(labels, w.labels));
      if (endpoints.length === 0) status.warn('spec.workloadSelector selects no WorkloadEntry in this namespace: the service has no endpoints');
    } else {
      endpoints = getObjects(doc.spec, 'endpoints').map((e, i) => workloadFrom(e, `${doc.metadata.name}[${i}]`, ns));
      endpoints.forEach((e, i) => {
        if (e.address === '') this.ctx.error(doc, `spec.endpoints[${i}].address`, 'required field is missing');
      });
    }
    if (resolution === 'NONE') {
      status.warn('spec.resolution NONE (forward to the original destination) is not supported; the service is left out (use STATIC or DNS)');
      return [];
    }
    if (resolution === 'STATIC') {
      endpoints.forEach((e, i) => {
        if (e.address !== '' && !/^[0-9.]+$|:/.test(e.address)) this.ctx.error(doc, selector ? 'spec.workloadSelector' : `spec.endpoints[${i}].address`, `resolution STATIC needs IP addresses, got ${JSON.stringify(e.address)} (use resolution DNS for hostnames)`);
      });
    }
    const out: Service[] = [];
    getStrings(doc.spec, 'hosts').forEach((raw, i) => {
      const host = resolveHost(raw, ns);
      if (host.includes('*')) {
        status.warn(`spec.hosts[${i}] ${raw}: wildcard hosts are not supported in ServiceEntry and are left out`);
        return;
      }
      const other = this.byHost.get(host);
      if (other) {
        status.warn(`spec.hosts[${i}] ${host} is already defined by ServiceEntry ${other.namespace}/${other.doc.metadata.name}; this entry is ignored`);
        return;
      }
      const service: Service = {
        doc,
        host,
        namespace: ns,
        addresses: getStrings(doc.spec, 'addresses'),
        ports,
        resolution,
        external: getString(doc.spec, 'location') === 'MESH_EXTERNAL',
        endpoints,
        meshWorkloads: selector !== undefined,
      };
      this.byHost.set(host, service);
      out.push(service);
    });
    return out;
  }

  service(host: string): Service | undefined {
    return this.byHost.get(host);
  }

  /** Services whose endpoints include this workload (its inbound ports). */
  servicesSelecting(workload: WorkloadInstance): Service[] {
    return this.services.filter((s) => s.meshWorkloads && s.endpoints.includes(workload));
  }
}

/** The port a workload serves a service port on: its named port, else targetPort, else the port. */
export function endpointPort(w: WorkloadInstance, port: ServicePort): number {
  return w.ports[port.name] ?? port.targetPort ?? port.number;
}
