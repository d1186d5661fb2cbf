// Explain allow/deny on a sidecar's inbound side: a request from a workload (its SPIFFE identity,
// IP, and the claims of a JWT it presents) arrives at a sidecar's inbound listener; which filter
// chain takes the connection (mTLS or plain text per PeerAuthentication), what jwt_authn makes of
// the token, and which AuthorizationPolicy rule (an RBAC policy named "<ns>/<policy>[rules[i]]")
// allowed or denied it, walking the generated Envoy config in Envoy's order:
// AUDIT (LOG) → CUSTOM (shadow RBAC + ext_authz) → DENY → ALLOW. TCP ports are walked through their
// network RBAC filters (DENY → ALLOW) before tcp_proxy; a denied connection is closed, no HTTP status.
import type { EnvoyResource, JsonObject, JsonValue } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import { anyTypeName, isObject, num, obj, objs, str, strs } from './json';
import { evalRbac, type RbacContext, type RbacEngineResult } from './rbac-eval';
import { buildRequestView } from './request-view';
import { INBOUND_PASSTHROUGH_CLUSTER, VIRTUAL_INBOUND_LISTENER } from '../xds/mesh/names';

const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const RBAC_TYPE = 'envoy.extensions.filters.http.rbac.v3.RBAC';
const NETWORK_RBAC_TYPE = 'envoy.extensions.filters.network.rbac.v3.RBAC';
const JWT_TYPE = 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
const EXT_AUTHZ_TYPE = 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz';
const JWT_METADATA = 'envoy.filters.http.jwt_authn';
const RBAC_METADATA = 'envoy.filters.http.rbac';

export interface MeshSource {
  /** SPIFFE ID ("spiffe://cluster.local/ns/demo/sa/frontend" or Istio's form without the scheme). */
  readonly principal?: string;
  /** Or the parts of it (trust domain defaults to cluster.local). */
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly trustDomain?: string;
  /** The peer's address (direct_remote_ip). */
  readonly ip?: string;
}

export interface MeshAuthorizationRequest {
  /** The inbound port the caller connects to. */
  readonly port: number;
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The caller; with an identity the connection is mTLS, without one it is plain text. */
  readonly source?: MeshSource;
  /** The original client (X-Forwarded-For), remote_ip; defaults to the peer. */
  readonly remoteIp?: string;
  readonly destinationIp?: string;
  /** The claims of a JWT the request carries that its issuer's keys verify (iss, sub, aud, ...). */
  readonly jwt?: JsonObject;
  /** What the CUSTOM authorizer answers, when known. */
  readonly extAuthz?: 'allow' | 'deny';
}

export interface MeshAuthorizationStep {
  readonly filter: string;
  readonly kind: 'tls' | 'jwt_authn' | 'rbac' | 'ext_authz';
  readonly outcome: 'passed' | 'denied' | 'unknown' | 'logged' | 'skipped';
  readonly matchedPolicy?: string;
  readonly detail: string;
}

export interface MeshAuthorizationResult {
  /** no_listener: nothing on that inbound port; connection_closed: mTLS mode and client disagree. */
  readonly decision: 'allowed' | 'denied' | 'unknown' | 'no_listener' | 'connection_closed';
  /** The HTTP status Envoy answers with when denied (401 bad token, 403 policy). */
  readonly status?: number;
  /** The AuthorizationPolicy rule that decided: "<ns>/<policy>[rules[i]]". */
  readonly decidedBy?: string;
  readonly listener?: string;
  readonly steps: readonly MeshAuthorizationStep[];
  readonly summary: string;
}

function spiffeIdOf(source: MeshSource | undefined): string | undefined {
  if (!source) return undefined;
  if (source.principal !== undefined) return source.principal.startsWith('spiffe://') ? source.principal : `spiffe://${source.principal}`;
  if (source.namespace !== undefined) return `spiffe://${source.trustDomain ?? 'cluster.local'}/ns/${source.namespace}/sa/${source.serviceAccount ?? 'default'}`;
  return undefined;
}

