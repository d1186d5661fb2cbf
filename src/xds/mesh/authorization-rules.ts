// One Istio AuthorizationPolicy rule (IR AuthorizationRule) as an Envoy RBAC policy, shared by the
// two RBAC evaluators meshgate feeds: Envoy's rbac filters on sidecars (authorization.ts) and the
// RBAC filter of xDS-enabled gRPC servers (../proxyless/server-rbac.ts). Both read the same
// RBAC proto; what differs is what each can evaluate, so a rule is built once, from one table of
// fields and `when` conditions, and an `RbacTarget` says which entries its evaluator supports and
// what stands in for the others.
//
// Rule matching follows Istio: a rule matches when some `from`, some `to` and every `when` match;
// values are exact, "prefix*", "*suffix" or "*" (present). Peer principals are the SPIFFE ID of
// the client certificate (authenticated.principal_name), namespaces a regex on it; request
// principals ("<iss>/<sub>") and request.auth.* read the JWT payload that jwt_authn writes to
// dynamic metadata (JwtProvider.payloadInMetadata = MESH_JWT_PAYLOAD_KEY). A request principal is
// split at its last "/" into issuer and subject (subjects contain no "/").
import type { JsonObject } from '../../envoy/resource';
import { MESH_JWT_PAYLOAD_KEY, type AuthorizationRule, type ConditionMatch, type OperationMatch, type PeerMatch } from '../../ir/mesh';
import { cidrRange } from '../cidr';
import { escapeRegex } from '../matchers';

export const JWT_AUTHN_METADATA_NAMESPACE = 'envoy.filters.http.jwt_authn';

/** What an RBAC evaluator can check beyond peers, IPs, headers, paths, ports and destination IPs. */
export type RbacCapability =
  /** JWT payload in dynamic metadata (request principals, request.auth.*): needs jwt_authn. */
  | 'jwt'
  /** The TLS SNI of the connection (connection.sni). */
  | 'sni';

export interface RbacTarget {
  readonly supports: ReadonlySet<RbacCapability>;
  /**
   * Stands in for something the evaluator cannot check (`what` names it for status notes): the
   * target decides, e.g. "never matches" in an ALLOW rule and "always matches" in a DENY rule.
   */
  unsupportedPrincipal(what: string): JsonObject;
  unsupportedPermission(what: string): JsonObject;
}

const ANY: JsonObject = { any: true };

// ---- value forms ----

/** Istio value forms → StringMatcher: exact, "prefix*", "*suffix", "*" (any non-empty value). */
function istioStringMatcher(value: string, prefix = '', ignoreCase = false): JsonObject {
  const ic: JsonObject = ignoreCase ? { ignore_case: true } : {};
  if (value === '*') return { safe_regex: { regex: `${escapeRegex(prefix)}.+` } };
  if (value.endsWith('*')) return { prefix: prefix + value.slice(0, -1), ...ic };
  if (value.startsWith('*')) return { suffix: value.slice(1), ...ic };
  return { exact: prefix + value, ...ic };
}

function anyOfIds(ids: readonly JsonObject[]): JsonObject {
  return ids.length === 1 ? ids[0]! : { or_ids: { ids: [...ids] } };
}

function allOfIds(ids: readonly JsonObject[]): JsonObject {
  if (ids.length === 0) return ANY;
  return ids.length === 1 ? ids[0]! : { and_ids: { ids: [...ids] } };
}

function anyOfRules(rules: readonly JsonObject[]): JsonObject {
  return rules.length === 1 ? rules[0]! : { or_rules: { rules: [...rules] } };
}

function allOfRules(rules: readonly JsonObject[]): JsonObject {
  if (rules.length === 0) return ANY;
  return rules.length === 1 ? rules[0]! : { and_rules: { rules: [...rules] } };
}

/** Adds "any of `values`" and "none of `notValues`" (principals). */
function ids<T>(into: JsonObject[], values: readonly T[] | undefined, notValues: readonly T[] | undefined, one: (v: T) => JsonObject): void {
  if (values && values.length > 0) into.push(anyOfIds(values.map(one)));
  if (notValues && notValues.length > 0) into.push({ not_id: anyOfIds(notValues.map(one)) });
}

/** Adds "any of `values`" and "none of `notValues`" (permissions). */
function perms<T>(into: JsonObject[], values: readonly T[] | undefined, notValues: readonly T[] | undefined, one: (v: T) => JsonObject): void {
  if (values && values.length > 0) into.push(anyOfRules(values.map(one)));
  if (notValues && notValues.length > 0) into.push({ not_rule: anyOfRules(notValues.map(one)) });
}

