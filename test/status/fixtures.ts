// Small valid Envoy resources, and a real SnapshotCache holding them, for status and admin tests.
import { SnapshotCache } from '../../src/cache/snapshot-cache';
import type { EnvoyResource } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';

export const ROUTER_FILTER = {
  name: 'envoy.filters.http.router',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
};

export function cluster(name: string, timeout = '1s'): EnvoyResource {
  return {
    typeUrl: TypeUrl.Cluster,
    name,
    json: { name, type: 'EDS', connect_timeout: timeout, eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } } },
  };
}

export function endpoints(name: string, port = 8080): EnvoyResource {
  return {
    typeUrl: TypeUrl.ClusterLoadAssignment,
    name,
    json: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: port } } } }] }],
    },
  };
}

export function listener(name: string, routeName: string): EnvoyResource {
  return {
    typeUrl: TypeUrl.Listener,
    name,
    json: {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: 10000 } },
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: name,
                rds: { route_config_name: routeName, config_source: { ads: {}, resource_api_version: 'V3' } },
                http_filters: [ROUTER_FILTER],
              },
            },
          ],
        },
      ],
    },
  };
}

export function routes(name: string, clusterName: string): EnvoyResource {
  return {
    typeUrl: TypeUrl.RouteConfiguration,
    name,
    json: {
      name,
      virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: clusterName } }] }],
    },
  };
}

export const PRIVATE_KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
export const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';

export function tlsSecret(name: string): EnvoyResource {
  return {
    typeUrl: TypeUrl.Secret,
    name,
    json: {
      name,
      tls_certificate: {
        certificate_chain: { inline_string: CERT_PEM },
        private_key: { inline_string: PRIVATE_KEY_PEM },
        password: { inline_string: 'hunter2' },
      },
    },
  };
}

export function genericSecret(name: string, value: string): EnvoyResource {
  return { typeUrl: TypeUrl.Secret, name, json: { name, generic_secret: { secret: { inline_bytes: Buffer.from(value).toString('base64') } } } };
}

/** A cache with no validator (tests build valid resources) holding `resources` in `group`. */
export function cacheWith(group: string, resources: readonly EnvoyResource[], now?: () => number): SnapshotCache {
  const cache = new SnapshotCache({ validator: () => [], debounceMs: 1, maxDelayMs: 5, now });
  cache.setSnapshot(group, resources);
  return cache;
}

/** The resources of the standard test snapshot. */
export function standardResources(): EnvoyResource[] {
  return [cluster('backend'), endpoints('backend'), listener('http', 'local'), routes('local', 'backend'), tlsSecret('edge-cert'), genericSecret('hmac', 's3cr3t-value')];
}
