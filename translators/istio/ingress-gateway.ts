// Istio ingress Gateway (networking.istio.io Gateway) + the VirtualServices bound to it (spec.gateways)
// → a gateway proxy group "istio-gateway/<namespace>/<name>" built from the same IR listeners,
// virtual hosts and routes as Gateway API gateways. The proxy is picked by its group name;
// spec.selector stands for the deployment's labels, which security policies select the gateway by
// (ingressGatewayWorkload; security/gateway.ts applies them). When a route calls a mesh service with
// ISTIO_MUTUAL, the gateway gets a mesh identity (service account = the Gateway's name) so the CA
// gives it a workload certificate.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Workload } from '../../src/ir/mesh';
import type { Route } from '../../src/ir/route';
import type { Listener, Proxy, TlsSecret, VirtualHost } from '../../src/ir/types';
import { namespaceOf } from '../core/documents';
import { getBoolean, getNumber, getObject, getObjects, getString, getStringMap, getStrings } from '../core/json';
import { tlsSecretName } from '../core/names';
import { certificateProblem, keyPairProblem, privateKeyProblem } from '../core/pem';
import { secretValue } from '../core/secrets';
import { DEFAULT_LISTENER_OPTIONS } from '../meshgate/listener-policy';
import { ClusterSet } from './clusters';
import { hostMatches } from './hosts';
import { httpRoutes, type RouteClient } from './http-routes';
import type { MeshInputs } from './sidecar-proxy';

export function istioGatewayProxyName(namespace: string, name: string): string {
  return `istio-gateway/${namespace}/${name}`;
}

/**
 * The workload running a Gateway, as security policies select it: the Gateway's namespace and its
 * spec.selector as the pod labels (meshgate has no pods; the selector is what Istio matches the
 * deployment by). Its identity (service account = the Gateway's name) is the one the CA issues.
 */
export function ingressGatewayWorkload(gw: InputDocument, trustDomain: string): Workload {
  const ns = namespaceOf(gw);
  return { name: `${ns}/${gw.metadata.name}`, namespace: ns, labels: getStringMap(gw.spec, 'selector'), identity: { trustDomain, namespace: ns, serviceAccount: gw.metadata.name } };
}

interface ServerHost {
  readonly namespace: string;
  readonly host: string;
}

function serverHosts(server: JsonObject, gwNamespace: string): ServerHost[] {
  return getStrings(server, 'hosts').map((h) => {
    const slash = h.indexOf('/');
    const ns = slash < 0 ? '*' : h.slice(0, slash) === '.' ? gwNamespace : h.slice(0, slash);
    const host = slash < 0 ? h : h.slice(slash + 1);
    return { namespace: ns, host: host === '*' || host.startsWith('*.') ? host : host.toLowerCase() };
  });
}

/** The concrete host both a server host and a VirtualService host accept (the narrower one), if any. */
function intersect(server: string, vs: string): string | undefined {
  if (hostMatches(server, vs)) return vs;
  if (hostMatches(vs, server)) return server;
  return undefined;
}

function certificate(gw: InputDocument, tls: JsonObject, path: string, inputs: MeshInputs): TlsSecret | undefined {
  const ns = namespaceOf(gw);
  const name = getString(tls, 'credentialName');
  if (!name) {
    inputs.ctx.error(gw, `${path}.credentialName`, 'an HTTPS server needs credentialName (a Secret with tls.crt and tls.key in the Gateway\'s namespace); file paths are not supported');
    return undefined;
  }
  const secret = inputs.ctx.shared.get('Secret', ns, name);
  if (!secret) {
    inputs.ctx.error(gw, `${path}.credentialName`, `Secret ${ns}/${name} does not exist`);
    return undefined;
  }
  const cert = secretValue(secret, 'tls.crt') ?? secretValue(secret, 'cert') ?? '';
  const key = secretValue(secret, 'tls.key') ?? secretValue(secret, 'key') ?? '';
  const problem = (certificateProblem(cert) && `tls.crt ${certificateProblem(cert)}`) || (privateKeyProblem(key) && `tls.key ${privateKeyProblem(key)}`) || keyPairProblem(cert, key);
  if (problem) {
    inputs.ctx.error(gw, `${path}.credentialName`, `Secret ${ns}/${name}: ${problem}`);
    return undefined;
  }
  return { name: tlsSecretName(ns, name), certificateChain: cert, privateKey: key, source: { kind: 'Secret', namespace: ns, name } };
}

