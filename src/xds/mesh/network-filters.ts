// Small shared pieces of mesh listeners: tcp_proxy, listener filters, HCM adjustments.
import type { JsonObject } from '../../envoy/resource';
import { statPrefix } from '../http-connection-manager';
import { typed } from '../json';

export const TLS_INSPECTOR_FILTER = 'envoy.filters.listener.tls_inspector';
export const ORIGINAL_DST_FILTER = 'envoy.filters.listener.original_dst';

export function tcpProxy(name: string, cluster: string): JsonObject {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: typed('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: statPrefix(name), cluster }),
  };
}

export function tlsInspector(): JsonObject {
  return { name: TLS_INSPECTOR_FILTER, typed_config: typed('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector') };
}

export function originalDst(): JsonObject {
  return { name: ORIGINAL_DST_FILTER, typed_config: typed('envoy.extensions.filters.listener.original_dst.v3.OriginalDst') };
}
