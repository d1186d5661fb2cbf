// Request body size limit: envoy.filters.http.buffer buffers the body up to max_request_bytes and
// answers 413 beyond it. Per route as BufferPerRoute.
import type { JsonObject } from '../../envoy/resource';
import { typed } from '../json';
import { perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const BUFFER_FILTER = 'envoy.filters.http.buffer';

function buffer(maxRequestBytes: number): JsonObject {
  return { max_request_bytes: maxRequestBytes };
}

export const bufferFilter: HttpFilterModule = {
  id: 'buffer',
  instances({ chain }) {
    const limits = chain.routes.map((r) => r.policy.maxRequestBodyBytes).filter((n): n is number => n !== undefined);
    if (limits.length === 0) return [];
    // max_request_bytes is required at filter level too; the filter is off unless a route enables
    // it with its own limit, so the value only has to be valid.
    const config = typed('envoy.extensions.filters.http.buffer.v3.Buffer', buffer(Math.max(...limits)));
    return [
      perRouteInstance(BUFFER_FILTER, config, (r) =>
        r.policy.maxRequestBodyBytes !== undefined ? typed('envoy.extensions.filters.http.buffer.v3.BufferPerRoute', { buffer: buffer(r.policy.maxRequestBodyBytes) }) : undefined,
      ),
    ];
  },
};
