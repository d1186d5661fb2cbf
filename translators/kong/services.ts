// Kong services → Backends (the service's host and port, or its upstream's targets), a
// BackendPolicy (connect timeout, the upstream's balancing and health checks) and a TrafficPolicy
// (retries on connection failures, and no whole-request timeout: Kong has none, it times out
// reads and writes, which the idle timeout approximates).
import { isIP } from 'node:net';
import type { JsonObject } from '../../src/envoy/resource';
import { getBoolean, getNumber, getString, getStrings } from '../core/json';
import { PRECISE_HOSTNAME_PATTERN } from '../gateway-api/schemas/common';
import { MESHGATE_API, MESHGATE_GROUP, type ServicePlan, type WeightedBackend } from './context';
import { durationOfMs } from './durations';
import type { Entity, KongModel, KongService, KongUpstream } from './model';
import { objectNameOf, type NameAllocator } from './names';
import type { Output } from './output';
import { at, type Problems } from './problems';
import { activeHealthCheck, endpointWeights, loadBalancer, parseTarget, passiveHealthCheck, type Target } from './upstreams';

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_RETRIES = 5;
/** What Kong retries: failures before the request reached the upstream (never on an HTTP status). */
const KONG_RETRY_ON = ['connect-failure', 'refused-stream', 'reset-before-request'];
const SERVICE_PROTOCOLS = ['http', 'https', 'grpc', 'grpcs'] as const;
type ServiceProtocol = (typeof SERVICE_PROTOCOLS)[number];

interface Endpoint {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly path?: string;
}

