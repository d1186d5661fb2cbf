// Clusters of one proxy, made on demand as routes name them: `outbound|<port>|<subset>|<host>`
// (Istio's names), with the DestinationRule's traffic policy for that port and subset. The
// cluster's endpoints are the service's workloads (only those with the subset's labels).
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster, Endpoint, LoadBalancing, Locality, OutlierDetection, UpstreamTls } from '../../src/ir/cluster';
import type { HashKey } from '../../src/ir/route';
import type { TlsSecret } from '../../src/ir/types';
import { namespaceOf } from '../core/documents';
import { getBoolean, getNumber, getObject, getObjects, getString, getStrings } from '../core/json';
import { secretValue } from '../core/secrets';
import { istioCircuitBreaker } from './connection-pool';
import type { IstioContext } from './context';
import type { InboundMtlsModes } from './security-hook';
import type { AppliedRule, DestinationRules, EffectivePolicy } from './destination-rules';
import { parseIstioDurationMs } from './durations';
import { localityBalancing } from './locality-lb';
import { endpointPort, spiffeOf, type Service, type ServicePort, type ServiceRegistry } from './service-registry';

export function outboundClusterName(port: number, subset: string | undefined, host: string): string {
  return `outbound|${port}|${subset ?? ''}|${host}`;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ClusterRef {
  readonly cluster: string;
  /** Consistent-hash keys the routes to this cluster must carry (DestinationRule consistentHash). */
  readonly hashOn?: readonly HashKey[];
}

/** Istio's mesh-wide default connect timeout (MeshConfig.connectTimeout: 10s). */
const ISTIO_CONNECT_TIMEOUT_MS = 10_000;

export class ClusterSet {
  private readonly clusters = new Map<string, Cluster>();
  private readonly hashes = new Map<string, readonly HashKey[]>();
  private readonly secrets = new Map<string, TlsSecret>();

  constructor(
    private readonly ctx: IstioContext,
    private readonly registry: ServiceRegistry,
    private readonly rules: DestinationRules,
    /** The namespace of the calling proxy (DestinationRule choice, credentialName Secrets). */
    private readonly clientNamespace: string,
    /** The destinations' PeerAuthentication modes, which auto mTLS follows. */
    private readonly peerModes: InboundMtlsModes,
    /** The calling proxy's locality (its WorkloadEntry's): locality load balancing ranks endpoints from it. */
    private readonly clientLocality?: Locality,
  ) {}

  /**
   * The cluster for a destination, or a reason it cannot be made. `port` undefined: the service's
   * only port, or `listenerPort` when the service has it.
   */
  ensure(host: string, port: number | undefined, subset: string | undefined, listenerPort?: number): ClusterRef | { readonly problem: string } {
    const service = this.registry.service(host);
    if (!service) return { problem: `host ${host} is not in the service registry (no ServiceEntry defines it)` };
    const chosen = port !== undefined ? service.ports.find((p) => p.number === port) : service.ports.length === 1 ? service.ports[0] : service.ports.find((p) => p.number === listenerPort);
    if (!chosen) return { problem: port !== undefined ? `service ${host} has no port ${port}` : `service ${host} has several ports: say which with destination.port.number` };
    const rule = this.rules.ruleFor(host, this.clientNamespace, service.namespace);
    if (subset !== undefined && !rule?.subsets.some((s) => s.name === subset)) {
      return { problem: `subset ${subset} of ${host} is not defined by any DestinationRule` };
    }
    const name = outboundClusterName(chosen.number, subset, host);
    if (!this.clusters.has(name)) this.clusters.set(name, this.build(name, service, chosen, subset, rule));
    const hashOn = this.hashes.get(name);
    return { cluster: name, ...(hashOn ? { hashOn } : {}) };
  }

  list(): Cluster[] {
    return [...this.clusters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  tlsSecrets(): TlsSecret[] {
    return [...this.secrets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private build(name: string, service: Service, port: ServicePort, subset: string | undefined, rule: AppliedRule | undefined): Cluster {
    const labels = rule?.subsets.find((s) => s.name === subset)?.labels ?? {};
    const members = service.endpoints.filter((e) => Object.entries(labels).every(([k, v]) => e.labels[k] === v));
    const policy = this.rules.policyFor(rule, port.number, subset);
    const owner = rule && subset !== undefined ? rule.doc : service.doc;
    const source = { kind: owner.kind, namespace: namespaceOf(owner), name: owner.metadata.name, section: subset !== undefined ? `subsets[${subset}]` : `hosts[${service.host}]` };
    const cluster: Mutable<Cluster> = { name, discovery: this.discovery(service, port, members), source };
    const pool = policy.connectionPool?.value;
    if (port.protocol === 'GRPC' || port.protocol === 'HTTP2' || getString(getObject(pool, 'http'), 'h2UpgradePolicy') === 'UPGRADE') cluster.http2 = true;
    // Istio's thresholds whether or not a rule applies (connection-pool.ts).
    cluster.circuitBreaker = istioCircuitBreaker(pool);
    // MeshConfig.connectTimeout's default; a rule's tcp.connectTimeout replaces it.
    cluster.connectTimeoutMs = ISTIO_CONNECT_TIMEOUT_MS;
    if (rule) this.applyPolicy(cluster, policy, rule.doc, name);
    if (rule) this.applyLocality(cluster, policy, rule.doc);
    const tls = this.tls(service, port, subset, members, policy, rule?.doc);
    if (tls) cluster.tls = tls;
    return cluster;
  }

  private discovery(service: Service, port: ServicePort, members: readonly Service['endpoints'][number][]): Cluster['discovery'] {
    if (service.resolution === 'STATIC') {
      const endpoints: Endpoint[] = members.map((w) => ({
        address: w.address,
        port: endpointPort(w, port),
        ...(w.weight !== undefined ? { weight: w.weight } : {}),
        ...(w.locality ? { locality: w.locality } : {}),
        ...(Object.keys(w.labels).length > 0 ? { labels: w.labels } : {}),
        ...(service.meshWorkloads ? { spiffeId: spiffeOf(w, this.ctx.trustDomain) } : {}),
      }));
      return { type: 'static', endpoints };
    }
    const first = members[0];
    if (members.length > 1) this.ctx.statusOf(service.doc).warn(`resolution ${service.resolution}: only the first endpoint (${first!.address}) is resolved; meshgate resolves one hostname per cluster`);
    return first
      ? { type: 'dns', hostname: first.address, port: endpointPort(first, port), ...(service.resolution === 'DNS_ROUND_ROBIN' ? { logical: true } : {}) }
      : { type: 'dns', hostname: service.host, port: port.targetPort ?? port.number, ...(service.resolution === 'DNS_ROUND_ROBIN' ? { logical: true } : {}) };
  }

  private applyPolicy(cluster: Mutable<Cluster>, policy: EffectivePolicy, doc: InputDocument, name: string): void {
    const lb = policy.loadBalancer;
    if (lb) {
      const simple = getString(lb.value, 'simple');
      const hash = getObject(lb.value, 'consistentHash');
      const byName: Record<string, LoadBalancing | undefined> = { ROUND_ROBIN: { type: 'RoundRobin' }, UNSPECIFIED: undefined, LEAST_CONN: { type: 'LeastRequest' }, LEAST_REQUEST: { type: 'LeastRequest' }, RANDOM: { type: 'Random' } };
      if (simple === 'PASSTHROUGH') this.ctx.statusOf(doc).warn(`${lb.path}.simple PASSTHROUGH is not supported; round robin is used`);
      else if (simple !== undefined && byName[simple]) cluster.lb = byName[simple]!;
      if (hash) {
        const ring = getNumber(getObject(hash, 'ringHash'), 'minimumRingSize') ?? getNumber(hash, 'minimumRingSize');
        cluster.lb = getObject(hash, 'maglev') ? { type: 'Maglev' } : { type: 'RingHash', ...(ring !== undefined ? { minimumRingSize: ring } : {}) };
        if (getObject(hash, 'maglev') && getNumber(getObject(hash, 'maglev'), 'tableSize') !== undefined) this.ctx.statusOf(doc).warn(`${lb.path}.consistentHash.maglev.tableSize is not supported; Envoy's default table size is used`);
        const key = hashKey(hash);
        if (key) this.hashes.set(name, [key]);
        else this.ctx.statusOf(doc).warn(`${lb.path}.consistentHash names no hash key (httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName): requests are spread at random over the ring`);
      }
    }
    const connect = getString(getObject(policy.connectionPool?.value, 'tcp'), 'connectTimeout');
    if (connect !== undefined) cluster.connectTimeoutMs = parseIstioDurationMs(connect) ?? 0;
    const od = policy.outlierDetection;
    if (od) {
      const o: Mutable<OutlierDetection> = {};
      const c5 = getNumber(od.value, 'consecutive5xxErrors') ?? getNumber(od.value, 'consecutiveErrors');
      if (c5 !== undefined) o.consecutive5xx = c5;
      const gw = getNumber(od.value, 'consecutiveGatewayErrors');
      if (gw !== undefined) o.consecutiveGatewayErrors = gw;
      const interval = getString(od.value, 'interval');
      if (interval) o.intervalMs = parseIstioDurationMs(interval) ?? 10_000;
      const base = getString(od.value, 'baseEjectionTime');
      if (base) o.baseEjectionTimeMs = parseIstioDurationMs(base) ?? 30_000;
      const max = getNumber(od.value, 'maxEjectionPercent');
      if (max !== undefined) o.maxEjectionPercent = max;
      cluster.outlierDetection = o;
    }
  }

  /** Locality load balancing for this caller (locality-lb.ts); the rule's status says when it cannot act. */
  private applyLocality(cluster: Mutable<Cluster>, policy: EffectivePolicy, doc: InputDocument): void {
    const lb = policy.loadBalancer;
    const setting = getObject(lb?.value, 'localityLbSetting');
    const enabled = getBoolean(setting, 'enabled') !== false;
    const distribute = getObjects(setting, 'distribute').length > 0;
    if (setting && lb && enabled && !distribute && !policy.outlierDetection) {
      this.ctx.statusOf(doc).warn(`${lb.path}.localityLbSetting: locality failover needs outlierDetection (without it Envoy never sees local endpoints fail); as in Istio, no failover is configured`);
    }
    const d = cluster.discovery;
    if (d.type !== 'static') {
      if (setting && lb && enabled && (distribute || getObjects(setting, 'failover').length > 0)) this.ctx.statusOf(doc).warn(`${lb.path}.localityLbSetting has no effect on ${cluster.name}: a DNS cluster resolves one hostname, which has no localities to rank`);
      return;
    }
    const choice = localityBalancing(setting, policy.outlierDetection !== undefined, this.clientLocality, d.endpoints);
    if (!choice.localityLb) return;
    cluster.discovery = { type: 'static', endpoints: choice.endpoints };
    cluster.localityLb = choice.localityLb;
  }

  /**
   * Istio's auto mTLS without a DestinationRule tls: mesh workloads of a MESH_INTERNAL service are
   * called with mTLS unless their PeerAuthentication (workload port, workload, namespace, mesh)
   * says DISABLE. Istio decides per endpoint; a meshgate cluster has one TLS setting, so a cluster
   * whose members disagree keeps mTLS and says which members will refuse it.
   */
  private autoMtls(service: Service, port: ServicePort, subset: string | undefined, members: readonly Service['endpoints'][number][]): boolean {
    if (!service.meshWorkloads || service.external) return false;
    const disabled = members.filter((w) => this.peerModes({ name: `${w.namespace}/${w.name}`, namespace: w.namespace, labels: w.labels }, endpointPort(w, port)) === 'DISABLE');
    if (members.length === 0 || disabled.length === 0) return true;
    if (disabled.length === members.length) return false;
    const cluster = outboundClusterName(port.number, subset, service.host);
    this.ctx
      .statusOf(service.doc)
      .warn(
        `port ${port.number}: PeerAuthentication DISABLE applies to workloads ${disabled.map((w) => `${w.namespace}/${w.name}`).join(', ')} but not to the others; meshgate sets TLS per cluster, so ${cluster} uses mTLS and calls to those workloads fail. Give them their own subset, or make the modes agree`,
      );
    return true;
  }

  private tls(service: Service, port: ServicePort, subset: string | undefined, members: readonly Service['endpoints'][number][], policy: EffectivePolicy, doc: InputDocument | undefined): UpstreamTls | undefined {
    const tls = policy.tls;
    // Auto mTLS (Istio's default): sidecar workloads are called with ISTIO_MUTUAL unless a rule says otherwise.
    const mode = tls ? getString(tls.value, 'mode') : this.autoMtls(service, port, subset, members) ? 'ISTIO_MUTUAL' : 'DISABLE';
    if (mode === 'DISABLE' || mode === undefined) return undefined;
    if (mode === 'ISTIO_MUTUAL') {
      const ids = [...new Set(members.filter(() => service.meshWorkloads).map((w) => spiffeOf(w, this.ctx.trustDomain)))].sort();
      return { mesh: { expectedSpiffeIds: ids }, sni: `outbound_.${port.number}_.${subset ?? ''}_.${service.host}` };
    }
    if (!tls || !doc) return undefined;
    const out: Mutable<UpstreamTls> = { sni: getString(tls.value, 'sni') ?? service.host };
    const sans = getStrings(tls.value, 'subjectAltNames');
    if (sans.length > 0) out.subjectAltNames = sans;
    const credential = getString(tls.value, 'credentialName');
    const secret = credential ? this.ctx.shared.get('Secret', this.clientNamespace, credential) : undefined;
    if (credential && !secret) this.ctx.error(doc, `${tls.path}.credentialName`, `Secret ${this.clientNamespace}/${credential} does not exist (the credential is read in the calling proxy's namespace)`);
    const ca = secret ? secretValue(secret, 'ca.crt') : undefined;
    if (ca && getBoolean(tls.value, 'insecureSkipVerify') !== true) out.caCertificate = ca;
    else if (getBoolean(tls.value, 'insecureSkipVerify') !== true) this.ctx.statusOf(doc).warn(`${tls.path}: no CA certificate (ca.crt in the credentialName Secret): the upstream certificate is not verified`);
    if (mode === 'MUTUAL' && secret && credential) {
      const cert = secretValue(secret, 'tls.crt');
      const key = secretValue(secret, 'tls.key');
      if (!cert || !key) this.ctx.error(doc, `${tls.path}.credentialName`, `Secret ${this.clientNamespace}/${credential} needs tls.crt and tls.key for mode MUTUAL`);
      else {
        const name = `istio-client/${this.clientNamespace}/${credential}`;
        this.secrets.set(name, { name, certificateChain: cert, privateKey: key, source: { kind: 'Secret', namespace: this.clientNamespace, name: credential } });
        out.clientCertificateSecret = name;
      }
    } else if (mode === 'MUTUAL') this.ctx.error(doc, `${tls.path}.credentialName`, 'mode MUTUAL needs credentialName (a Secret with tls.crt, tls.key and optionally ca.crt)');
    return out;
  }
}

function hashKey(hash: JsonObject): HashKey | undefined {
  const header = getString(hash, 'httpHeaderName');
  if (header) return { type: 'header', name: header.toLowerCase() };
  const cookie = getObject(hash, 'httpCookie');
  if (cookie) {
    const ttl = getString(cookie, 'ttl');
    const ms = ttl ? parseIstioDurationMs(ttl) : undefined;
    return { type: 'cookie', name: getString(cookie, 'name') ?? '', ...(ms !== undefined ? { ttlSeconds: Math.round(ms / 1000) } : {}) };
  }
  if (getBoolean(hash, 'useSourceIp')) return { type: 'sourceIP' };
  const q = getString(hash, 'httpQueryParameterName');
  if (q) return { type: 'queryParameter', name: q };
  return undefined;
}
