// Kong upstreams and targets → Backend endpoints and BackendPolicy settings: target weights (0 =
// disabled), the balancing algorithm with its hash keys, active health checks and passive ones
// (outlier detection). decK writes every default; an interval or counter of 0 means "off" in
// Kong, and defaults are never errors.
import { isIP } from 'node:net';
import type { JsonObject } from '../../src/envoy/resource';
import { getArray, getNumber, getObject, getString } from '../core/json';
import { PRECISE_HOSTNAME_PATTERN } from '../gateway-api/schemas/common';
import { durationOfSeconds } from './durations';
import type { KongTarget, KongUpstream } from './model';
import { at, type Problems } from './problems';

export interface Target {
  readonly path: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  readonly ip: boolean;
}

/** Kong's default target port when a target gives none. */
const DEFAULT_TARGET_PORT = 8000;
const DEFAULT_TARGET_WEIGHT = 100;
/** meshgate Backend endpoint weights are 1..128. */
const MAX_ENDPOINT_WEIGHT = 128;

/** "10.0.0.1:8080", "[::1]:80", "api.internal" (port 8000). */
export function parseTarget(target: KongTarget, problems: Problems): Target | undefined {
  const text = getString(target.raw, 'target') ?? '';
  const path = at(target.path, 'target');
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const host = m?.[1]?.toLowerCase();
  const port = m?.[2] !== undefined ? Number(m[2]) : DEFAULT_TARGET_PORT;
  if (!host || port < 1 || port > 65535) {
    problems.error(path, `"${text}" is not host[:port] (an IP address or a DNS name, and a port 1-65535)`);
    return undefined;
  }
  const ip = isIP(host) !== 0;
  if (!ip && !PRECISE_HOSTNAME_PATTERN.test(host)) {
    problems.error(path, `"${host}" is neither an IP address nor a DNS name`);
    return undefined;
  }
  return { path: target.path, host, port, weight: getNumber(target.raw, 'weight') ?? DEFAULT_TARGET_WEIGHT, ip };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Target weights as endpoint weights (1..128), exact when they fit, else rounded (with a warning). */
export function endpointWeights(weights: readonly number[], path: string, problems: Problems): (number | undefined)[] {
  if (weights.every((w) => w === weights[0])) return weights.map(() => undefined);
  const divisor = weights.reduce((g, w) => gcd(g, w), 0) || 1;
  const reduced = weights.map((w) => w / divisor);
  const max = Math.max(...reduced);
  if (max <= MAX_ENDPOINT_WEIGHT) return reduced;
  const scaled = reduced.map((w) => Math.max(1, Math.round((w * MAX_ENDPOINT_WEIGHT) / max)));
  problems.warn(at(path, 'targets'), `target weights ${weights.join(':')} are applied as ${scaled.join(':')} (endpoint weights go up to ${MAX_ENDPOINT_WEIGHT})`);
  return scaled;
}

type HashKey = JsonObject;

function hashKey(upstream: KongUpstream, which: 'on' | 'fallback', problems: Problems): HashKey | 'none' | undefined {
  const field = which === 'on' ? 'hash_on' : 'hash_fallback';
  const kind = getString(upstream.raw, field) ?? 'none';
  const path = at(upstream.path, field);
  const named = (f: string): string | undefined => getString(upstream.raw, f);
  switch (kind) {
    case 'none':
      return 'none';
    case 'ip':
      return { sourceIP: true };
    case 'consumer':
      // The authenticated consumer travels in x-consumer-username (see SecurityPolicy forwardConsumerHeader).
      return { header: 'x-consumer-username' };
    case 'header': {
      const name = named(which === 'on' ? 'hash_on_header' : 'hash_fallback_header');
      if (name === undefined) problems.error(path, `hash on header needs ${which === 'on' ? 'hash_on_header' : 'hash_fallback_header'}`);
      return name === undefined ? undefined : { header: name.toLowerCase() };
    }
    case 'cookie': {
      const name = named('hash_on_cookie');
      if (name === undefined) {
        problems.error(path, 'hash on cookie needs hash_on_cookie');
        return undefined;
      }
      const cookiePath = named('hash_on_cookie_path') ?? '/';
      if (cookiePath !== '/' && problems.cannotHonour(at(upstream.path, 'hash_on_cookie_path'), 'the generated cookie cannot be given a path other than "/"') === false) return undefined;
      // A TTL of 0 makes Envoy issue a session cookie when the request has none, as Kong does.
      return { cookie: { name, ttl: '0s' } };
    }
    case 'query_arg': {
      const name = named(which === 'on' ? 'hash_on_query_arg' : 'hash_fallback_query_arg');
      if (name === undefined) problems.error(path, `hash on query_arg needs ${which === 'on' ? 'hash_on_query_arg' : 'hash_fallback_query_arg'}`);
      return name === undefined ? undefined : { queryParameter: name };
    }
    default:
      problems.cannotHonour(path, `hashing on ${kind} is not supported (use ip, consumer, header, cookie or query_arg)`);
      return undefined;
  }
}

/** BackendPolicy loadBalancer for the upstream's algorithm, or undefined for round-robin. */
export function loadBalancer(upstream: KongUpstream, problems: Problems): JsonObject | undefined {
  const algorithm = getString(upstream.raw, 'algorithm') ?? 'round-robin';
  const path = at(upstream.path, 'algorithm');
  if (algorithm === 'least-connections') return { type: 'LeastRequest' };
  if (algorithm === 'latency' || algorithm === 'sticky-sessions') {
    problems.cannotHonour(path, `the ${algorithm} algorithm has no Envoy equivalent (use round-robin, least-connections or consistent-hashing)`);
    return undefined;
  }
  const on = hashKey(upstream, 'on', problems);
  const fallback = getString(upstream.raw, 'hash_fallback') ?? 'none';
  if (fallback !== 'none') problems.cannotHonour(at(upstream.path, 'hash_fallback'), 'Envoy combines hash keys instead of falling back from one to the next');
  // Kong hashes only with consistent-hashing; hash_on none there means weighted round-robin.
  if (algorithm !== 'consistent-hashing' || on === 'none' || on === undefined) return undefined;
  const slots = getNumber(upstream.raw, 'slots');
  return { type: 'RingHash', hashOn: [on], ...(slots !== undefined ? { minimumRingSize: slots } : {}) };
}

function numberAt(o: JsonObject | undefined, key: string): number {
  return getNumber(o, key) ?? 0;
}

/** BackendPolicy healthCheck from healthchecks.active, when probing is on (an interval > 0). */
export function activeHealthCheck(upstream: KongUpstream, problems: Problems): JsonObject | undefined {
  const active = getObject(getObject(upstream.raw, 'healthchecks'), 'active');
  if (!active) return undefined;
  const path = at(upstream.path, 'healthchecks.active');
  const healthy = getObject(active, 'healthy');
  const unhealthy = getObject(active, 'unhealthy');
  const healthyInterval = numberAt(healthy, 'interval');
  const unhealthyInterval = numberAt(unhealthy, 'interval');
  if (healthyInterval === 0 && unhealthyInterval === 0) return undefined;
  if (healthyInterval > 0 && unhealthyInterval > 0 && healthyInterval !== unhealthyInterval) {
    problems.cannotHonour(at(path, 'unhealthy.interval'), `Envoy probes at one interval; healthy.interval ${healthyInterval}s is used for unhealthy targets too`);
  }
  const headers = getObject(active, 'headers');
  if (headers && Object.keys(headers).length > 0) problems.cannotHonour(at(path, 'headers'), 'custom health check request headers are not supported');
  if (getString(active, 'https_sni') !== undefined) problems.cannotHonour(at(path, 'https_sni'), 'health checks use the upstream TLS settings of the service');
  const type = getString(active, 'type') ?? 'http';
  const failures = type === 'tcp' ? numberAt(unhealthy, 'tcp_failures') : numberAt(unhealthy, 'http_failures');
  const unhealthyThreshold = failures || numberAt(unhealthy, 'timeouts') || numberAt(unhealthy, 'tcp_failures') || 1;
  const statuses = getArray(healthy, 'http_statuses').filter((s): s is number => typeof s === 'number' && s >= 100 && s <= 599);
  const check: JsonObject = {
    interval: durationOfSeconds(healthyInterval || unhealthyInterval),
    timeout: durationOfSeconds(getNumber(active, 'timeout') ?? 1),
    healthyThreshold: Math.max(1, numberAt(healthy, 'successes')),
    unhealthyThreshold,
  };
  if (type === 'tcp') check['tcp'] = {};
  else if (type === 'grpc' || type === 'grpcs') check['grpc'] = {};
  else check['http'] = { path: getString(active, 'http_path') ?? '/', ...(statuses.length > 0 ? { expectedStatuses: statuses.map(String) } : {}) };
  return check;
}

/** BackendPolicy outlierDetection from healthchecks.passive, when a failure counter is set. */
export function passiveHealthCheck(upstream: KongUpstream, problems: Problems): JsonObject | undefined {
  const checks = getObject(upstream.raw, 'healthchecks');
  const threshold = getNumber(checks, 'threshold') ?? 0;
  if (threshold > 0) problems.cannotHonour(at(upstream.path, 'healthchecks.threshold'), 'an upstream-wide health threshold is not supported');
  const unhealthy = getObject(getObject(checks, 'passive'), 'unhealthy');
  const http = numberAt(unhealthy, 'http_failures');
  const connect = Math.max(numberAt(unhealthy, 'tcp_failures'), numberAt(unhealthy, 'timeouts'));
  if (http === 0 && connect === 0) return undefined;
  problems.warn(at(upstream.path, 'healthchecks.passive'), 'passive checks eject a failing target for 30s and then retry it (Kong keeps it down until an active check or an operator revives it); 5xx responses count as failures');
  return { ...(http > 0 ? { consecutive5xx: http } : {}), ...(connect > 0 ? { consecutiveGatewayErrors: connect } : {}) };
}
