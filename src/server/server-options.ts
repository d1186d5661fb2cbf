// Transport settings of the xDS gRPC server (rules 22 and 24), with production defaults.
import type * as grpc from '@grpc/grpc-js';

export interface TransportOptions {
  /** Largest request accepted. A reconnecting Envoy lists every resource it holds (default 64 MiB). */
  readonly maxReceiveMessageBytes?: number;
  /** Server keepalive ping interval (default 30 s). */
  readonly keepaliveTimeMs?: number;
  /** How long a keepalive ping may go unanswered before the connection is dropped (default 10 s). */
  readonly keepaliveTimeoutMs?: number;
  /** Connections are asked to reconnect after this long, spreading proxies over replicas (default 30 min). */
  readonly maxConnectionAgeMs?: number;
  /** Time given to streams after the GOAWAY of maxConnectionAgeMs before they are cut (default 10 s). */
  readonly maxConnectionAgeGraceMs?: number;
  /** Any further grpc-js server options; these win over the ones above. */
  readonly grpcOptions?: grpc.ServerOptions;
}

export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_KEEPALIVE_TIME_MS = 30_000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_CONNECTION_AGE_MS = 30 * 60_000;
export const DEFAULT_MAX_CONNECTION_AGE_GRACE_MS = 10_000;

export function grpcServerOptions(o: TransportOptions = {}): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': o.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_time_ms': o.keepaliveTimeMs ?? DEFAULT_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': o.keepaliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS,
    'grpc.max_connection_age_ms': o.maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS,
    'grpc.max_connection_age_grace_ms': o.maxConnectionAgeGraceMs ?? DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
    // Channelz keeps per-connection history; a control plane with thousands of proxies reconnecting
    // does not need it, and it would make memory grow with churn.
    'grpc.enable_channelz': 0,
    ...o.grpcOptions,
  };
}
