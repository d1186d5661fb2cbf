// One JSON line per request on Envoy's stdout (envoy.access_loggers.stdout), for `docker logs` and
// log shippers, or appended to a file (envoy.access_loggers.file, Kong's file-log). The fields
// follow Envoy's default access log, keyed for machines.
import type { JsonObject } from '../envoy/resource';
import { typed } from './json';

const JSON_FORMAT: JsonObject = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration_ms: '%DURATION%',
  upstream_service_time_ms: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  user_agent: '%REQ(USER-AGENT)%',
  request_id: '%REQ(X-REQUEST-ID)%',
  authority: '%REQ(:AUTHORITY)%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  route_name: '%ROUTE_NAME%',
};

export function stdoutJsonAccessLog(): JsonObject {
  return {
    name: 'envoy.access_loggers.stdout',
    typed_config: typed('envoy.extensions.access_loggers.stream.v3.StdoutAccessLog', { log_format: { json_format: { ...JSON_FORMAT } } }),
  };
}

/** The same JSON lines appended to `path` (Envoy opens the file itself and reopens it on SIGUSR1). */
export function fileJsonAccessLog(path: string): JsonObject {
  return {
    name: 'envoy.access_loggers.file',
    typed_config: typed('envoy.extensions.access_loggers.file.v3.FileAccessLog', { path, log_format: { json_format: { ...JSON_FORMAT } } }),
  };
}
