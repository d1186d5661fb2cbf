// IR → Envoy resources for one proxy group: Listeners (with their RouteConfigurations), Clusters,
// ClusterLoadAssignments and Secrets in Envoy's canonical JSON. A pure function: the same Proxy
// always gives the same resources, in the same order (by type in push order, then by name).
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { PUSH_ORDER, type ResourceTypeUrl, TypeUrl } from '../envoy/type-urls';
import type { Proxy } from '../ir/types';
import { buildCluster, buildLoadAssignment } from './clusters';
import { XdsBuildError } from './errors';
import { compareStrings } from './json';
import { buildListener } from './listener';
import { buildMeshResources } from './mesh';
import { planListeners } from './plan';
import { envoyAdminCluster } from './prometheus';
import { buildSecret } from './secrets';

export { XdsBuildError } from './errors';
export { HTTP_FILTER_ORDER } from './filters/registry';
export { RATE_LIMIT_DESCRIPTOR_KEYS } from './filters/ratelimit';
export { ENVOY_ADMIN_CLUSTER, PROMETHEUS_STATS_ROUTE } from './prometheus';
export { listenerName } from './plan';

function resource(typeUrl: ResourceTypeUrl, name: string, json: JsonObject): EnvoyResource {
  return { typeUrl, name, json };
}

function byPushOrderThenName(a: EnvoyResource, b: EnvoyResource): number {
  return PUSH_ORDER.indexOf(a.typeUrl) - PUSH_ORDER.indexOf(b.typeUrl) || compareStrings(a.name, b.name);
}

export function buildProxyResources(proxy: Proxy): EnvoyResource[] {
  const out: EnvoyResource[] = [];
  const clusterNames = new Set<string>();
  for (const cluster of proxy.clusters) {
    if (clusterNames.has(cluster.name)) throw new XdsBuildError(`two clusters are named "${cluster.name}"`, cluster.source);
    clusterNames.add(cluster.name);
    out.push(resource(TypeUrl.Cluster, cluster.name, buildCluster(cluster)));
    const assignment = buildLoadAssignment(cluster);
    if (assignment) out.push(resource(TypeUrl.ClusterLoadAssignment, cluster.name, assignment));
  }

  const plans = planListeners(proxy.listeners);
  for (const plan of plans) {
    const built = buildListener(proxy, plan);
    out.push(resource(TypeUrl.Listener, plan.name, built.listener));
    for (const routes of built.routeConfigurations) out.push(resource(TypeUrl.RouteConfiguration, String(routes['name']), routes));
  }
  if (plans.some((p) => p.chains.some((c) => c.options.prometheusStatsPath))) {
    const admin = envoyAdminCluster();
    if (clusterNames.has(String(admin['name']))) throw new XdsBuildError(`cluster name "${String(admin['name'])}" is reserved for Envoy's admin stats`);
    out.push(resource(TypeUrl.Cluster, String(admin['name']), admin));
  }

  // Sidecars: inbound/outbound listeners, their route tables and the clusters to the local app.
  for (const meshResource of buildMeshResources(proxy)) {
    if (meshResource.typeUrl === TypeUrl.Cluster && clusterNames.has(meshResource.name)) throw new XdsBuildError(`cluster name "${meshResource.name}" is reserved for the sidecar`);
    out.push(meshResource);
  }
  for (const secret of proxy.secrets) out.push(resource(TypeUrl.Secret, secret.name, buildSecret(secret)));
  return out.sort(byPushOrderThenName);
}
