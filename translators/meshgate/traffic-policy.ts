// TrafficPolicy (meshgate.io/v1alpha1): rate limits, body size limit, timeouts, retries,
// compression and gRPC-Web, attached like SecurityPolicy; each feature resolves on its own.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { GlobalRateLimitPolicy, GrpcJsonTranscoderPolicy, LocalRateLimitPolicy, RateLimitKey, RateLimitOverride, RateLimitUnit, RateLimitWindow } from '../../src/ir/policy';
import type { RetryPolicy } from '../../src/ir/route';
import { durationSchema, parseDurationMs } from '../core/durations';
import { namespaceOf } from '../core/documents';
import { getArray, getBoolean, getNumber, getObject, getObjects, getString, getStrings, has } from '../core/json';
import { arr, bool, int, obj, oneOfStrings, str, type SchemaIssue } from '../schema';
import { HEADER_NAME_PATTERN, headerName } from '../gateway-api/schemas/common';
import { targetRefSchema } from './common';
import { compileProto } from './grpc-proto';
import { POLICY_TARGET_KINDS } from './security-policy';

export const TRAFFIC_FEATURES = ['localRateLimit', 'globalRateLimit', 'maxRequestBodyBytes', 'timeout', 'idleTimeout', 'retry', 'compression', 'grpcWeb', 'grpcJsonTranscoder'] as const;
export type TrafficFeature = (typeof TRAFFIC_FEATURES)[number];

/** Envoy retry_on conditions (HTTP and gRPC). */
export const RETRY_ON = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure', 'cancelled', 'deadline-exceeded', 'internal',
  'resource-exhausted', 'unavailable',
];
/** Safe to retry whatever the method: the request never reached the backend. */
export const DEFAULT_RETRY_ON = ['connect-failure', 'refused-stream', 'unavailable'];

const KEY = new RegExp(`^(clientIP|path|header:${HEADER_NAME_PATTERN.source.slice(1, -1)})$`);
const key = str({ pattern: KEY, patternHint: 'clientIP, path or header:<name>' });
const localKey = str({ pattern: new RegExp(`^(clientIP|header:${HEADER_NAME_PATTERN.source.slice(1, -1)})$`), patternHint: 'clientIP or header:<name>' });

const UNITS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
const rateWindow = obj({ requests: int(1, 0xffff_ffff), unit: oneOfStrings(...UNITS) }, { required: ['requests', 'unit'] });
const windowList = arr(rateWindow, {
  minItems: 1,
  maxItems: UNITS.length,
  uniqueBy: (w) => (typeof w === 'object' && w !== null && !Array.isArray(w) && typeof w['unit'] === 'string' ? w['unit'] : undefined),
  uniqueWhat: 'unit',
});

const globalRateLimit = obj(
  {
    // One window ({requests, unit}) or several (limits), all enforced.
    requests: int(1, 0xffff_ffff),
    unit: oneOfStrings(...UNITS),
    limits: windowList,
    key,
    responseHeaders: oneOfStrings('none', 'draft03', 'kong'),
    failOpen: bool,
    overrides: arr(
      obj(
        { header: headerName, values: arr(str({ minLength: 1, maxLength: 1024 }), { minItems: 1, uniqueBy: (v) => (typeof v === 'string' ? v : undefined), uniqueWhat: 'value' }), limits: windowList },
        { required: ['header', 'values', 'limits'] },
      ),
      { minItems: 1 },
    ),
  },
  { check: (g) => globalRateLimitIssues(g) },
);

/** One form of the limit, both halves of the single form, and overrides that cannot overlap. */
function globalRateLimitIssues(g: JsonObject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const single = has(g, 'requests') || has(g, 'unit');
  if (single && has(g, 'limits')) issues.push({ path: 'limits', reason: 'set either requests and unit (one window) or limits (several windows), not both' });
  else if (!single && !has(g, 'limits')) issues.push({ path: '', reason: 'set requests and unit, or limits' });
  else if (single && !has(g, 'requests')) issues.push({ path: 'requests', reason: 'required with unit' });
  else if (single && !has(g, 'unit')) issues.push({ path: 'unit', reason: 'required with requests' });
  const overrides = getObjects(g, 'overrides');
  const header = getString(overrides[0], 'header')?.toLowerCase();
  const owner = new Map<string, number>();
  overrides.forEach((o, i) => {
    if (getString(o, 'header') !== undefined && getString(o, 'header')!.toLowerCase() !== header) {
      issues.push({ path: `overrides[${i}].header`, reason: `every override must read the same header (overrides[0] reads ${header})` });
    }
    getStrings(o, 'values').forEach((v, j) => {
      const first = owner.get(v);
      if (first !== undefined && first !== i) issues.push({ path: `overrides[${i}].values[${j}]`, reason: `${JSON.stringify(v)} is already in overrides[${first}]` });
      else owner.set(v, i);
    });
  });
  return issues;
}

