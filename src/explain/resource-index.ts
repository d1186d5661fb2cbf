// One proxy's resources looked up by type and name.
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import { str } from './json';

export interface ResourceIndex {
  readonly listeners: readonly JsonObject[];
  routeConfig(name: string): JsonObject | undefined;
  cluster(name: string): JsonObject | undefined;
  loadAssignment(serviceName: string): JsonObject | undefined;
  secret(name: string): JsonObject | undefined;
}

export function indexResources(resources: readonly EnvoyResource[]): ResourceIndex {
  const byType = new Map<string, Map<string, JsonObject>>();
  const listeners: JsonObject[] = [];
  for (const r of resources) {
    if (r.typeUrl === TypeUrl.Listener) listeners.push(r.json);
    let names = byType.get(r.typeUrl);
    if (!names) byType.set(r.typeUrl, (names = new Map()));
    // Prefer the name inside the resource (cluster_name for endpoints), fall back to the wrapper's.
    const inner = r.typeUrl === TypeUrl.ClusterLoadAssignment ? str(r.json, 'cluster_name') : str(r.json, 'name');
    names.set(inner ?? r.name, r.json);
    if (inner !== undefined && inner !== r.name) names.set(r.name, r.json);
  }
  const get = (typeUrl: string, name: string): JsonObject | undefined => byType.get(typeUrl)?.get(name);
  return {
    listeners,
    routeConfig: (name) => get(TypeUrl.RouteConfiguration, name),
    cluster: (name) => get(TypeUrl.Cluster, name),
    loadAssignment: (name) => get(TypeUrl.ClusterLoadAssignment, name),
    secret: (name) => get(TypeUrl.Secret, name),
  };
}
