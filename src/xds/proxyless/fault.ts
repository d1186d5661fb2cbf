// Fault injection for gRPC clients: envoy.filters.http.fault is one of the few HTTP filters gRPC's
// xDS client runs. The HCM carries the filter with an empty HTTPFault (no fault), and each route
// that injects faults overrides it with its own HTTPFault in typed_per_filter_config, which gRPC
// reads as a plain HTTPFault (not wrapped in FilterConfig).
import type { JsonObject } from '../../envoy/resource';
import type { FaultPolicy } from '../../ir/mesh';
import { compact, duration, fractionalPercent, typed } from '../json';
import { FAULT_FILTER } from './names';

const HTTP_FAULT = 'envoy.extensions.filters.http.fault.v3.HTTPFault';

/** The HCM entry: the fault filter with nothing to inject until a route says otherwise. */
export function faultHttpFilter(): JsonObject {
  return { name: FAULT_FILTER, typed_config: typed(HTTP_FAULT) };
}

/** A route's HTTPFault for an IR FaultPolicy (gRPC status wins over HTTP status when both are set). */
export function routeFault(fault: FaultPolicy): JsonObject {
  const abort = fault.abort;
  // gRPC status 0 (OK) is no fault; it also could not be written (a proto3 zero is absent).
  const grpcStatus = abort?.grpcStatus !== undefined && abort.grpcStatus > 0 ? abort.grpcStatus : undefined;
  return typed(
    HTTP_FAULT,
    compact({
      delay: fault.delay ? { fixed_delay: duration(fault.delay.fixedDelayMs), percentage: fractionalPercent(fault.delay.percent) } : undefined,
      abort: abort
        ? compact({
            grpc_status: grpcStatus,
            http_status: grpcStatus === undefined ? abort.httpStatus ?? 503 : undefined,
            percentage: fractionalPercent(abort.percent),
          })
        : undefined,
    }),
  );
}

/**
 * Every call aborted with the HTTP status Envoy would have answered (redirects and direct
 * responses); gRPC maps it to a status code as it does for any HTTP error from a proxy.
 */
export function abortEveryCall(httpStatus: number): JsonObject {
  // HTTPFault only takes statuses in [200, 600).
  const status = httpStatus >= 200 && httpStatus < 600 ? httpStatus : 503;
  return typed(HTTP_FAULT, { abort: { http_status: status, percentage: fractionalPercent(100) } });
}
