// DestinationRule connectionPool → the cluster's circuit breaker, with Istio's defaults: istiod
// gives every cluster (sidecar inbound and outbound, gateways) thresholds at the largest uint32
// instead of Envoy's 1024 connections / pending / requests and 3 retries, and a connectionPool
// field replaces only its own threshold. As in Istio, 0 cannot be told from unset and so means
// the default (traffic-policy-check.ts reports it, since a user writing 0 rarely means "no limit").
import type { JsonObject } from '../../src/envoy/resource';
import type { CircuitBreaker } from '../../src/ir/cluster';
import { getNumber, getObject } from '../core/json';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The circuit breaker of a cluster no connectionPool speaks to. */
export const ISTIO_DEFAULT_CIRCUIT_BREAKER: CircuitBreaker = { unsetLimits: 'unlimited', trackRemaining: true };

type Limit = Exclude<keyof CircuitBreaker, 'unsetLimits' | 'trackRemaining'>;

/** Where each limit is set in a connectionPool: [limit, group, field]. */
export const POOL_LIMITS: readonly (readonly [Limit, 'tcp' | 'http', string])[] = [
  ['maxConnections', 'tcp', 'maxConnections'],
  ['maxPendingRequests', 'http', 'http1MaxPendingRequests'],
  ['maxRequests', 'http', 'http2MaxRequests'],
  ['maxRetries', 'http', 'maxRetries'],
  ['maxRequestsPerConnection', 'http', 'maxRequestsPerConnection'],
];

/** The circuit breaker for the effective connectionPool of one cluster (absent: Istio's defaults). */
export function istioCircuitBreaker(pool: JsonObject | undefined): CircuitBreaker {
  const cb: Mutable<CircuitBreaker> = { ...ISTIO_DEFAULT_CIRCUIT_BREAKER };
  for (const [limit, group, field] of POOL_LIMITS) {
    const value = getNumber(getObject(pool, group), field);
    if (value !== undefined && value > 0) cb[limit] = value;
  }
  return cb;
}
