// RBAC (config.rbac.v3.RBAC) evaluated for one request, in three-valued logic: a matcher that
// needs something explain does not have (a client certificate, dynamic metadata, a CEL condition)
// is "unknown", and the unknown propagates only where it could change the answer.
import type { JsonObject, JsonValue } from '../envoy/resource';
import { cidrContains, cidrFromJson, parseIp } from './cidr';
import { matchHeader } from './header-matcher';
import { bool, enumName, has, num, obj, objs } from './json';
import type { RequestView } from './request-view';
import { matchString } from './string-matcher';
import type { RbacReport } from './types';

export type Tri = boolean | 'unknown';

export interface RbacContext {
  readonly view: RequestView;
  /** The connection's peer (direct_remote_ip). */
  readonly peerIp?: string;
  /** The client address after X-Forwarded-For processing (remote_ip). */
  readonly remoteIp?: string;
  readonly sni: string;
  readonly destinationPort: number;
  readonly destinationIp?: string;
  /** Network RBAC sees no HTTP request: header and path matchers never match there. */
  readonly http: boolean;
  /**
   * The peer certificate's principal (URI SAN, e.g. a SPIFFE ID) when the caller knows it; absent,
   * `authenticated` principals are unknown over TLS.
   */
  readonly peerPrincipal?: string;
  /** Dynamic metadata by filter namespace (e.g. jwt_authn's payload); absent, metadata matchers are unknown. */
  readonly dynamicMetadata?: Readonly<Record<string, JsonObject>>;
}

function all(values: Iterable<Tri>): Tri {
  let unknown = false;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : true;
}

