// Which ClusterLoadAssignment a cluster reads: an EDS cluster asks for
// eds_cluster_config.service_name, or for its own name when that is empty.
import type { JsonObject, JsonValue } from '../envoy/resource';

/** Cluster.DiscoveryType.EDS as a name or as its enum number. */
function isEdsType(type: JsonValue | undefined): boolean {
  return type === 'EDS' || type === 3;
}

/** The assignment name an EDS cluster subscribes to, or undefined for any other cluster. */
export function edsServiceNameOf(cluster: JsonObject): string | undefined {
  if (!isEdsType(cluster['type'])) return undefined;
  const config = cluster['eds_cluster_config'];
  if (config && typeof config === 'object' && !Array.isArray(config)) {
    const serviceName = config['service_name'];
    if (typeof serviceName === 'string' && serviceName !== '') return serviceName;
  }
  const name = cluster['name'];
  return typeof name === 'string' ? name : undefined;
}
