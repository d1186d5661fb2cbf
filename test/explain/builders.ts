// Small hand-written Envoy resources for explain tests, in the canonical JSON src/xds produces.
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { ExplainRequest } from '../../src/explain';

const T = 'type.googleapis.com/';

export const HCM_TYPE = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;

export const routerFilter: JsonObject = {
  name: 'envoy.filters.http.router',
  typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router` },
};

export const tlsInspector: JsonObject = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: { '@type': `${T}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector` },
};

export function httpFilter(name: string, type: string, config: JsonObject = {}, extra: JsonObject = {}): JsonObject {
  return { name, typed_config: { '@type': `${T}${type}`, ...config }, ...extra };
}

export interface ChainOptions {
  readonly name?: string;
  readonly match?: JsonObject;
  /** RDS name (default "rc") unless inline routes are given. */
  readonly rds?: string;
  readonly inlineRoutes?: JsonObject;
  /** HTTP filters before the router. */
  readonly httpFilters?: readonly JsonObject[];
  readonly hcm?: JsonObject;
  /** Terminate TLS with this SDS secret. */
  readonly tlsSecret?: string;
}

export function hcmChain(o: ChainOptions = {}): JsonObject {
  const routes: JsonObject = o.inlineRoutes ? { route_config: o.inlineRoutes } : { rds: { route_config_name: o.rds ?? 'rc', config_source: { ads: {}, resource_api_version: 'V3' } } };
  const chain: JsonObject = {
    ...(o.name ? { name: o.name } : {}),
    ...(o.match ? { filter_chain_match: o.match } : {}),
    filters: [
      {
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: { '@type': HCM_TYPE, stat_prefix: 'http', ...routes, http_filters: [...(o.httpFilters ?? []), routerFilter], ...(o.hcm ?? {}) },
      },
    ],
  };
  if (o.tlsSecret) {
    chain['transport_socket'] = {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
        common_tls_context: { tls_certificate_sds_secret_configs: [{ name: o.tlsSecret, sds_config: { ads: {}, resource_api_version: 'V3' } }] },
      },
    };
  }
  return chain;
}

export interface ListenerOptions {
  readonly address?: string;
  readonly listenerFilters?: readonly JsonObject[];
  readonly defaultChain?: JsonObject;
}

export function listener(name: string, port: number, chains: readonly JsonObject[], o: ListenerOptions = {}): EnvoyResource {
  return {
    typeUrl: TypeUrl.Listener,
    name,
    json: {
      name,
      address: { socket_address: { address: o.address ?? '0.0.0.0', port_value: port } },
      ...(o.listenerFilters ? { listener_filters: [...o.listenerFilters] } : {}),
      filter_chains: [...chains],
      ...(o.defaultChain ? { default_filter_chain: o.defaultChain } : {}),
    },
  };
}

export function vhost(name: string, domains: readonly string[], routes: readonly JsonObject[], extra: JsonObject = {}): JsonObject {
  return { name, domains: [...domains], routes: [...routes], ...extra };
}

export function routeConfig(name: string, vhosts: readonly JsonObject[], extra: JsonObject = {}): EnvoyResource {
  return { typeUrl: TypeUrl.RouteConfiguration, name, json: { name, virtual_hosts: [...vhosts], ...extra } };
}

/** A route forwarding to `cluster`. */
export function fwd(name: string, match: JsonObject, cluster: string, action: JsonObject = {}, extra: JsonObject = {}): JsonObject {
  return { name, match, route: { cluster, ...action }, ...extra };
}

export function edsCluster(name: string, extra: JsonObject = {}): EnvoyResource {
  return {
    typeUrl: TypeUrl.Cluster,
    name,
    json: { name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } }, connect_timeout: '2s', ...extra },
  };
}

export function endpoints(cluster: string, eps: readonly { address: string; port: number; weight?: number; zone?: string }[]): EnvoyResource {
  const byZone = new Map<string, JsonObject[]>();
  for (const e of eps) {
    const zone = e.zone ?? '';
    byZone.set(zone, [...(byZone.get(zone) ?? []), { endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } }, ...(e.weight ? { load_balancing_weight: e.weight } : {}) }]);
  }
  return {
    typeUrl: TypeUrl.ClusterLoadAssignment,
    name: cluster,
    json: { cluster_name: cluster, endpoints: [...byZone.entries()].map(([zone, lb]) => ({ ...(zone ? { locality: { zone } } : {}), lb_endpoints: lb })) },
  };
}

export function secret(name: string): EnvoyResource {
  return { typeUrl: TypeUrl.Secret, name, json: { name, tls_certificate: { certificate_chain: { inline_string: 'PEM' }, private_key: { inline_string: 'KEY' } } } };
}

export function req(o: Partial<ExplainRequest> = {}): ExplainRequest {
  return { port: 8080, host: 'example.com', method: 'GET', path: '/', ...o };
}

/** A plain HTTP gateway on 8080: one RDS route table "rc" with the given virtual hosts, cluster "backend" with endpoints. */
export function httpGateway(vhosts: readonly JsonObject[], o: { httpFilters?: readonly JsonObject[]; hcm?: JsonObject; routeConfigExtra?: JsonObject; clusters?: readonly string[] } = {}): EnvoyResource[] {
  const clusters = o.clusters ?? ['backend'];
  return [
    listener('http', 8080, [hcmChain({ ...(o.httpFilters ? { httpFilters: o.httpFilters } : {}), ...(o.hcm ? { hcm: o.hcm } : {}) })]),
    routeConfig('rc', vhosts, o.routeConfigExtra ?? {}),
    ...clusters.flatMap((c, i) => [edsCluster(c), endpoints(c, [{ address: `10.0.${i}.1`, port: 80 }])]),
  ];
}