function any(values: Iterable<Tri>): Tri {
  let unknown = false;
  for (const v of values) {
    if (v === true) return true;
    if (v === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : false;
}

function not(v: Tri): Tri {
  return v === 'unknown' ? v : !v;
}

function ipIn(range: JsonObject | undefined, ip: string | undefined): Tri {
  const cidr = range ? cidrFromJson(range) : undefined;
  if (!cidr) return false;
  if (ip === undefined) return 'unknown';
  const bytes = parseIp(ip);
  return bytes !== undefined && cidrContains(cidr, bytes);
}

function urlPath(matcher: JsonObject | undefined, ctx: RbacContext): Tri {
  if (!ctx.http) return false;
  const sm = obj(matcher, 'path');
  return sm !== undefined && matchString(sm, ctx.view.pathOnly);
}

export function evalPrincipal(p: JsonObject, ctx: RbacContext): Tri {
  if (obj(p, 'and_ids')) return all(objs(obj(p, 'and_ids'), 'ids').map((x) => evalPrincipal(x, ctx)));
  if (obj(p, 'or_ids')) return any(objs(obj(p, 'or_ids'), 'ids').map((x) => evalPrincipal(x, ctx)));
  if (bool(p, 'any') === true) return true;
  if (has(p, 'authenticated')) {
    if (!ctx.view.tls) return false; // no peer certificate without TLS
    if (ctx.peerPrincipal === undefined) return 'unknown';
    const name = obj(obj(p, 'authenticated'), 'principal_name');
    return name === undefined || matchString(name, ctx.peerPrincipal);
  }
  if (obj(p, 'metadata') && ctx.dynamicMetadata) return evalMetadataMatcher(obj(p, 'metadata')!, ctx.dynamicMetadata);
  if (obj(p, 'direct_remote_ip')) return ipIn(obj(p, 'direct_remote_ip'), ctx.peerIp);
  if (obj(p, 'source_ip')) return ipIn(obj(p, 'source_ip'), ctx.peerIp);
  if (obj(p, 'remote_ip')) return ipIn(obj(p, 'remote_ip'), ctx.remoteIp);
  if (obj(p, 'header')) return ctx.http && matchHeader(obj(p, 'header')!, ctx.view);
  if (obj(p, 'url_path')) return urlPath(obj(p, 'url_path'), ctx);
  if (obj(p, 'not_id')) return not(evalPrincipal(obj(p, 'not_id')!, ctx));
  return 'unknown'; // metadata, filter_state, custom
}

/** envoy.type.matcher.v3.ValueMatcher against a JSON value (Struct semantics). */
function matchValue(matcher: JsonObject, value: JsonValue | undefined): Tri {
  if (bool(matcher, 'present_match') === true) return value !== undefined && value !== null;
  if (value === undefined) return false;
  if (obj(matcher, 'string_match')) return typeof value === 'string' && matchString(obj(matcher, 'string_match')!, value);
  if (has(matcher, 'bool_match')) return value === bool(matcher, 'bool_match');
  if (obj(matcher, 'list_match')) {
    const oneOf = obj(obj(matcher, 'list_match'), 'one_of');
    return Array.isArray(value) && oneOf !== undefined && any(value.map((v) => matchValue(oneOf, v)));
  }
  if (obj(matcher, 'null_match')) return value === null;
  return 'unknown'; // double_match, or_match
}

/** envoy.type.matcher.v3.MetadataMatcher against dynamic metadata. */
export function evalMetadataMatcher(matcher: JsonObject, metadata: Readonly<Record<string, JsonObject>>): Tri {
  const filter = typeof matcher['filter'] === 'string' ? matcher['filter'] : '';
  let value: JsonValue | undefined = metadata[filter];
  for (const segment of objs(matcher, 'path')) {
    const key = typeof segment['key'] === 'string' ? segment['key'] : '';
    value = value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
  }
  const result = matchValue(obj(matcher, 'value') ?? {}, value);
  return bool(matcher, 'invert') === true ? not(result) : result;
}

export function evalPermission(p: JsonObject, ctx: RbacContext): Tri {
  if (obj(p, 'and_rules')) return all(objs(obj(p, 'and_rules'), 'rules').map((x) => evalPermission(x, ctx)));
  if (obj(p, 'or_rules')) return any(objs(obj(p, 'or_rules'), 'rules').map((x) => evalPermission(x, ctx)));
  if (bool(p, 'any') === true) return true;
  if (obj(p, 'header')) return ctx.http && matchHeader(obj(p, 'header')!, ctx.view);
  if (obj(p, 'url_path')) return urlPath(obj(p, 'url_path'), ctx);
  if (obj(p, 'destination_ip')) return ipIn(obj(p, 'destination_ip'), ctx.destinationIp);
  if (has(p, 'destination_port')) return num(p, 'destination_port') === ctx.destinationPort;
  if (obj(p, 'destination_port_range')) {
    const r = obj(p, 'destination_port_range');
    return ctx.destinationPort >= (num(r, 'start') ?? 0) && ctx.destinationPort < (num(r, 'end') ?? 0);
  }
  if (obj(p, 'requested_server_name')) return matchString(obj(p, 'requested_server_name')!, ctx.sni);
  if (obj(p, 'not_rule')) return not(evalPermission(obj(p, 'not_rule')!, ctx));
  return 'unknown'; // metadata, matcher, uri_template
}

export function evalPolicy(policy: JsonObject, ctx: RbacContext): Tri {
  const permissions = any(objs(policy, 'permissions').map((p) => evalPermission(p, ctx)));
  const principals = any(objs(policy, 'principals').map((p) => evalPrincipal(p, ctx)));
  const condition: Tri = has(policy, 'condition') || has(policy, 'checked_condition') ? 'unknown' : true;
  return all([permissions, principals, condition]);
}

export interface RbacEngineResult {
  readonly action: 'ALLOW' | 'DENY' | 'LOG';
  readonly result: 'allowed' | 'denied' | 'unknown';
  readonly matchedPolicy?: string;
  readonly policies: { readonly name: string; readonly matched: Tri }[];
}

/** One RBAC engine (config.rbac.v3.RBAC). Policies are tried in name order, as Envoy's std::map holds them. */
export function evalRbac(rules: JsonObject, ctx: RbacContext): RbacEngineResult {
  const named = enumName(rules, 'action', ['ALLOW', 'DENY', 'LOG']);
  const action = named === 'DENY' || named === 'LOG' ? named : 'ALLOW';
  const policyMap = obj(rules, 'policies') ?? {};
  const policies = Object.keys(policyMap)
    .sort()
    .map((name) => ({ name, matched: evalPolicy(obj(policyMap, name) ?? {}, ctx) }));
  const firstMatch = policies.find((p) => p.matched === true)?.name;
  const someMatch = any(policies.map((p) => p.matched));
  let result: RbacEngineResult['result'];
  if (action === 'LOG') result = 'allowed';
  else if (someMatch === 'unknown') result = 'unknown';
  else if (action === 'ALLOW') result = someMatch ? 'allowed' : 'denied';
  else result = someMatch ? 'denied' : 'allowed';
  return { action, result, ...(firstMatch !== undefined ? { matchedPolicy: firstMatch } : {}), policies };
}

export function rbacReport(engine: RbacEngineResult, shadow?: RbacEngineResult): RbacReport {
  return {
    action: engine.action,
    result: engine.result,
    ...(engine.matchedPolicy !== undefined ? { matchedPolicy: engine.matchedPolicy } : {}),
    policies: engine.policies,
    ...(shadow ? { shadow: { result: shadow.result, ...(shadow.matchedPolicy !== undefined ? { matchedPolicy: shadow.matchedPolicy } : {}) } } : {}),
  };
}
