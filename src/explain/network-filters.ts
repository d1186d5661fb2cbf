// Step 3: what the selected filter chain does with the connection: its TLS context (and the SDS
// secrets it needs) and its network filters, of which HttpConnectionManager or tcp_proxy is last.
import type { JsonObject } from '../envoy/resource';
import { anyTypeName, obj, objs, str, strs } from './json';
import type { ResourceIndex } from './resource-index';
import type { Trace } from './trace';

export const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const TCP_PROXY_TYPE = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const DOWNSTREAM_TLS_TYPE = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

export interface ChainTls {
  readonly tls: boolean;
  readonly secrets: { readonly name: string; readonly found: boolean }[];
  readonly alpn: readonly string[];
}

export function chainTls(chain: JsonObject, index: ResourceIndex, trace: Trace): ChainTls {
  const socket = obj(chain, 'transport_socket');
  const config = obj(socket, 'typed_config');
  const isTls = socket !== undefined && (anyTypeName(config) === DOWNSTREAM_TLS_TYPE || str(socket, 'name') === 'envoy.transport_sockets.tls');
  if (!isTls) return { tls: false, secrets: [], alpn: [] };
  const common = obj(config, 'common_tls_context');
  const secrets = objs(common, 'tls_certificate_sds_secret_configs').map((s) => {
    const name = str(s, 'name') ?? '';
    return { name, found: index.secret(name) !== undefined };
  });
  const inline = objs(common, 'tls_certificates').length;
  const alpn = strs(common, 'alpn_protocols');
  const parts = [
    ...secrets.map((s) => `SDS secret "${s.name}"${s.found ? '' : ' (NOT in this proxy\'s secrets: the chain stays warming and serves nothing)'}`),
    ...(inline > 0 ? [`${inline} inline certificate(s)`] : []),
  ];
  trace.step(`TLS: the chain terminates TLS with ${parts.length > 0 ? parts.join(', ') : 'no certificate'}${alpn.length > 0 ? `; ALPN [${alpn.join(', ')}]` : ''}`);
  return { tls: true, secrets, alpn };
}

export interface NetworkFilter {
  readonly name: string;
  readonly type: string;
  readonly config: JsonObject;
}

export function networkFilters(chain: JsonObject): NetworkFilter[] {
  return objs(chain, 'filters').map((f) => {
    const config = obj(f, 'typed_config') ?? {};
    return { name: str(f, 'name') ?? '', type: anyTypeName(config) ?? '', config };
  });
}

export interface RouteTable {
  readonly name: string;
  readonly source: 'rds' | 'inline';
  readonly config?: JsonObject;
}

/** The HCM's route table: rds.route_config_name looked up among the RouteConfigurations, or route_config inline. */
export function routeTableOf(hcm: JsonObject, index: ResourceIndex, trace: Trace): RouteTable | undefined {
  const rds = obj(hcm, 'rds');
  if (rds) {
    const name = str(rds, 'route_config_name') ?? '';
    const config = index.routeConfig(name);
    trace.step(config ? `routes: RDS route configuration "${name}"` : `routes: RDS route configuration "${name}" is NOT in this proxy's resources: Envoy waits for it and answers nothing on this listener meanwhile`);
    return { name, source: 'rds', ...(config ? { config } : {}) };
  }
  const inline = obj(hcm, 'route_config');
  if (inline) {
    const name = str(inline, 'name') ?? '';
    trace.step(`routes: inline route configuration${name ? ` "${name}"` : ''}`);
    return { name, source: 'inline', config: inline };
  }
  if (obj(hcm, 'scoped_routes')) trace.step('routes: scoped routes (SRDS) are not evaluated by explain');
  else trace.step('routes: the HttpConnectionManager has no route configuration');
  return undefined;
}
