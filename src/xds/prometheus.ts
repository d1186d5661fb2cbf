// Envoy's own Prometheus metrics on a listener path: a route that forwards the path to the admin
// interface's /stats/prometheus through a static cluster. The admin address is the one the
// bootstrap (envoy/gateway.yaml) binds; only the stats path is exposed, never the rest of admin.
import type { JsonObject } from '../envoy/resource';

export const ENVOY_ADMIN_CLUSTER = 'meshgate_envoy_admin';
export const ENVOY_ADMIN_ADDRESS = '127.0.0.1';
export const ENVOY_ADMIN_PORT = 9901;
export const PROMETHEUS_STATS_ROUTE = 'prometheus_stats';

export function prometheusStatsRoute(path: string): JsonObject {
  return {
    name: PROMETHEUS_STATS_ROUTE,
    match: { path, headers: [{ name: ':method', string_match: { exact: 'GET' } }] },
    route: { cluster: ENVOY_ADMIN_CLUSTER, prefix_rewrite: '/stats/prometheus' },
  };
}

/** A STATIC cluster (the enum's zero value, so `type` is absent) with the admin address inline. */
export function envoyAdminCluster(): JsonObject {
  return {
    name: ENVOY_ADMIN_CLUSTER,
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: ENVOY_ADMIN_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: ENVOY_ADMIN_ADDRESS, port_value: ENVOY_ADMIN_PORT } } } }] }],
    },
  };
}
