// Small, valid Envoy resources for cache and server tests.
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';

export function cluster(name: string, opts: { connectTimeout?: string; serviceName?: string; static?: boolean } = {}): EnvoyResource {
  const json: JsonObject = opts.static
    ? { name, type: 'STATIC', connect_timeout: opts.connectTimeout ?? '1s' }
    : {
        name,
        type: 'EDS',
        connect_timeout: opts.connectTimeout ?? '1s',
        eds_cluster_config: {
          eds_config: { ads: {}, resource_api_version: 'V3' },
          ...(opts.serviceName ? { service_name: opts.serviceName } : {}),
        },
        lb_policy: 'ROUND_ROBIN',
      };
  return { typeUrl: TypeUrl.Cluster, name, json };
}

export function assignment(name: string, ports: number[] = [8080]): EnvoyResource {
  return {
    typeUrl: TypeUrl.ClusterLoadAssignment,
    name,
    json: {
      cluster_name: name,
      endpoints: [
        {
          locality: { zone: 'z1' },
          load_balancing_weight: 1,
          lb_endpoints: ports.map((port) => ({
            endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } },
          })),
        },
      ],
    },
  };
}

export function listener(name: string, routeConfigName: string, port = 10000): EnvoyResource {
  return {
    typeUrl: TypeUrl.Listener,
    name,
    json: {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: port } },
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: name,
                rds: { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
                http_filters: [
                  {
                    name: 'envoy.filters.http.router',
                    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  };
}

/** A route configuration sending path prefix "/<cluster>" to each cluster. */
export function routeConfig(name: string, clusters: readonly string[]): EnvoyResource {
  return {
    typeUrl: TypeUrl.RouteConfiguration,
    name,
    json: {
      name,
      virtual_hosts: [
        {
          name: 'all',
          domains: ['*'],
          routes: clusters.map((c) => ({ match: { prefix: `/${c}` }, route: { cluster: c } })),
        },
      ],
    },
  };
}

export function secret(name: string, value = 'secret-value'): EnvoyResource {
  return {
    typeUrl: TypeUrl.Secret,
    name,
    json: { name, generic_secret: { secret: { inline_string: value } } },
  };
}