function portOf(listener: JsonObject): number | undefined {
  return num(obj(obj(listener, 'address'), 'socket_address'), 'port_value');
}

/** The sidecar inbound listener for `port`: its HCM routes with an "inbound|..." route table. */
/**
 * The listener that takes a connection to `port`: the workload's inbound listener on it, else
 * (transparent capture) virtualInbound when it passes undeclared ports through rather than
 * dropping them.
 */
function inboundListener(resources: readonly EnvoyResource[], port: number): JsonObject | undefined {
  const listeners = resources.filter((r) => r.typeUrl === TypeUrl.Listener).map((r) => r.json);
  const declared = listeners.find((l) => portOf(l) === port && JSON.stringify(l).includes('"inbound|'));
  if (declared) return declared;
  return listeners.find((l) => str(l, 'name') === VIRTUAL_INBOUND_LISTENER && JSON.stringify(l).includes(`"cluster":"${INBOUND_PASSTHROUGH_CLUSTER}"`));
}

function hcmOf(chain: JsonObject): JsonObject | undefined {
  const filter = objs(chain, 'filters').find((f) => anyTypeName(obj(f, 'typed_config')) === HCM_TYPE);
  return obj(filter, 'typed_config');
}

/** PERMISSIVE listeners split by transport protocol; STRICT ones require TLS on their only chain. */
function chainFor(listener: JsonObject, mtls: boolean): JsonObject | undefined {
  const wanted = mtls ? 'tls' : 'raw_buffer';
  return objs(listener, 'filter_chains').find((chain) => {
    const protocol = str(obj(chain, 'filter_chain_match'), 'transport_protocol');
    if (protocol !== undefined) return protocol === wanted;
    return (obj(chain, 'transport_socket') !== undefined) === mtls;
  });
}

