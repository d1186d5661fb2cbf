// ListenerPolicy (meshgate.io/v1alpha1; ClientTrafficPolicy is accepted as an alias, the name
// Envoy Gateway users know): how a Gateway's listeners treat clients: access logs, request ids,
// WebSocket, HTTP/2, Prometheus stats, HTTP→HTTPS redirect and TLS versions. Targets a Gateway
// or one of its listeners (sectionName); a listener-level field beats a Gateway-level one.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Listener, ListenerOptions } from '../../src/ir/types';
import { getBoolean, getNumber, getObject, getString, getStrings, has } from '../core/json';
import { anything, arr, bool, checkSchema, isJsonObject, obj, oneOfStrings, str, type SchemaIssue } from '../schema';
import type { JsonValue } from '../../src/envoy/resource';
import { port } from '../gateway-api/schemas/common';
import { targetRefSchema } from './common';

export const LISTENER_POLICY_KINDS = ['ListenerPolicy', 'ClientTrafficPolicy'];

export const listenerPolicySpec = obj(
  {
    targetRefs: arr(targetRefSchema(['Gateway']), { minItems: 1 }),
    // true/false (JSON lines on stdout) or {path} (JSON lines appended to that file); checked below.
    accessLog: anything,
    requestId: obj({ generate: bool, preserveExternal: bool, returnInResponse: bool }),
    websocket: bool,
    http2: bool,
    prometheusStats: obj({ path: str({ pattern: /^\/[^?#]*$/, patternHint: 'an absolute path such as "/stats/prometheus"' }) }, { required: ['path'] }),
    httpsRedirect: obj({ port, statusCode: { kind: 'integer', enum: [301, 302, 307, 308] } }),
    tls: obj({ minVersion: oneOfStrings('1.2', '1.3'), alpn: arr(oneOfStrings('h2', 'http/1.1'), { minItems: 1 }) }),
  },
  { required: ['targetRefs'], check: (spec) => accessLogIssues(spec['accessLog']) },
);

const ACCESS_LOG_FILE = obj({ path: str({ minLength: 2, maxLength: 4096, pattern: /^\/[^\0]*[^/]$/, patternHint: 'an absolute file path such as "/var/log/envoy/access.log"' }) }, { required: ['path'] });

function accessLogIssues(value: JsonValue | undefined): SchemaIssue[] {
  if (value === undefined || value === null || typeof value === 'boolean') return [];
  if (!isJsonObject(value)) return [{ path: 'accessLog', reason: 'expected a boolean (true or false) or an object {path}' }];
  return checkSchema(ACCESS_LOG_FILE, value, 'accessLog');
}

export const DEFAULT_LISTENER_OPTIONS: ListenerOptions = {
  accessLog: true,
  requestId: { generate: true, preserveExternal: false, returnInResponse: false },
  websocket: true,
  http2: true,
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Fields of the first policy (most specific, then oldest) that sets each one. */
function firstSet<T>(policies: readonly InputDocument[], read: (spec: JsonObject) => T | undefined): T | undefined {
  for (const p of policies) {
    const v = read(p.spec);
    if (v !== undefined) return v;
  }
  return undefined;
}

export interface ListenerPolicyResult {
  readonly options: ListenerOptions;
  readonly httpsRedirect?: Listener['httpsRedirect'];
  readonly tls?: { readonly minVersion?: 'TLSv1_2' | 'TLSv1_3'; readonly alpn?: readonly string[] };
}

/** `policies` are ordered most specific first (listener-level, then Gateway-level), oldest first within each. */
export function applyListenerPolicies(policies: readonly InputDocument[], base: ListenerOptions): ListenerPolicyResult {
  const options: Mutable<ListenerOptions> = { ...base, requestId: { ...base.requestId } };
  const accessLog = firstSet(policies, (s): boolean | string | undefined => getBoolean(s, 'accessLog') ?? getString(getObject(s, 'accessLog'), 'path'));
  if (typeof accessLog === 'boolean') {
    options.accessLog = accessLog;
    delete options.accessLogPath;
  } else if (accessLog !== undefined) {
    options.accessLog = true;
    options.accessLogPath = accessLog;
  }
  const requestId = { ...options.requestId };
  for (const key of ['generate', 'preserveExternal', 'returnInResponse'] as const) {
    const v = firstSet(policies, (s) => getBoolean(getObject(s, 'requestId'), key));
    if (v !== undefined) requestId[key] = v;
  }
  options.requestId = requestId;
  const websocket = firstSet(policies, (s) => getBoolean(s, 'websocket'));
  if (websocket !== undefined) options.websocket = websocket;
  const http2 = firstSet(policies, (s) => getBoolean(s, 'http2'));
  if (http2 !== undefined) options.http2 = http2;
  const stats = firstSet(policies, (s) => getString(getObject(s, 'prometheusStats'), 'path'));
  if (stats !== undefined) options.prometheusStatsPath = stats;
  const redirect = firstSet(policies, (s) => getObject(s, 'httpsRedirect'));
  const minVersion = firstSet(policies, (s) => getString(getObject(s, 'tls'), 'minVersion'));
  const alpn = firstSet(policies, (s) => (has(getObject(s, 'tls'), 'alpn') ? getStrings(getObject(s, 'tls'), 'alpn') : undefined));
  const status = getNumber(redirect, 'statusCode');
  const redirectPort = getNumber(redirect, 'port');
  const tls = {
    ...(minVersion !== undefined ? { minVersion: minVersion === '1.3' ? ('TLSv1_3' as const) : ('TLSv1_2' as const) } : {}),
    ...(alpn !== undefined ? { alpn } : {}),
  };
  return {
    options,
    ...(redirect
      ? { httpsRedirect: { ...(redirectPort !== undefined ? { port: redirectPort } : {}), statusCode: status === 302 || status === 307 || status === 308 ? status : 301 } }
      : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}
