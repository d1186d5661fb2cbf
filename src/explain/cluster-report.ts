// Step 8: a cluster's discovery type, load balancing policy and endpoints (from its EDS
// ClusterLoadAssignment, or its inline load_assignment).
import type { JsonObject } from '../envoy/resource';
import { anyTypeName, durationText, enumName, num, obj, objs, str } from './json';
import type { ResourceIndex } from './resource-index';
import type { ClusterReport, EndpointReport } from './types';

const CLUSTER_TYPES = ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'];
const LB_POLICIES = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH', 'RANDOM', 'ORIGINAL_DST_LB', 'MAGLEV', 'CLUSTER_PROVIDED', 'LOAD_BALANCING_POLICY_CONFIG'];
const HEALTH = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED'];
const UPSTREAM_TLS_TYPE = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const HTTP_PROTOCOL_OPTIONS_TYPE = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export function endpointsOf(clusterName: string, assignment: JsonObject | undefined): EndpointReport[] {
  const out: EndpointReport[] = [];
  for (const locality of objs(assignment, 'endpoints')) {
    const loc = obj(locality, 'locality');
    const region = str(loc, 'region');
    const zone = str(loc, 'zone');
    const subZone = str(loc, 'sub_zone');
    const localityWeight = num(locality, 'load_balancing_weight');
    const priority = num(locality, 'priority') ?? 0;
    for (const lbEndpoint of objs(locality, 'lb_endpoints')) {
      const endpoint = obj(lbEndpoint, 'endpoint');
      const sa = obj(obj(endpoint, 'address'), 'socket_address');
      const hostname = str(endpoint, 'hostname');
      const health = enumName(lbEndpoint, 'health_status', HEALTH);
      const port = num(sa, 'port_value');
      out.push({
        cluster: clusterName,
        address: str(sa, 'address') ?? str(obj(obj(endpoint, 'address'), 'pipe'), 'path') ?? '',
        ...(port !== undefined ? { port } : {}),
        ...(hostname ? { hostname } : {}),
        weight: num(lbEndpoint, 'load_balancing_weight') ?? 1,
        ...(localityWeight !== undefined ? { localityWeight } : {}),
        priority,
        ...(region || zone || subZone ? { locality: { ...(region ? { region } : {}), ...(zone ? { zone } : {}), ...(subZone ? { subZone } : {}) } } : {}),
        ...(health ? { healthStatus: health } : {}),
      });
    }
  }
  return out;
}

function lbPolicyOf(cluster: JsonObject): string {
  const policies = objs(obj(cluster, 'load_balancing_policy'), 'policies');
  if (policies.length > 0) {
    const ext = obj(policies[0], 'typed_extension_config');
    return anyTypeName(obj(ext, 'typed_config')) ?? str(ext, 'name') ?? 'LOAD_BALANCING_POLICY_CONFIG';
  }
  return enumName(cluster, 'lb_policy', LB_POLICIES) ?? 'ROUND_ROBIN';
}

function usesHttp2(cluster: JsonObject): boolean {
  if (obj(cluster, 'http2_protocol_options')) return true;
  const options = obj(cluster, 'typed_extension_protocol_options');
  for (const value of Object.values(options ?? {})) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    if (anyTypeName(value) !== HTTP_PROTOCOL_OPTIONS_TYPE) continue;
    if (obj(obj(value, 'explicit_http_config'), 'http2_protocol_options')) return true;
    if (obj(value, 'use_downstream_protocol_config')) return false;
  }
  return false;
}

/** A cluster the route sends to; `found: false` when this proxy has no such cluster. */
export function clusterReport(name: string, weight: number, percent: number, index: ResourceIndex): ClusterReport {
  const cluster = index.cluster(name);
  if (!cluster) return { name, weight, percent, found: false, endpoints: [] };
  const type = str(obj(cluster, 'cluster_type'), 'name') ?? enumName(cluster, 'type', CLUSTER_TYPES) ?? 'STATIC';
  let endpointSource: string;
  let endpoints: EndpointReport[];
  if (type === 'EDS') {
    const serviceName = str(obj(cluster, 'eds_cluster_config'), 'service_name') || name;
    const assignment = index.loadAssignment(serviceName);
    endpointSource = `eds:${serviceName}${assignment ? '' : ' (no ClusterLoadAssignment in this proxy\'s resources: no endpoints, requests get 503)'}`;
    endpoints = endpointsOf(name, assignment);
  } else {
    endpointSource = type === 'STRICT_DNS' || type === 'LOGICAL_DNS' ? 'dns' : 'load_assignment';
    endpoints = endpointsOf(name, obj(cluster, 'load_assignment'));
  }
  const socket = obj(cluster, 'transport_socket');
  const tlsConfig = obj(socket, 'typed_config');
  const upstreamTls = anyTypeName(tlsConfig) === UPSTREAM_TLS_TYPE || str(socket, 'name') === 'envoy.transport_sockets.tls';
  const sni = str(tlsConfig, 'sni');
  const connectTimeout = durationText(cluster, 'connect_timeout') ?? '5s';
  return {
    name,
    weight,
    percent,
    found: true,
    type,
    lbPolicy: lbPolicyOf(cluster),
    connectTimeout,
    ...(upstreamTls ? { upstreamTls: sni ? { sni } : {} } : {}),
    http2: usesHttp2(cluster),
    endpointSource,
    endpoints,
  };
}

export function describeCluster(c: ClusterReport): string {
  if (!c.found) return `cluster "${c.name}" is NOT in this proxy's clusters`;
  // Locality priority and weight only when set (Istio locality load balancing), so plain clusters read as before.
  const locality = (e: EndpointReport): string => [e.priority > 0 ? `priority ${e.priority}` : '', e.localityWeight !== undefined ? `locality weight ${e.localityWeight}` : ''].filter((t) => t !== '').join(', ');
  const eps = c.endpoints.map((e) => `${e.hostname ?? e.address}${e.port !== undefined ? `:${e.port}` : ''}${e.weight !== 1 ? ` (weight ${e.weight})` : ''}${e.locality?.zone ? ` [${e.locality.zone}]` : ''}${locality(e) ? ` (${locality(e)})` : ''}`);
  return `cluster "${c.name}": ${c.type}, ${c.lbPolicy}, connect timeout ${c.connectTimeout}${c.upstreamTls ? `, TLS${c.upstreamTls.sni ? ` (SNI ${c.upstreamTls.sni})` : ''}` : ''}${c.http2 ? ', HTTP/2' : ''}; endpoints from ${c.endpointSource}: ${eps.length > 0 ? eps.join(', ') : 'none'}`;
}
