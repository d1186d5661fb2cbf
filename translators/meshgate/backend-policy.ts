// BackendPolicy (meshgate.io/v1alpha1): how clusters for a Backend (or Service) balance load and
// protect themselves: load balancer and hash keys, connect timeout, circuit breaker, outlier
// detection, active health checks, upstream TLS, HTTP/2.
import type { JsonObject } from '../../src/envoy/resource';
import type { CircuitBreaker, Cluster, HealthCheck, LoadBalancing, OutlierDetection } from '../../src/ir/cluster';
import type { HashKey } from '../../src/ir/route';
import { durationSchema, parseDurationMs } from '../core/durations';
import { getBoolean, getNumber, getObject, getObjects, getString, getStrings, has } from '../core/json';
import { arr, bool, int, obj, oneOfStrings, str, type SchemaIssue } from '../schema';
import { headerName } from '../gateway-api/schemas/common';
import { targetRefSchema, upstreamTls, upstreamTlsSchema } from './common';

const duration = durationSchema({ nonZero: true });
const STATUS_RANGE = /^([1-5][0-9]{2})(-([1-5][0-9]{2}))?$/;

const hashKey = obj(
  {
    header: headerName,
    cookie: obj({ name: str({ minLength: 1 }), ttl: durationSchema() }, { required: ['name'] }),
    sourceIP: bool,
    queryParameter: str({ minLength: 1 }),
  },
  { exactlyOneOf: ['header', 'cookie', 'sourceIP', 'queryParameter'] },
);

