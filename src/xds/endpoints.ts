// Static endpoints → the ClusterLoadAssignment served over EDS (endpoint changes never drain a
// cluster), grouped by locality; endpoint labels become "envoy.lb" metadata for subset matching.
import type { JsonObject } from '../envoy/resource';
import type { Endpoint } from '../ir/cluster';
import { compact, compareStrings, list, sortedMap } from './json';

function socketAddress(address: string, port: number): JsonObject {
  return { socket_address: { address, port_value: port } };
}

function lbEndpoint(endpoint: Endpoint): JsonObject {
  const labels = endpoint.labels ? Object.entries(endpoint.labels) : [];
  return compact({
    endpoint: { address: socketAddress(endpoint.address, endpoint.port) },
    metadata: labels.length > 0 ? { filter_metadata: { 'envoy.lb': sortedMap(labels) } } : undefined,
    load_balancing_weight: endpoint.weight,
  });
}

function localityKey(endpoint: Endpoint): string {
  const l = endpoint.locality;
  return [l?.region ?? '', l?.zone ?? '', l?.subZone ?? ''].join('\u0000');
}

export function clusterLoadAssignment(clusterName: string, endpoints: readonly Endpoint[]): JsonObject {
  const groups = new Map<string, Endpoint[]>();
  for (const endpoint of endpoints) {
    const key = localityKey(endpoint);
    const group = groups.get(key);
    if (group) group.push(endpoint);
    else groups.set(key, [endpoint]);
  }
  const localities = [...groups.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, members]) => {
      const l = members[0]!.locality;
      const locality = compact({ region: l?.region, zone: l?.zone, sub_zone: l?.subZone });
      return compact({ locality: Object.keys(locality).length > 0 ? locality : undefined, lb_endpoints: members.map(lbEndpoint) });
    });
  return compact({ cluster_name: clusterName, endpoints: list(localities) });
}

/** The load_assignment of a DNS cluster: the one name Envoy resolves. */
export function dnsLoadAssignment(clusterName: string, hostname: string, port: number): JsonObject {
  return { cluster_name: clusterName, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(hostname, port) } }] }] };
}