/** Envoy GrpcJsonTranscoder.PrintOptions, in meshgate's spelling. */
const PRINT_OPTIONS = ['addWhitespace', 'alwaysPrintPrimitiveFields', 'alwaysPrintEnumsAsInts', 'preserveProtoFieldNames', 'streamNewlineDelimited'] as const;

/** Why the proto source cannot be used (parse errors name the line), or undefined. */
function protoProblem(source: string): string | undefined {
  const r = compileProto(source);
  if (!r.ok) return r.reason;
  return r.services.length === 0 ? 'defines no service to transcode' : undefined;
}

function unknownServices(t: JsonObject): SchemaIssue[] {
  const source = getString(t, 'proto');
  const compiled = source !== undefined ? compileProto(source) : undefined;
  if (!compiled?.ok) return [];
  return getStrings(t, 'services').flatMap((s, i) =>
    compiled.services.includes(s) ? [] : [{ path: `services[${i}]`, reason: `service ${s} is not defined in the proto (it defines ${compiled.services.join(', ')})` }],
  );
}

/** The IR transcoder settings of a (schema-valid) TrafficPolicy. */
export function buildGrpcJsonTranscoder(spec: JsonObject): GrpcJsonTranscoderPolicy | undefined {
  const cfg = getObject(spec, 'grpcJsonTranscoder');
  const compiled = compileProto(getString(cfg, 'proto') ?? '');
  if (!compiled.ok) return undefined;
  const listed = getStrings(cfg, 'services');
  const print = getObject(cfg, 'printOptions');
  const printOptions = Object.fromEntries(PRINT_OPTIONS.flatMap((o) => (getBoolean(print, o) === true ? [[o, true]] : [])));
  return {
    descriptorSetBase64: Buffer.from(compiled.descriptorSet).toString('base64'),
    services: listed.length > 0 ? [...listed] : [...compiled.services],
    ...(Object.keys(printOptions).length > 0 ? { printOptions } : {}),
  };
}

const SPEC_FEATURES = ['rateLimit', 'maxRequestBodyBytes', 'timeout', 'timeouts', 'retry', 'compression', 'grpcWeb', 'grpcJsonTranscoder'];

export const trafficPolicySpec = obj(
  {
    targetRefs: arr(targetRefSchema(POLICY_TARGET_KINDS)),
    rateLimit: obj(
      {
        local: obj({ requests: int(1), per: durationSchema({ min: 50 }), key: localKey, headers: bool }, { required: ['requests', 'per'] }),
        global: globalRateLimit,
      },
      { check: (r) => (!has(r, 'local') && !has(r, 'global') ? [{ path: '', reason: 'set local, global or both' }] : []) },
    ),
    maxRequestBodyBytes: int(1),
    timeout: durationSchema(),
    // request: the same as `timeout` (RouteAction.timeout); idle: RouteAction.idle_timeout.
    timeouts: obj(
      { request: durationSchema(), idle: durationSchema() },
      { check: (t) => (!has(t, 'request') && !has(t, 'idle') ? [{ path: '', reason: 'set request, idle or both' }] : []) },
    ),
    retry: obj(
      {
        attempts: int(0, 100),
        retryOn: arr(oneOfStrings(...RETRY_ON), { minItems: 1 }),
        retriableStatusCodes: arr(int(100, 599), { minItems: 1 }),
        perTryTimeout: durationSchema({ nonZero: true }),
        backoff: obj({ baseInterval: durationSchema({ nonZero: true }), maxInterval: durationSchema({ nonZero: true }) }, { required: ['baseInterval'] }),
      },
      { required: ['attempts'] },
    ),
    compression: bool,
    grpcWeb: bool,
    grpcJsonTranscoder: obj(
      {
        proto: str({ minLength: 1, maxLength: 1_000_000, check: protoProblem }),
        services: arr(str({ pattern: /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, patternHint: 'a fully qualified service name such as "hello.HelloService"' }), {
          minItems: 1,
          uniqueBy: (v) => (typeof v === 'string' ? v : undefined),
          uniqueWhat: 'service',
        }),
        printOptions: obj(Object.fromEntries(PRINT_OPTIONS.map((o) => [o, bool]))),
      },
      { required: ['proto'], check: (t) => unknownServices(t) },
    ),
  },
  {
    check: (spec) => [
      ...(SPEC_FEATURES.some((f) => has(spec, f)) ? [] : [{ path: '', reason: `a TrafficPolicy needs at least one of ${SPEC_FEATURES.join(', ')}` }]),
      ...(has(spec, 'timeout') && has(getObject(spec, 'timeouts'), 'request') ? [{ path: 'timeouts.request', reason: 'is the same setting as timeout: set one of them' }] : []),
    ],
  },
);

