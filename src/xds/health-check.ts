// Active health checks: HTTP (path + expected statuses), TCP (connect only) or gRPC
// (grpc.health.v1.Health/Check).
import type { JsonObject } from '../envoy/resource';
import type { HealthCheck } from '../ir/cluster';
import { compact, duration, int64, list } from './json';

export function healthCheck(check: HealthCheck, http2: boolean): JsonObject {
  let checker: JsonObject;
  switch (check.type) {
    case 'http':
      checker = {
        http_health_check: compact({
          path: check.path ?? '/',
          // Int64Range: start inclusive, end exclusive; 64-bit values are strings in proto3 JSON.
          expected_statuses: list((check.expectedStatuses ?? []).map((r) => ({ start: int64(r.start), end: int64(r.end) }))),
          codec_client_type: http2 ? 'HTTP2' : undefined,
        }),
      };
      break;
    case 'tcp':
      checker = { tcp_health_check: {} };
      break;
    case 'grpc':
      checker = { grpc_health_check: {} };
      break;
  }
  return {
    timeout: duration(check.timeoutMs),
    interval: duration(check.intervalMs),
    unhealthy_threshold: check.unhealthyThreshold,
    healthy_threshold: check.healthyThreshold,
    ...checker,
  };
}