function ruleOwner(policyName: string): string {
  return policyName.replace(/^istio-ext-authz\//, '');
}

/** jwt_authn: a verified token's payload goes to dynamic metadata; a token no provider accepts is a 401. */
function runJwt(config: JsonObject, jwt: JsonObject | undefined, metadata: Record<string, JsonObject>): { ok: boolean; detail: string } {
  if (!jwt) return { ok: true, detail: 'no token: passes (RequestAuthentication allows requests without a token)' };
  const providers = obj(config, 'providers') ?? {};
  const issuer = typeof jwt['iss'] === 'string' ? jwt['iss'] : undefined;
  for (const [name, value] of Object.entries(providers)) {
    if (!isObject(value)) continue;
    const expected = str(value, 'issuer');
    if (expected !== undefined && expected !== issuer) continue;
    const audiences = strs(value, 'audiences');
    const aud: JsonValue | undefined = jwt['aud'];
    const tokenAudiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    if (audiences.length > 0 && !tokenAudiences.some((a) => audiences.includes(a))) continue;
    const key = str(value, 'payload_in_metadata');
    if (key !== undefined) metadata[JWT_METADATA] = { ...(metadata[JWT_METADATA] ?? {}), [key]: jwt };
    return { ok: true, detail: `token verified by provider ${name}` };
  }
  return { ok: false, detail: `no provider accepts a token from issuer ${JSON.stringify(issuer)}${'aud' in jwt ? ' with these audiences' : ''}: 401` };
}

function describeEngine(engine: RbacEngineResult): string {
  const matched = engine.policies.filter((p) => p.matched === true).map((p) => p.name);
  return matched.length > 0 ? `matching rules: ${matched.join(', ')}` : 'no rule matches';
}

export function explainMeshAuthorization(resources: readonly EnvoyResource[], request: MeshAuthorizationRequest): MeshAuthorizationResult {
  const listener = inboundListener(resources, request.port);
  if (!listener) return { decision: 'no_listener', steps: [], summary: `no sidecar inbound listener on port ${request.port}` };
  const listenerName = str(listener, 'name');
  const principal = spiffeIdOf(request.source);
  const mtls = principal !== undefined;
  const steps: MeshAuthorizationStep[] = [];
  const base = { ...(listenerName !== undefined ? { listener: listenerName } : {}) };
  const chain = chainFor(listener, mtls);
  if (!chain) {
    const detail = mtls ? 'the listener accepts plain text only (PeerAuthentication DISABLE)' : 'the listener requires mTLS (PeerAuthentication STRICT)';
    steps.push({ filter: 'filter_chain', kind: 'tls', outcome: 'denied', detail });
    return { ...base, decision: 'connection_closed', steps, summary: `connection closed: ${detail}` };
  }
  steps.push({ filter: 'filter_chain', kind: 'tls', outcome: 'passed', detail: mtls ? `mTLS, peer ${principal}` : 'plain text, no peer identity' });

  const view = buildRequestView(
    { port: request.port, host: request.host, method: request.method, path: request.path, ...(request.headers ? { headers: request.headers } : {}), ...(request.source?.ip !== undefined ? { sourceIp: request.source.ip } : {}), tls: mtls },
    request.path,
  );
  const metadata: Record<string, JsonObject> = {};
  const hcm = hcmOf(chain);
  // Without an HCM the port is TCP: only its network RBAC filters decide, and nothing of HTTP exists.
  const tcp = hcm === undefined;
  const filters = tcp ? objs(chain, 'filters').filter((f) => anyTypeName(obj(f, 'typed_config')) === NETWORK_RBAC_TYPE) : objs(hcm, 'http_filters');
  const remote = request.remoteIp ?? request.source?.ip;
  const ctx: RbacContext = {
    view,
    ...(request.source?.ip !== undefined ? { peerIp: request.source.ip } : {}),
    ...(remote !== undefined ? { remoteIp: remote } : {}),
    sni: '',
    destinationPort: request.port,
    ...(request.destinationIp !== undefined ? { destinationIp: request.destinationIp } : {}),
    http: !tcp,
    ...(principal !== undefined ? { peerPrincipal: principal } : {}),
    dynamicMetadata: metadata,
  };

  let decided: Omit<MeshAuthorizationResult, 'steps' | 'summary' | 'listener'> | undefined;
  let reason = '';
  for (const filter of filters) {
    const name = str(filter, 'name') ?? '';
    const config = obj(filter, 'typed_config');
    const type = anyTypeName(config);
    if (type === JWT_TYPE && config) {
      const jwt = runJwt(config, request.jwt, metadata);
      steps.push({ filter: name, kind: 'jwt_authn', outcome: jwt.ok ? 'passed' : 'denied', detail: jwt.detail });
      if (!jwt.ok) {
        decided = { decision: 'denied', status: 401 };
        reason = jwt.detail;
        break;
      }
    } else if ((type === RBAC_TYPE || type === NETWORK_RBAC_TYPE) && config) {
      const rules = obj(config, 'rules');
      const shadow = obj(config, 'shadow_rules');
      if (shadow && !rules) {
        // CUSTOM: the shadow engine marks which requests the ext_authz filter after it checks.
        const engine = evalRbac({ ...shadow, action: 'ALLOW' }, ctx);
        const prefix = str(config, 'shadow_rules_stat_prefix') ?? '';
        if (engine.result === 'allowed' && engine.matchedPolicy !== undefined) {
          metadata[RBAC_METADATA] = { ...(metadata[RBAC_METADATA] ?? {}), [`${prefix}shadow_effective_policy_id`]: engine.matchedPolicy, [`${prefix}shadow_engine_result`]: 'allowed' };
        }
        steps.push({ filter: name, kind: 'rbac', outcome: engine.result === 'unknown' ? 'unknown' : 'passed', ...(engine.matchedPolicy !== undefined ? { matchedPolicy: ruleOwner(engine.matchedPolicy) } : {}), detail: `CUSTOM rules (shadow): ${describeEngine(engine)}` });
        continue;
      }
      if (!rules) continue;
      const engine = evalRbac(rules, ctx);
      const matched = engine.matchedPolicy;
      if (engine.action === 'LOG') {
        steps.push({ filter: name, kind: 'rbac', outcome: matched !== undefined ? 'logged' : 'passed', ...(matched !== undefined ? { matchedPolicy: matched } : {}), detail: `AUDIT: ${describeEngine(engine)}` });
        continue;
      }
      const label = engine.action === 'DENY' ? 'DENY' : 'ALLOW';
      const outcome = engine.result === 'allowed' ? 'passed' : engine.result;
      steps.push({ filter: name, kind: 'rbac', outcome, ...(matched !== undefined ? { matchedPolicy: matched } : {}), detail: `${label}: ${describeEngine(engine)}` });
      if (engine.result === 'denied') {
        decided = { decision: 'denied', ...(tcp ? {} : { status: 403 }), ...(matched !== undefined ? { decidedBy: matched } : {}) };
        reason = label === 'DENY' ? `denied by DENY rule ${matched ?? '?'}` : engine.policies.length === 0 ? 'denied: an ALLOW policy without rules allows nothing' : 'denied: no ALLOW rule matches';
        if (tcp) reason += ' (TCP port: the connection is closed)';
        break;
      }
      if (engine.result === 'unknown') {
        decided = { decision: 'unknown' };
        reason = `${label} rules depend on something the request does not say (e.g. the peer identity or JWT claims)`;
        break;
      }
    } else if (type === EXT_AUTHZ_TYPE && config) {
      const enabled = obj(config, 'filter_enabled_metadata');
      const key = str(objs(enabled, 'path')[0], 'key');
      const policy = key !== undefined ? metadata[RBAC_METADATA]?.[key] : undefined;
      if (enabled && typeof policy !== 'string') {
        steps.push({ filter: name, kind: 'ext_authz', outcome: 'skipped', detail: 'no CUSTOM rule matches: the authorizer is not asked' });
        continue;
      }
      const cluster = str(obj(obj(config, 'grpc_service'), 'envoy_grpc'), 'cluster_name') ?? str(obj(obj(config, 'http_service'), 'server_uri'), 'cluster') ?? '?';
      const owner = typeof policy === 'string' ? ruleOwner(policy) : undefined;
      if (request.extAuthz === undefined) {
        steps.push({ filter: name, kind: 'ext_authz', outcome: 'unknown', ...(owner ? { matchedPolicy: owner } : {}), detail: `checked by the authorizer at cluster ${cluster}` });
        decided = { decision: 'unknown', ...(owner ? { decidedBy: owner } : {}) };
        reason = `the CUSTOM authorizer (${cluster}) decides`;
        break;
      }
      const ok = request.extAuthz === 'allow';
      steps.push({ filter: name, kind: 'ext_authz', outcome: ok ? 'passed' : 'denied', ...(owner ? { matchedPolicy: owner } : {}), detail: `the authorizer at ${cluster} answers ${request.extAuthz}` });
      if (!ok) {
        decided = { decision: 'denied', status: 403, ...(owner ? { decidedBy: owner } : {}) };
        reason = `denied by the CUSTOM authorizer (${cluster})`;
        break;
      }
    }
  }
  if (!decided) {
    const allowRule = [...steps].reverse().find((s) => s.kind === 'rbac' && s.outcome === 'passed' && s.detail.startsWith('ALLOW') && s.matchedPolicy !== undefined);
    decided = { decision: 'allowed', ...(allowRule?.matchedPolicy !== undefined ? { decidedBy: allowRule.matchedPolicy } : {}) };
    reason = allowRule ? `allowed by ALLOW rule ${allowRule.matchedPolicy}` : 'allowed: no policy denies it';
  }
  return { ...base, ...decided, steps, summary: reason };
}
