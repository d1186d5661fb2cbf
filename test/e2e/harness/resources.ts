// Builders of the smallest resource set a proxyless gRPC client (@grpc/grpc-js-xds) accepts:
// an api_listener Listener whose HttpConnectionManager takes its routes over RDS (ADS) and runs
// only the router filter; a RouteConfiguration splitting traffic with weighted_clusters; EDS
// Clusters with ROUND_ROBIN; ClusterLoadAssignments whose locality carries a
// load_balancing_weight (gRPC drops localities without one). Also the deliberately invalid
// variants gRPC NACKs though Envoy's own proto rules allow them.
import type { EnvoyResource, JsonObject } from '../../../src/envoy/resource';
import { TypeUrl } from '../../../src/envoy/type-urls';

const HCM_TYPE_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const ADS_SOURCE: JsonObject = { ads: {}, resource_api_version: 'V3' };

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface ClusterWeight {
  readonly cluster: string;
  readonly weight: number;
}

/** A Listener that is an API listener for gRPC: HCM with RDS over ADS and the router filter. */
export function apiListener(name: string, routeConfigName: string): EnvoyResource {
  return {
    typeUrl: TypeUrl.Listener,
    name,
    json: {
      name,
      api_listener: {
        api_listener: {
          '@type': HCM_TYPE_URL,
          stat_prefix: name,
          rds: { route_config_name: routeConfigName, config_source: ADS_SOURCE },
          http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE_URL } }],
        },
      },
    },
  };
}

/** One virtual host for every domain, one catch-all route with the given action. */
function routeConfigurationWithAction(name: string, action: JsonObject): EnvoyResource {
  return {
    typeUrl: TypeUrl.RouteConfiguration,
    name,
    json: {
      name,
      virtual_hosts: [{ name: `${name}-vh`, domains: ['*'], routes: [{ match: { prefix: '' }, ...action }] }],
    },
  };
}

/** Every call goes to one of `weights`' clusters, in proportion to the weights. */
export function weightedRouteConfiguration(name: string, weights: readonly ClusterWeight[]): EnvoyResource {
  return routeConfigurationWithAction(name, {
    route: { weighted_clusters: { clusters: weights.map((w) => ({ name: w.cluster, weight: w.weight })) } },
  });
}

/** Envoy takes a redirect route; gRPC NACKs it ("unsupported action: redirect"). */
export function redirectRouteConfiguration(name: string): EnvoyResource {
  return routeConfigurationWithAction(name, { redirect: { host_redirect: 'elsewhere.example' } });
}

export interface ClusterOptions {
  /** gRPC takes ROUND_ROBIN (and RING_HASH); Envoy also takes LEAST_REQUEST, which gRPC NACKs. */
  readonly lbPolicy?: 'ROUND_ROBIN' | 'LEAST_REQUEST';
  readonly connectTimeout?: string;
}

/** An EDS cluster whose endpoints come over ADS under the cluster's own name. */
export function edsCluster(name: string, options: ClusterOptions = {}): EnvoyResource {
  return {
    typeUrl: TypeUrl.Cluster,
    name,
    json: {
      name,
      type: 'EDS',
      eds_cluster_config: { eds_config: ADS_SOURCE },
      connect_timeout: options.connectTimeout ?? '1s',
      lb_policy: options.lbPolicy ?? 'ROUND_ROBIN',
    },
  };
}

/** All endpoints in one locality (weight 1: gRPC drops localities without a weight). */
export function clusterLoadAssignment(clusterName: string, endpoints: readonly Endpoint[]): EnvoyResource {
  return {
    typeUrl: TypeUrl.ClusterLoadAssignment,
    name: clusterName,
    json: {
      cluster_name: clusterName,
      endpoints:
        endpoints.length === 0
          ? []
          : [
              {
                locality: { region: 'local', zone: 'local-a' },
                load_balancing_weight: 1,
                lb_endpoints: endpoints.map((e) => ({
                  endpoint: { address: { socket_address: { address: e.host, port_value: e.port } } },
                })),
              },
            ],
    },
  };
}

export interface ServiceSpec {
  /** LDS name the client dials (xds:///<listener>). */
  readonly listener: string;
  readonly routeConfig: string;
  /** Cluster name → its endpoints. */
  readonly clusters: Readonly<Record<string, readonly Endpoint[]>>;
  readonly weights: readonly ClusterWeight[];
}

/** The complete snapshot for one service: listener, routes, clusters and their endpoints. */
export function serviceResources(spec: ServiceSpec): EnvoyResource[] {
  const clusterNames = Object.keys(spec.clusters).sort();
  return [
    apiListener(spec.listener, spec.routeConfig),
    weightedRouteConfiguration(spec.routeConfig, spec.weights),
    ...clusterNames.map((c) => edsCluster(c)),
    ...clusterNames.map((c) => clusterLoadAssignment(c, spec.clusters[c] ?? [])),
  ];
}

/** `resources` with the resource of the same type and name as `replacement` swapped for it. */
export function replaceResource(resources: readonly EnvoyResource[], replacement: EnvoyResource): EnvoyResource[] {
  let found = false;
  const out = resources.map((r) => {
    if (r.typeUrl !== replacement.typeUrl || r.name !== replacement.name) return r;
    found = true;
    return replacement;
  });
  if (!found) throw new Error(`no ${replacement.typeUrl} named ${replacement.name} to replace`);
  return out;
}