export function buildIngressGateway(gw: InputDocument, inputs: MeshInputs): Proxy | undefined {
  const { ctx, virtualServices } = inputs;
  const ns = namespaceOf(gw);
  const gwName = gw.metadata.name;
  const clusters = new ClusterSet(ctx, inputs.registry, inputs.rules, ns, inputs.peerModes);
  const client: RouteClient = { namespace: ns, labels: getStringMap(gw.spec, 'selector'), gateway: `${ns}/${gwName}` };
  const bound = virtualServices.forGateway(ns, gwName);
  const listeners: Listener[] = [];
  const secrets = new Map<string, TlsSecret>();
  getObjects(gw.spec, 'servers').forEach((server, i) => {
    const path = `spec.servers[${i}]`;
    ctx.unsupported(gw, server, path, ['defaultEndpoint']);
    const port = getNumber(getObject(server, 'port'), 'number') ?? 0;
    const protocol = (getString(getObject(server, 'port'), 'protocol') ?? 'HTTP').toUpperCase();
    const tls = getObject(server, 'tls');
    const mode = getString(tls, 'mode') ?? (protocol === 'HTTPS' ? 'SIMPLE' : undefined);
    if (!['HTTP', 'HTTPS', 'HTTP2', 'GRPC'].includes(protocol)) {
      ctx.statusOf(gw).warn(`${path}: protocol ${protocol} is not supported on ingress gateways (HTTP, HTTPS, HTTP2, GRPC); the server is left out`);
      return;
    }
    const https = protocol === 'HTTPS';
    if (https && mode !== 'SIMPLE') {
      ctx.statusOf(gw).warn(`${path}.tls.mode ${mode}: only SIMPLE TLS termination is supported; the server is left out`);
      return;
    }
    if (tls) ctx.unsupported(gw, tls, `${path}.tls`, ['serverCertificate', 'privateKey', 'caCertificates', 'caCrl', 'credentialNames', 'tlsCertificates', 'subjectAltNames', 'verifyCertificateSpki', 'verifyCertificateHash', 'maxProtocolVersion', 'cipherSuites']);
    const listenerName = getString(server, 'name') ?? `${protocol.toLowerCase()}-${port}-${i}`;
    const hosts = serverHosts(server, ns);
    const byHost = new Map<string, Route[]>();
    for (const vs of bound) {
      const vsNs = namespaceOf(vs.doc);
      for (const vsHost of vs.hosts) {
        for (const sh of hosts) {
          if (sh.namespace !== '*' && sh.namespace !== vsNs) continue;
          const host = intersect(sh.host, vsHost);
          if (!host) continue;
          const vhostName = `${listenerName}/${host}`;
          const routes = byHost.get(host) ?? [];
          routes.push(...httpRoutes(vs.doc, vhostName, port, client, ctx, clusters));
          byHost.set(host, routes);
        }
      }
    }
    const virtualHosts: VirtualHost[] = [...byHost.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([, routes]) => routes.length > 0)
      .map(([host, routes]) => ({ name: `${listenerName}/${host}`, domains: host === '*' ? ['*'] : [host, `${host}:${port}`], routes: dedupeNames(routes) }));
    if (virtualHosts.length === 0 && !getBoolean(tls, 'httpsRedirect')) ctx.statusOf(gw).warn(`${path}: no VirtualService routes this server's hosts; it answers 404`);
    const listener: { -readonly [K in keyof Listener]: Listener[K] } = {
      name: listenerName,
      address: getString(server, 'bind') ?? '0.0.0.0',
      port,
      protocol: https ? 'HTTPS' : 'HTTP',
      hostnames: hosts.some((h) => h.host === '*') ? [] : [...new Set(hosts.map((h) => h.host))].sort(),
      virtualHosts,
      options: DEFAULT_LISTENER_OPTIONS,
      source: { kind: 'Gateway', namespace: ns, name: gwName, section: `servers[${i}]` },
    };
    if (!https && getBoolean(tls, 'httpsRedirect')) listener.httpsRedirect = { statusCode: 301 };
    if (https && tls) {
      const secret = certificate(gw, tls, `${path}.tls`, inputs);
      if (!secret) return;
      secrets.set(secret.name, secret);
      const min = getString(tls, 'minProtocolVersion');
      listener.tls = { certificateSecrets: [secret.name], ...(min === 'TLSV1_2' ? { minVersion: 'TLSv1_2' } : min === 'TLSV1_3' ? { minVersion: 'TLSv1_3' } : {}) };
      if (min === 'TLSV1_0' || min === 'TLSV1_1') ctx.statusOf(gw).warn(`${path}.tls.minProtocolVersion ${min}: meshgate serves TLS 1.2 or later`);
    }
    listeners.push(listener);
  });
  const clusterList = clusters.list();
  for (const s of clusters.tlsSecrets()) secrets.set(s.name, s);
  const needsIdentity = clusterList.some((c) => c.tls?.mesh);
  return {
    name: istioGatewayProxyName(ns, gwName),
    kind: 'gateway',
    listeners,
    clusters: clusterList,
    secrets: [...secrets.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    ...(needsIdentity
      ? {
          mesh: {
            workload: ingressGatewayWorkload(gw, ctx.trustDomain),
            captureMode: 'explicit' as const,
            inbound: [],
            outbound: [],
          },
        }
      : {}),
  };
}

/** A VirtualService bound twice to one host (two server hosts covering it) would repeat route names. */
function dedupeNames(routes: Route[]): Route[] {
  const seen = new Set<string>();
  return routes.filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)));
}