// ---- principals ----

const peerPrincipal = (value: string): JsonObject => ({ authenticated: { principal_name: istioStringMatcher(value, 'spiffe://') } });

/** A peer in namespace `ns`: its SPIFFE ID has the segment /ns/<ns>/ (Istio's forms apply to the name). */
function namespacePrincipal(ns: string): JsonObject {
  const segment = ns === '*' ? '[^/]+' : ns.endsWith('*') ? `${escapeRegex(ns.slice(0, -1))}[^/]*` : ns.startsWith('*') ? `[^/]*${escapeRegex(ns.slice(1))}` : escapeRegex(ns);
  return { authenticated: { principal_name: { safe_regex: { regex: `spiffe://[^/]+/ns/${segment}/.*` } } } };
}

const directIp = (cidr: string): JsonObject => ({ direct_remote_ip: cidrRange(cidr) });
const remoteIp = (cidr: string): JsonObject => ({ remote_ip: cidrRange(cidr) });

function payloadMatcher(path: readonly string[], value: JsonObject): JsonObject {
  return { metadata: { filter: JWT_AUTHN_METADATA_NAMESPACE, path: [MESH_JWT_PAYLOAD_KEY, ...path].map((key) => ({ key })), value } };
}

/** A JWT claim equal to (or, for list claims such as groups and aud, containing) a value. */
function claimPrincipal(path: readonly string[], value: string): JsonObject {
  const sm = istioStringMatcher(value);
  return { or_ids: { ids: [payloadMatcher(path, { string_match: sm }), payloadMatcher(path, { list_match: { one_of: { string_match: sm } } })] } };
}

/** "<iss>/<sub>" with Istio's forms, split at the last "/" into issuer and subject. */
export function requestPrincipal(value: string): JsonObject {
  const iss = (sm: JsonObject): JsonObject => payloadMatcher(['iss'], { string_match: sm });
  const sub = (sm: JsonObject): JsonObject => payloadMatcher(['sub'], { string_match: sm });
  if (value === '*') return payloadMatcher(['iss'], { present_match: true });
  if (value.endsWith('*')) {
    const body = value.slice(0, -1);
    const slash = body.lastIndexOf('/');
    if (slash < 0) return iss({ prefix: body });
    const subPrefix = body.slice(slash + 1);
    return allOfIds([iss({ exact: body.slice(0, slash) }), ...(subPrefix !== '' ? [sub({ prefix: subPrefix })] : [])]);
  }
  if (value.startsWith('*')) {
    const body = value.slice(1);
    const slash = body.lastIndexOf('/');
    if (slash < 0) return sub({ suffix: body });
    const issSuffix = body.slice(0, slash);
    return allOfIds([...(issSuffix !== '' ? [iss({ suffix: issSuffix })] : []), sub({ exact: body.slice(slash + 1) })]);
  }
  const slash = value.lastIndexOf('/');
  if (slash < 0) return iss({ exact: value });
  return allOfIds([iss({ exact: value.slice(0, slash) }), sub({ exact: value.slice(slash + 1) })]);
}

function peerIds(peer: PeerMatch, target: RbacTarget): JsonObject {
  const out: JsonObject[] = [];
  ids(out, peer.principals, peer.notPrincipals, peerPrincipal);
  if ((peer.requestPrincipals?.length ?? 0) + (peer.notRequestPrincipals?.length ?? 0) > 0) {
    if (target.supports.has('jwt')) ids(out, peer.requestPrincipals, peer.notRequestPrincipals, requestPrincipal);
    else out.push(target.unsupportedPrincipal('requestPrincipals'));
  }
  ids(out, peer.namespaces, peer.notNamespaces, namespacePrincipal);
  ids(out, peer.ipBlocks, peer.notIpBlocks, directIp);
  ids(out, peer.remoteIpBlocks, peer.notRemoteIpBlocks, remoteIp);
  return allOfIds(out);
}

// ---- permissions ----

const headerIs = (name: string, ignoreCase = false) => (value: string): JsonObject => ({ header: { name, string_match: istioStringMatcher(value, '', ignoreCase) } });

/** Istio hosts match :authority case-insensitively; an exact host also matches "<host>:<port>". */
function hostPermission(host: string): JsonObject {
  const authority = headerIs(':authority', true);
  if (host.includes('*')) return authority(host);
  return anyOfRules([authority(host), { header: { name: ':authority', string_match: { prefix: `${host}:`, ignore_case: true } } }]);
}