export const backendPolicySpec = obj(
  {
    targetRefs: arr(targetRefSchema(['Backend', 'Service']), { minItems: 1 }),
    loadBalancer: obj(
      {
        type: oneOfStrings('RoundRobin', 'LeastRequest', 'Random', 'RingHash', 'Maglev'),
        hashOn: arr(hashKey, { minItems: 1 }),
        minimumRingSize: int(1, 8_388_608),
      },
      {
        required: ['type'],
        check: (lb) => {
          const type = getString(lb, 'type');
          const issues: SchemaIssue[] = [];
          if (has(lb, 'hashOn') && type !== 'RingHash' && type !== 'Maglev') issues.push({ path: 'hashOn', reason: 'only used with type RingHash or Maglev' });
          if ((type === 'RingHash' || type === 'Maglev') && !has(lb, 'hashOn')) issues.push({ path: 'hashOn', reason: `required for type ${type} (what to hash on)` });
          if (has(lb, 'minimumRingSize') && type !== 'RingHash') issues.push({ path: 'minimumRingSize', reason: 'only used with type RingHash' });
          return issues;
        },
      },
    ),
    connectTimeout: duration,
    circuitBreaker: obj({ maxConnections: int(1), maxPendingRequests: int(1), maxRequests: int(1), maxRetries: int(0) }),
    outlierDetection: obj({
      consecutive5xx: int(1),
      consecutiveGatewayErrors: int(1),
      interval: duration,
      baseEjectionTime: duration,
      maxEjectionPercent: int(0, 100),
    }),
    healthCheck: obj(
      {
        http: obj(
          {
            path: str({ minLength: 1, pattern: /^\//, patternHint: 'an absolute path' }),
            expectedStatuses: arr(
              str({
                pattern: STATUS_RANGE,
                patternHint: 'a status code or range such as "200" or "200-299"',
                check: (v) => {
                  const m = STATUS_RANGE.exec(v);
                  return m && m[3] !== undefined && Number(m[3]) < Number(m[1]) ? 'the range end is before its start' : undefined;
                },
              }),
              { minItems: 1 },
            ),
          },
          { required: ['path'] },
        ),
        tcp: obj({}),
        grpc: obj({ service: str() }),
        interval: duration,
        timeout: duration,
        healthyThreshold: int(1),
        unhealthyThreshold: int(1),
      },
      { exactlyOneOf: ['http', 'tcp', 'grpc'] },
    ),
    tls: upstreamTlsSchema,
    http2: bool,
  },
  { required: ['targetRefs'] },
);

function ms(o: JsonObject | undefined, key: string): number | undefined {
  const text = getString(o, key);
  return text === undefined ? undefined : parseDurationMs(text);
}

function loadBalancing(lb: JsonObject): LoadBalancing {
  const type = getString(lb, 'type');
  if (type === 'RingHash') {
    const size = getNumber(lb, 'minimumRingSize');
    return { type, ...(size !== undefined ? { minimumRingSize: size } : {}) };
  }
  if (type === 'Maglev') return { type };
  return { type: type === 'LeastRequest' || type === 'Random' ? type : 'RoundRobin' };
}

function circuitBreaker(cb: JsonObject): CircuitBreaker {
  const out: { -readonly [K in keyof CircuitBreaker]: CircuitBreaker[K] } = {};
  for (const key of ['maxConnections', 'maxPendingRequests', 'maxRequests', 'maxRetries'] as const) {
    const v = getNumber(cb, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function outlierDetection(od: JsonObject): OutlierDetection {
  const out: { -readonly [K in keyof OutlierDetection]: OutlierDetection[K] } = {};
  const c5 = getNumber(od, 'consecutive5xx');
  const cg = getNumber(od, 'consecutiveGatewayErrors');
  const interval = ms(od, 'interval');
  const base = ms(od, 'baseEjectionTime');
  const max = getNumber(od, 'maxEjectionPercent');
  if (c5 !== undefined) out.consecutive5xx = c5;
  if (cg !== undefined) out.consecutiveGatewayErrors = cg;
  if (interval !== undefined) out.intervalMs = interval;
  if (base !== undefined) out.baseEjectionTimeMs = base;
  if (max !== undefined) out.maxEjectionPercent = max;
  // Without any trigger, consecutive 5xx (Envoy's default of 5) is what users expect.
  if (c5 === undefined && cg === undefined) out.consecutive5xx = 5;
  return out;
}

function healthCheck(hc: JsonObject): HealthCheck {
  const http = getObject(hc, 'http');
  const statuses = getStrings(http, 'expectedStatuses').map((s) => {
    const [start, end] = s.split('-').map(Number);
    return { start: start!, end: (end ?? start!) + 1 };
  });
  return {
    type: http ? 'http' : has(hc, 'grpc') ? 'grpc' : 'tcp',
    ...(http ? { path: getString(http, 'path') ?? '/' } : {}),
    ...(statuses.length > 0 ? { expectedStatuses: statuses } : {}),
    intervalMs: ms(hc, 'interval') ?? 10_000,
    timeoutMs: ms(hc, 'timeout') ?? 1_000,
    healthyThreshold: getNumber(hc, 'healthyThreshold') ?? 1,
    unhealthyThreshold: getNumber(hc, 'unhealthyThreshold') ?? 3,
  };
}

/** The cluster with the policy's settings applied (a policy's fields override the Backend's). */
export function applyBackendPolicy(cluster: Cluster, spec: JsonObject): Cluster {
  const lb = getObject(spec, 'loadBalancer');
  const timeout = ms(spec, 'connectTimeout');
  const cb = getObject(spec, 'circuitBreaker');
  const od = getObject(spec, 'outlierDetection');
  const hc = getObject(spec, 'healthCheck');
  const tls = getObject(spec, 'tls');
  const http2 = getBoolean(spec, 'http2');
  return {
    ...cluster,
    ...(lb ? { lb: loadBalancing(lb) } : {}),
    ...(timeout !== undefined ? { connectTimeoutMs: timeout } : {}),
    ...(http2 !== undefined ? (http2 ? { http2: true } : { http2: false }) : {}),
    ...(tls ? { tls: upstreamTls(tls) } : {}),
    ...(cb ? { circuitBreaker: circuitBreaker(cb) } : {}),
    ...(od ? { outlierDetection: outlierDetection(od) } : {}),
    ...(hc ? { healthCheck: healthCheck(hc) } : {}),
  };
}

/** Route hash keys for consistent-hash load balancing (they live on the route in Envoy). */
export function hashKeysOf(spec: JsonObject): HashKey[] {
  return getObjects(getObject(spec, 'loadBalancer'), 'hashOn').map((k): HashKey => {
    const header = getString(k, 'header');
    if (header !== undefined) return { type: 'header', name: header.toLowerCase() };
    const cookie = getObject(k, 'cookie');
    if (cookie) {
      const ttl = ms(cookie, 'ttl');
      return { type: 'cookie', name: getString(cookie, 'name') ?? '', ...(ttl !== undefined ? { ttlSeconds: Math.ceil(ttl / 1000) } : {}) };
    }
    const query = getString(k, 'queryParameter');
    if (query !== undefined) return { type: 'queryParameter', name: query };
    return { type: 'sourceIP' };
  });
}
