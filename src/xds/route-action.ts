// IR ForwardAction → envoy.config.route.v3.RouteAction (or a direct response when there is no
// backend to send to).
import type { JsonObject } from '../envoy/resource';
import type { ForwardAction, HashKey, Mirror, PathMatch, RetryPolicy, WeightedBackend } from '../ir/route';
import { headerMutation } from './headers';
import { compact, duration, fractionalPercent, list } from './json';
import { pathRewrite } from './path-rewrite';

/** The status Gateway API asks for when a rule's backends cannot be used. */
const NO_BACKEND_STATUS = 500;

function weightedCluster(backend: WeightedBackend): JsonObject {
  const headers = headerMutation(backend.requestHeaders);
  return compact({
    name: backend.cluster,
    weight: backend.weight,
    request_headers_to_add: headers.toAdd,
    request_headers_to_remove: headers.toRemove,
  });
}

/** One backend → `cluster`; a split (or per-backend headers) → `weighted_clusters`. */
function clusterSpecifier(backends: readonly WeightedBackend[]): JsonObject {
  const only = backends.length === 1 ? backends[0]! : undefined;
  if (only && !only.requestHeaders) return { cluster: only.cluster };
  return { weighted_clusters: { clusters: backends.map(weightedCluster) } };
}

export function retryPolicy(retry: RetryPolicy): JsonObject {
  const codes = retry.retriableStatusCodes ?? [];
  const retryOn = [...retry.retryOn];
  // Status codes are only retried when "retriable-status-codes" is among the conditions.
  if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn.push('retriable-status-codes');
  return compact({
    retry_on: retryOn.length > 0 ? retryOn.join(',') : undefined,
    num_retries: retry.attempts,
    per_try_timeout: retry.perTryTimeoutMs !== undefined ? duration(retry.perTryTimeoutMs) : undefined,
    retriable_status_codes: list([...codes]),
    retry_back_off: retry.backoff
      ? compact({
          base_interval: duration(retry.backoff.baseIntervalMs),
          max_interval: retry.backoff.maxIntervalMs !== undefined ? duration(retry.backoff.maxIntervalMs) : undefined,
        })
      : undefined,
  });
}

export function mirrorPolicy(mirror: Mirror): JsonObject {
  return compact({
    cluster: mirror.cluster,
    runtime_fraction: mirror.percent !== undefined && mirror.percent < 100 ? { default_value: fractionalPercent(mirror.percent) } : undefined,
  });
}

export function hashPolicy(key: HashKey): JsonObject {
  switch (key.type) {
    case 'header':
      return { header: { header_name: key.name } };
    case 'cookie':
      return { cookie: compact({ name: key.name, ttl: key.ttlSeconds !== undefined ? duration(key.ttlSeconds * 1000) : undefined }) };
    case 'sourceIP':
      return { connection_properties: { source_ip: true } };
    case 'queryParameter':
      return { query_parameter: { name: key.name } };
  }
}

export interface ForwardExtras {
  /** RouteAction.rate_limits from the global rate limit filter. */
  readonly rateLimits: readonly JsonObject[];
}

/** The route's action fields: {route: ...} or, with nothing to forward to, {direct_response: ...}. */
export function forwardAction(action: ForwardAction, path: PathMatch, extras: ForwardExtras): JsonObject {
  if (action.unavailableStatus !== undefined) return { direct_response: { status: action.unavailableStatus } };
  if (action.backends.reduce((sum, b) => sum + b.weight, 0) <= 0) return { direct_response: { status: NO_BACKEND_STATUS } };
  const rewrite = action.rewrite;
  return {
    route: compact({
      ...clusterSpecifier(action.backends),
      ...(rewrite?.path ? pathRewrite(rewrite.path, path) : {}),
      host_rewrite_literal: rewrite?.host,
      timeout: action.timeoutMs !== undefined ? duration(action.timeoutMs) : undefined,
      idle_timeout: action.idleTimeoutMs !== undefined ? duration(action.idleTimeoutMs) : undefined,
      retry_policy: action.retry ? retryPolicy(action.retry) : undefined,
      request_mirror_policies: list((action.mirrors ?? []).map(mirrorPolicy)),
      rate_limits: list([...extras.rateLimits]),
      hash_policy: list((action.hashOn ?? []).map(hashPolicy)),
      // WebSocket upgrades are on for the whole listener (HCM upgrade_configs); a route opts out.
      upgrade_configs: action.websocket === false ? [{ upgrade_type: 'websocket', enabled: false }] : undefined,
    }),
  };
}