export function providesTraffic(doc: InputDocument, feature: TrafficFeature): boolean {
  if (doc.kind !== 'TrafficPolicy') return false;
  if (feature === 'localRateLimit') return has(getObject(doc.spec, 'rateLimit'), 'local');
  if (feature === 'globalRateLimit') return has(getObject(doc.spec, 'rateLimit'), 'global');
  if (feature === 'timeout') return has(doc.spec, 'timeout') || has(getObject(doc.spec, 'timeouts'), 'request');
  if (feature === 'idleTimeout') return has(getObject(doc.spec, 'timeouts'), 'idle');
  return has(doc.spec, feature);
}

function rateLimitKey(text: string | undefined): RateLimitKey | undefined {
  if (text === undefined) return undefined;
  if (text === 'clientIP') return { type: 'clientIP' };
  if (text === 'path') return { type: 'path' };
  return { type: 'header', name: text.slice('header:'.length).toLowerCase() };
}

function unitOf(text: string | undefined): RateLimitUnit {
  return (UNITS as readonly string[]).includes(text ?? '') ? (text as RateLimitUnit) : 'second';
}

function windowsOf(o: JsonObject | undefined, listKey: string): RateLimitWindow[] {
  return getObjects(o, listKey).map((w) => ({ requests: getNumber(w, 'requests') ?? 1, unit: unitOf(getString(w, 'unit')) }));
}

export function buildLocalRateLimit(spec: JsonObject): LocalRateLimitPolicy {
  const cfg = getObject(getObject(spec, 'rateLimit'), 'local');
  const key = rateLimitKey(getString(cfg, 'key'));
  const headers = getBoolean(cfg, 'headers');
  return {
    requests: getNumber(cfg, 'requests') ?? 1,
    perSeconds: (parseDurationMs(getString(cfg, 'per') ?? '1s') ?? 1000) / 1000,
    ...(key ? { key } : {}),
    ...(headers !== undefined ? { headers } : {}),
  };
}

/** `target` distinguishes attachments of one policy, so each target keeps its own counters. */
export function buildGlobalRateLimit(doc: InputDocument, target: string): GlobalRateLimitPolicy {
  const cfg = getObject(getObject(doc.spec, 'rateLimit'), 'global');
  const key = rateLimitKey(getString(cfg, 'key'));
  const listed = windowsOf(cfg, 'limits');
  const [first, ...rest] = listed.length > 0 ? listed : [{ requests: getNumber(cfg, 'requests') ?? 1, unit: unitOf(getString(cfg, 'unit')) }];
  const headers = getString(cfg, 'responseHeaders');
  const failOpen = getBoolean(cfg, 'failOpen');
  const overrides: RateLimitOverride[] = getObjects(cfg, 'overrides').map((o) => ({
    header: (getString(o, 'header') ?? '').toLowerCase(),
    values: [...getStrings(o, 'values')],
    limits: windowsOf(o, 'limits'),
  }));
  return {
    requests: first!.requests,
    unit: first!.unit,
    ...(rest.length > 0 ? { additionalLimits: rest } : {}),
    ...(key ? { key } : {}),
    id: `${namespaceOf(doc)}/${doc.metadata.name}/${target}`,
    ...(headers === 'none' || headers === 'draft03' || headers === 'kong' ? { responseHeaders: headers } : {}),
    ...(failOpen !== undefined ? { failOpen } : {}),
    ...(overrides.length > 0 ? { overrides } : {}),
  };
}

export function buildRetry(spec: JsonObject): RetryPolicy {
  const cfg = getObject(spec, 'retry');
  const codes = getArray(cfg, 'retriableStatusCodes').filter((c): c is number => typeof c === 'number');
  const explicit = getStrings(cfg, 'retryOn');
  const retryOn = explicit.length > 0 ? [...explicit] : [...DEFAULT_RETRY_ON];
  if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn.push('retriable-status-codes');
  const perTry = parseDurationMs(getString(cfg, 'perTryTimeout') ?? '');
  const backoff = getObject(cfg, 'backoff');
  const base = parseDurationMs(getString(backoff, 'baseInterval') ?? '');
  const max = parseDurationMs(getString(backoff, 'maxInterval') ?? '');
  return {
    attempts: getNumber(cfg, 'attempts') ?? 1,
    retryOn,
    ...(codes.length > 0 ? { retriableStatusCodes: codes } : {}),
    ...(perTry !== undefined ? { perTryTimeoutMs: perTry } : {}),
    ...(base !== undefined ? { backoff: { baseIntervalMs: base, ...(max !== undefined ? { maxIntervalMs: max } : {}) } } : {}),
  };
}

/** The request timeout: `timeout`, or its newer spelling `timeouts.request`. */
export function timeoutMs(spec: JsonObject): number | undefined {
  return parseDurationMs(getString(spec, 'timeout') ?? getString(getObject(spec, 'timeouts'), 'request') ?? '');
}

/** timeouts.idle: how long the route's stream may stay without activity (Kong read/write timeouts). */
export function idleTimeoutMs(spec: JsonObject): number | undefined {
  return parseDurationMs(getString(getObject(spec, 'timeouts'), 'idle') ?? '');
}
