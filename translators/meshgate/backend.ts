// Backend (meshgate.io/v1alpha1): a service outside Kubernetes, as static endpoints or a DNS name.
// Routes reference it with {group: meshgate.io, kind: Backend}; a core {kind: Service} reference
// resolves to the Backend of the same name and namespace (there is no Kubernetes to ask).
import type { InputDocument } from '../../src/documents/types';
import type { Cluster, Endpoint } from '../../src/ir/cluster';
import { ipProblem } from '../core/addresses';
import { namespaceOf } from '../core/documents';
import { getBoolean, getNumber, getObject, getObjects, getString, getStringMap } from '../core/json';
import { backendClusterName } from '../core/names';
import { arr, bool, int, map, obj, oneOfStrings, str } from '../schema';
import { port, preciseHostname } from '../gateway-api/schemas/common';
import { upstreamTls, upstreamTlsSchema } from './common';

const endpoint = obj(
  {
    address: str({ minLength: 1, check: ipProblem }),
    port,
    weight: int(1, 128),
    zone: str({ minLength: 1 }),
    region: str({ minLength: 1 }),
    subZone: str({ minLength: 1 }),
    labels: map(str({ maxLength: 63 })),
  },
  { required: ['address', 'port'] },
);

export const backendSpec = obj(
  {
    endpoints: arr(endpoint, { minItems: 1, uniqueBy: (e) => (typeof e === 'object' && e !== null && !Array.isArray(e) ? `${String(e['address'])}:${String(e['port'])}` : undefined), uniqueWhat: 'endpoint' }),
    dns: obj({ hostname: preciseHostname, port, logical: bool }, { required: ['hostname', 'port'] }),
    protocol: oneOfStrings('http', 'http2', 'grpc'),
    tls: upstreamTlsSchema,
  },
  { exactlyOneOf: ['endpoints', 'dns'] },
);

export type BackendProtocol = 'http' | 'http2' | 'grpc';

export function backendProtocol(doc: InputDocument): BackendProtocol | undefined {
  const p = getString(doc.spec, 'protocol');
  return p === 'http' || p === 'http2' || p === 'grpc' ? p : undefined;
}

/**
 * The cluster for a Backend as referenced: `portOverride` (a reference's port) replaces the
 * endpoints' ports; `inferGrpc` (a GRPCRoute reference to a Backend without a protocol) speaks
 * HTTP/2 and gets its own cluster name.
 */
export function backendCluster(doc: InputDocument, portOverride: number | undefined, inferGrpc: boolean): Cluster {
  const ns = namespaceOf(doc);
  const protocol = backendProtocol(doc);
  const grpcVariant = inferGrpc && protocol === undefined;
  const http2 = protocol === 'http2' || protocol === 'grpc' || grpcVariant;
  const dns = getObject(doc.spec, 'dns');
  const tls = getObject(doc.spec, 'tls');
  const discovery: Cluster['discovery'] = dns
    ? {
        type: 'dns',
        hostname: getString(dns, 'hostname') ?? '',
        port: portOverride ?? getNumber(dns, 'port') ?? 0,
        ...(getBoolean(dns, 'logical') === true ? { logical: true } : {}),
      }
    : { type: 'static', endpoints: getObjects(doc.spec, 'endpoints').map((e) => endpointOf(e, portOverride)) };
  return {
    name: backendClusterName(ns, doc.metadata.name, portOverride, grpcVariant),
    discovery,
    ...(http2 ? { http2: true } : {}),
    ...(tls ? { tls: upstreamTls(tls) } : {}),
    source: { kind: 'Backend', namespace: ns, name: doc.metadata.name },
  };
}

function endpointOf(e: Parameters<typeof getString>[0], portOverride: number | undefined): Endpoint {
  const weight = getNumber(e, 'weight');
  const region = getString(e, 'region');
  const zone = getString(e, 'zone');
  const subZone = getString(e, 'subZone');
  const labels = getStringMap(e, 'labels');
  const locality = { ...(region ? { region } : {}), ...(zone ? { zone } : {}), ...(subZone ? { subZone } : {}) };
  return {
    address: getString(e, 'address') ?? '',
    port: portOverride ?? getNumber(e, 'port') ?? 0,
    ...(weight !== undefined ? { weight } : {}),
    ...(Object.keys(locality).length > 0 ? { locality } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
  };
}