/** url, or protocol/host/port/path (explicit fields win over the url's parts, as decK does). */
function endpointOf(service: KongService, problems: Problems): Endpoint | undefined {
  const raw = service.raw;
  let protocol = getString(raw, 'protocol');
  let host = getString(raw, 'host');
  let port = getNumber(raw, 'port');
  let path = getString(raw, 'path');
  const url = getString(raw, 'url');
  if (url !== undefined) {
    const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?([^?#]*)/i.exec(url);
    if (!m) {
      problems.error(at(service.path, 'url'), `"${url}" is not a URL (scheme://host[:port][/path])`);
      return undefined;
    }
    const scheme = m[1]!.toLowerCase();
    protocol ??= scheme;
    host ??= m[2]!.replace(/^\[|\]$/g, '');
    port ??= m[3] !== undefined ? Number(m[3]) : scheme === 'https' || scheme === 'grpcs' ? 443 : 80;
    if (m[4] !== '' && m[4] !== undefined) path ??= m[4];
  }
  if (host === undefined) {
    problems.error(service.path, 'a service needs a host (or a url)');
    return undefined;
  }
  return { protocol: protocol ?? 'http', host: host.toLowerCase(), port: port ?? 80, ...(path !== undefined ? { path } : {}) };
}

function caBundle(service: KongService, model: KongModel, problems: Problems): string | undefined {
  const pems: string[] = [];
  getStrings(service.raw, 'ca_certificates').forEach((ref, i) => {
    const ca = model.caCertificates.find((c: Entity) => getString(c.raw, 'id') === ref);
    if (!ca) problems.error(at(service.path, `ca_certificates[${i}]`), `no ca_certificates entry with id "${ref}" in this file`);
    else pems.push((getString(ca.raw, 'cert') ?? '').trim());
  });
  return pems.length > 0 ? `${pems.join('\n')}\n` : undefined;
}

/** Backend spec.tls for https/grpcs services. Kong verifies upstream certificates only with tls_verify. */
function upstreamTls(service: KongService, sni: string | undefined, model: KongModel, problems: Problems): JsonObject {
  const ca = caBundle(service, model, problems);
  const verify = getBoolean(service.raw, 'tls_verify');
  if (getNumber(service.raw, 'tls_verify_depth') !== undefined) problems.cannotHonour(at(service.path, 'tls_verify_depth'), 'the verification depth cannot be limited');
  if (service.raw['client_certificate'] !== undefined && service.raw['client_certificate'] !== null) {
    problems.cannotHonour(at(service.path, 'client_certificate'), 'client certificates towards upstreams are not supported');
  }
  if (service.raw['tls_sans'] !== undefined && service.raw['tls_sans'] !== null) problems.cannotHonour(at(service.path, 'tls_sans'), 'upstream subject names are not checked');
  const sniField: JsonObject = sni !== undefined && PRECISE_HOSTNAME_PATTERN.test(sni) && isIP(sni) === 0 ? { sni } : {};
  if (verify === true) {
    if (ca === undefined) {
      problems.cannotHonour(at(service.path, 'tls_verify'), 'verifying against the system trust store is not supported: list the CAs in ca_certificates');
      return { ...sniField, insecureSkipVerify: true };
    }
    return { ...sniField, caCertificate: ca };
  }
  // Kong does not verify upstream certificates unless tls_verify is true (nginx proxy_ssl_verify off).
  return { ...sniField, insecureSkipVerify: true };
}

export interface ServiceOutputs {
  readonly plans: Map<KongService, ServicePlan>;
  /** Emits the Backends, BackendPolicies and TrafficPolicies of the planned services. */
  emit(output: Output): void;
}

interface PlannedBackend {
  readonly name: string;
  readonly spec: JsonObject;
  readonly targets?: readonly Target[];
}

export function planServices(model: KongModel, names: NameAllocator, problems: Problems): ServiceOutputs {
  const plans = new Map<KongService, ServicePlan>();
  const emitters: ((output: Output) => void)[] = [];
  const upstreamByName = new Map<string, KongUpstream>();
  for (const u of model.upstreams) upstreamByName.set((getString(u.raw, 'name') ?? '').toLowerCase(), u);
  const usedUpstreams = new Set<KongUpstream>();

  for (const service of model.services) {
    const endpoint = endpointOf(service, problems);
    if (!endpoint) continue;
    const name = names.allocate('service', objectNameOf(getString(service.raw, 'name'), `service-${service.index}`));
    if (getBoolean(service.raw, 'enabled') === false) {
      problems.warn(service.path, 'the service is disabled: its routes are not served (as in Kong)');
      continue;
    }
    if (!(SERVICE_PROTOCOLS as readonly string[]).includes(endpoint.protocol)) {
      problems.cannotHonour(at(service.path, 'protocol'), `"${endpoint.protocol}" services are not supported (http, https, grpc, grpcs); their routes are left out`);
      continue;
    }
    const protocol = endpoint.protocol as ServiceProtocol;
    if (endpoint.path !== undefined && !endpoint.path.startsWith('/')) problems.error(at(service.path, 'path'), 'must start with "/"');
    const upstream = upstreamByName.get(endpoint.host);
    const tlsHost = upstream ? (getString(upstream.raw, 'host_header') ?? undefined) : endpoint.host;
    const tls = protocol === 'https' || protocol === 'grpcs' ? upstreamTls(service, tlsHost, model, problems) : undefined;
    const common: JsonObject = { ...(protocol === 'grpc' || protocol === 'grpcs' ? { protocol: 'grpc' } : {}), ...(tls ? { tls } : {}) };
    const backends: PlannedBackend[] = [];
    let weighted: WeightedBackend[] = [];
    let unavailable: string | undefined;
    if (upstream) {
      usedUpstreams.add(upstream);
      const targets = upstream.targets.map((t) => parseTarget(t, problems)).filter((t): t is Target => t !== undefined);
      const enabled = targets.filter((t) => t.weight > 0);
      if (enabled.length === 0) unavailable = `upstream ${getString(upstream.raw, 'name')} has no target with a weight above 0`;
      else if (enabled.every((t) => t.ip)) {
        const weights = endpointWeights(enabled.map((t) => t.weight), upstream.path, problems);
        const endpoints = enabled.map((t, i) => ({ address: t.host, port: t.port, ...(weights[i] !== undefined ? { weight: weights[i]! } : {}) }));
        backends.push({ name, spec: { endpoints, ...common }, targets: enabled });
        weighted = [{ name }];
      } else if (enabled.length === 1) {
        backends.push({ name, spec: { dns: { hostname: enabled[0]!.host, port: enabled[0]!.port }, ...common }, targets: enabled });
        weighted = [{ name }];
      } else {
        // Several DNS names: one Backend each, weighted on the route (each balances its own addresses).
        const algorithm = getString(upstream.raw, 'algorithm') ?? 'round-robin';
        if (algorithm !== 'round-robin') problems.cannotHonour(at(upstream.path, 'algorithm'), `${algorithm} across several DNS targets: each target is its own cluster, weighted per request`);
        for (const t of enabled) {
          const backendName = names.allocate('service', objectNameOf(`${name}-${t.host}-${t.port}`, name));
          backends.push({ name: backendName, spec: t.ip ? { endpoints: [{ address: t.host, port: t.port }], ...common } : { dns: { hostname: t.host, port: t.port }, ...common }, targets: [t] });
          weighted.push({ name: backendName, weight: t.weight });
        }
      }
    } else {
      const ip = isIP(endpoint.host) !== 0;
      if (!ip && !PRECISE_HOSTNAME_PATTERN.test(endpoint.host)) {
        problems.error(at(service.path, 'host'), `"${endpoint.host}" is neither an IP address, a DNS name nor an upstream of this file`);
        continue;
      }
      if (endpoint.port < 1) problems.error(at(service.path, 'port'), 'must be 1-65535');
      backends.push({ name, spec: ip ? { endpoints: [{ address: endpoint.host, port: endpoint.port }], ...common } : { dns: { hostname: endpoint.host, port: endpoint.port }, ...common } });
      weighted = [{ name }];
    }
    // Kong's Host header without preserve_host: the upstream's host_header (or name), else the
    // service host with the port when it is not the scheme's default.
    const defaultPort = protocol === 'https' || protocol === 'grpcs' ? 443 : 80;
    const upstreamHost = upstream ? (getString(upstream.raw, 'host_header') ?? endpoint.host) : endpoint.port === defaultPort ? endpoint.host : `${endpoint.host}:${endpoint.port}`;
    const basePath = endpoint.path !== undefined && endpoint.path !== '/' ? endpoint.path : undefined;
    plans.set(service, { service, name, protocol, backends: weighted, upstreamHost, ...(basePath !== undefined ? { basePath } : {}), ...(unavailable ? { unavailable } : {}) });
    if (unavailable) problems.warn(service.path, `its routes answer 503: ${unavailable}`);

    const policy = backendPolicy(service, upstream, problems);
    const traffic = trafficPolicy(service);
    emitters.push((output) => {
      for (const b of backends) {
        output.add(MESHGATE_API, 'Backend', b.name, service.path, { spec: b.spec });
        b.targets?.forEach((t, i) => output.mapField('Backend', b.name, b.spec['endpoints'] ? `spec.endpoints[${i}]` : 'spec.dns', t.path));
        if (!b.targets) output.mapField('Backend', b.name, 'spec', at(service.path, 'host'));
      }
      const targetRefs = (): JsonObject[] => backends.map((b) => ({ group: MESHGATE_GROUP, kind: 'Backend', name: b.name }));
      if (backends.length > 0 && Object.keys(policy).length > 0) {
        output.add(MESHGATE_API, 'BackendPolicy', name, upstream ? upstream.path : service.path, { spec: { targetRefs: targetRefs(), ...policy } });
        output.mapField('BackendPolicy', name, 'spec.connectTimeout', at(service.path, 'connect_timeout'));
      }
      if (backends.length > 0) {
        output.add(MESHGATE_API, 'TrafficPolicy', `service-${name}`, service.path, { spec: { targetRefs: targetRefs(), ...traffic } });
        output.mapField('TrafficPolicy', `service-${name}`, 'spec.retry', at(service.path, 'retries'));
        output.mapField('TrafficPolicy', `service-${name}`, 'spec.timeouts', at(service.path, 'read_timeout'));
      }
    });
  }
  for (const u of model.upstreams) if (!usedUpstreams.has(u)) problems.warn(u.path, 'no service uses this upstream (a service uses it by naming it as its host)');
  return { plans, emit: (output) => emitters.forEach((e) => e(output)) };
}

function backendPolicy(service: KongService, upstream: KongUpstream | undefined, problems: Problems): JsonObject {
  const spec: JsonObject = { connectTimeout: durationOfMs(getNumber(service.raw, 'connect_timeout') ?? DEFAULT_TIMEOUT_MS) };
  if (!upstream) return spec;
  const lb = loadBalancer(upstream, problems);
  const active = activeHealthCheck(upstream, problems);
  const passive = passiveHealthCheck(upstream, problems);
  if (getString(upstream.raw, 'client_certificate') !== undefined || (upstream.raw['client_certificate'] !== undefined && upstream.raw['client_certificate'] !== null)) {
    problems.cannotHonour(at(upstream.path, 'client_certificate'), 'client certificates towards upstreams are not supported');
  }
  if (getBoolean(upstream.raw, 'use_srv_name') === true) problems.cannotHonour(at(upstream.path, 'use_srv_name'), 'SRV names are not used as Host headers');
  return { ...(lb ? { loadBalancer: lb } : {}), ...spec, ...(passive ? { outlierDetection: passive } : {}), ...(active ? { healthCheck: active } : {}) };
}

function trafficPolicy(service: KongService): JsonObject {
  const retries = getNumber(service.raw, 'retries') ?? DEFAULT_RETRIES;
  const read = getNumber(service.raw, 'read_timeout') ?? DEFAULT_TIMEOUT_MS;
  const write = getNumber(service.raw, 'write_timeout') ?? DEFAULT_TIMEOUT_MS;
  return {
    ...(retries > 0 ? { retry: { attempts: retries, retryOn: [...KONG_RETRY_ON] } } : {}),
    // Kong has no whole-request timeout; reads and writes time out when idle for this long.
    timeouts: { request: '0s', idle: durationOfMs(Math.max(read, write)) },
  };
}