function operationPermission(op: OperationMatch): JsonObject {
  const out: JsonObject[] = [];
  perms(out, op.hosts, op.notHosts, hostPermission);
  perms(out, op.ports, op.notPorts, (port) => ({ destination_port: port }));
  perms(out, op.methods, op.notMethods, headerIs(':method'));
  perms(out, op.paths, op.notPaths, (path) => ({ url_path: { path: istioStringMatcher(path) } }));
  return allOfRules(out);
}

// ---- conditions: one table for every target ----

function bracketed(key: string, prefix: string): string[] | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const parts = [...key.slice(prefix.length).matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
  return parts.length > 0 ? parts : undefined;
}

const isPort = (v: string): boolean => /^\d{1,5}$/.test(v) && Number(v) <= 65535;

/** How a `when` key becomes RBAC: a principal (who/what the request carries) or a permission (where it goes). */
type ConditionForm =
  | { readonly principal: (value: string) => JsonObject; readonly needs?: RbacCapability }
  | { readonly permission: (value: string) => JsonObject; readonly needs?: RbacCapability; readonly accepts?: (value: string) => boolean };

const CONDITIONS: Readonly<Record<string, ConditionForm>> = {
  'source.ip': { principal: directIp },
  'remote.ip': { principal: remoteIp },
  'source.namespace': { principal: namespacePrincipal },
  'source.principal': { principal: peerPrincipal },
  'request.auth.principal': { principal: requestPrincipal, needs: 'jwt' },
  'request.auth.audiences': { principal: (v) => claimPrincipal(['aud'], v), needs: 'jwt' },
  'request.auth.presenter': { principal: (v) => claimPrincipal(['azp'], v), needs: 'jwt' },
  'destination.ip': { permission: (v) => ({ destination_ip: cidrRange(v) }) },
  'destination.port': { permission: (v) => ({ destination_port: Number(v) }), accepts: isPort },
  'connection.sni': { permission: (v) => ({ requested_server_name: istioStringMatcher(v) }), needs: 'sni' },
};

function conditionForm(key: string): ConditionForm | undefined {
  const header = bracketed(key, 'request.headers');
  if (header) return { principal: headerIs(header[0]!.toLowerCase()) };
  const claim = bracketed(key, 'request.auth.claims');
  if (claim) return { principal: (v) => claimPrincipal(claim, v), needs: 'jwt' };
  return Object.prototype.hasOwnProperty.call(CONDITIONS, key) ? CONDITIONS[key] : undefined;
}

function conditionParts(cond: ConditionMatch, target: RbacTarget): { principal?: JsonObject; permission?: JsonObject } {
  const form = conditionForm(cond.key);
  // The translator rejects unknown keys; the target says what stands in for one that gets here.
  if (!form || (form.needs && !target.supports.has(form.needs))) return { principal: target.unsupportedPrincipal(`condition "${cond.key}"`) };
  if ('principal' in form) {
    const p: JsonObject[] = [];
    ids(p, cond.values, cond.notValues, form.principal);
    return p.length > 0 ? { principal: allOfIds(p) } : {};
  }
  if (form.accepts && ![...(cond.values ?? []), ...(cond.notValues ?? [])].every(form.accepts)) {
    return { permission: target.unsupportedPermission(`condition "${cond.key}" with a value that is not a port`) };
  }
  const r: JsonObject[] = [];
  perms(r, cond.values, cond.notValues, form.permission);
  return r.length > 0 ? { permission: allOfRules(r) } : {};
}

/** One rule as an Envoy RBAC policy, for `target`'s evaluator. */
export function rulePolicy(rule: AuthorizationRule, target: RbacTarget): JsonObject {
  const principals: JsonObject[] = [];
  const permissions: JsonObject[] = [];
  if (rule.from && rule.from.length > 0) principals.push(anyOfIds(rule.from.map((peer) => peerIds(peer, target))));
  if (rule.to && rule.to.length > 0) permissions.push(anyOfRules(rule.to.map(operationPermission)));
  for (const cond of rule.when ?? []) {
    const parts = conditionParts(cond, target);
    if (parts.principal) principals.push(parts.principal);
    if (parts.permission) permissions.push(parts.permission);
  }
  return { permissions: [allOfRules(permissions)], principals: [allOfIds(principals)] };
}
