// The HttpConnectionManager of one filter chain: routes over RDS (named like the chain), the HTTP
// filters from the registry, and the listener options (access log, request ids, WebSocket, HTTP/2).
import type { JsonObject } from '../envoy/resource';
import { fileJsonAccessLog, stdoutJsonAccessLog } from './access-log';
import type { HttpFilterInstance } from './filters/types';
import { adsConfigSource, compact, flag, typed } from './json';
import type { FilterChainPlan } from './plan';

export const HTTP_CONNECTION_MANAGER_FILTER = 'envoy.filters.network.http_connection_manager';

// Envoy's edge-proxy recommendations for HTTP/2 from untrusted clients.
const HTTP2_PROTOCOL_OPTIONS: JsonObject = {
  max_concurrent_streams: 100,
  initial_stream_window_size: 65536,
  initial_connection_window_size: 1048576,
};

// Envoy 1.33 stopped treating RFC 1918 peers as internal and warns until this is set. At the edge
// only loopback peers are internal (trusted with x-envoy-* headers).
const INTERNAL_ADDRESSES: JsonObject = {
  cidr_ranges: [
    { address_prefix: '127.0.0.1', prefix_len: 32 },
    { address_prefix: '::1', prefix_len: 128 },
  ],
};

/** Stat prefixes are dot-separated stat name segments: keep names to safe characters. */
export function statPrefix(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function buildHttpConnectionManager(chain: FilterChainPlan, filters: readonly HttpFilterInstance[]): JsonObject {
  const options = chain.options;
  const http2 = options.http2 || chain.protocol === 'HTTPS';
  // IP rules that read X-Forwarded-For trust one proxy (a load balancer) in front of Envoy.
  const trustsForwardedFor = chain.routes.some((r) => r.policy.ipAccess?.useForwardedFor);
  return typed(
    'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    compact({
      // AUTO (the zero value) negotiates HTTP/2 by ALPN or h2c prior knowledge; HTTP1 refuses h2c.
      codec_type: http2 ? undefined : 'HTTP1',
      stat_prefix: statPrefix(chain.name),
      rds: { config_source: adsConfigSource(), route_config_name: chain.name },
      http_filters: filters.map((f) => f.httpFilter),
      http2_protocol_options: http2 ? { ...HTTP2_PROTOCOL_OPTIONS } : undefined,
      access_log: options.accessLog ? [options.accessLogPath !== undefined ? fileJsonAccessLog(options.accessLogPath) : stdoutJsonAccessLog()] : undefined,
      use_remote_address: true,
      xff_num_trusted_hops: trustsForwardedFor ? 1 : undefined,
      internal_address_config: INTERNAL_ADDRESSES,
      // A BoolValue whose default is true: written either way so "off" is visible.
      generate_request_id: options.requestId.generate,
      preserve_external_request_id: flag(options.requestId.preserveExternal),
      always_set_request_id_in_response: flag(options.requestId.returnInResponse),
      upgrade_configs: options.websocket ? [{ upgrade_type: 'websocket' }] : undefined,
      normalize_path: true,
      merge_slashes: true,
    }),
  );
}

export function hcmNetworkFilter(hcm: JsonObject): JsonObject {
  return { name: HTTP_CONNECTION_MANAGER_FILTER, typed_config: hcm };
}
