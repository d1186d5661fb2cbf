// Static endpoints → the ClusterLoadAssignment served over EDS (endpoint changes never drain a
// cluster), grouped by locality; endpoint labels become "envoy.lb" metadata for subset matching.
// Locality-aware balancing (IR localityLb) gives each locality its priority and weight.
import type { JsonObject } from '../envoy/resource';
import type { Endpoint, Locality, LocalityLoadBalancing } from '../ir/cluster';
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

export function localityKey(l: Locality | undefined): string {
  return [l?.region ?? '', l?.zone ?? '', l?.subZone ?? ''].join('\u0000');
}

export function clusterLoadAssignment(clusterName: string, endpoints: readonly Endpoint[], localityLb?: LocalityLoadBalancing): JsonObject {
  const ranks = new Map((localityLb?.localities ?? []).map((r) => [localityKey(r.locality), r]));
  const groups = new Map<string, Endpoint[]>();
  for (const endpoint of endpoints) {
    const key = localityKey(endpoint.locality);
    const group = groups.get(key);
    if (group) group.push(endpoint);
    else groups.set(key, [endpoint]);
  }
  const localities = [...groups.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([key, members]) => {
      const l = members[0]!.locality;
      const locality = compact({ region: l?.region, zone: l?.zone, sub_zone: l?.subZone });
      const rank = ranks.get(key);
      return compact({
        locality: Object.keys(locality).length > 0 ? locality : undefined,
        lb_endpoints: members.map(lbEndpoint),
        load_balancing_weight: rank?.weight,
        // 0 is the proto default, so it is left out (the canonical form).
        priority: rank && rank.priority > 0 ? rank.priority : undefined,
      });
    });
  return compact({ cluster_name: clusterName, endpoints: list(localities) });
}

/** The load_assignment of a DNS cluster: the one name Envoy resolves. */
export function dnsLoadAssignment(clusterName: string, hostname: string, port: number): JsonObject {
  return { cluster_name: clusterName, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(hostname, port) } }] }] };
}
