// An inbound listener's Authorization (Istio AuthorizationPolicy semantics) as Envoy HTTP filters,
// in the order Envoy must run them:
//   1. AUDIT: envoy.filters.http.rbac with action LOG (only marks matching requests for access
//      logs); first, so that requests denied later are flagged too.
//   2. CUSTOM, per provider, as Istio builds it: a shadow-only RBAC filter whose policies are the
//      CUSTOM rules (named "istio-ext-authz/..."); a matching request gets the dynamic metadata
//      <stat prefix>shadow_effective_policy_id, and the ext_authz filter after it is enabled only
//      for requests carrying that metadata (filter_enabled_metadata), so only they are checked.
//   3. DENY: envoy.filters.http.rbac with action DENY, one policy per rule.
//   4. ALLOW (when an ALLOW policy applies): envoy.filters.http.rbac with action ALLOW; without
//      policies it denies every request, as Istio's allow-nothing policy does.
// Rule matching follows Istio: a rule matches when some `from`, some `to` and every `when` match;
// values are exact, "prefix*", "*suffix" or "*" (present). Peer principals are the SPIFFE ID of
// the client certificate (authenticated.principal_name), namespaces a regex on it; request
// principals ("<iss>/<sub>") and request.auth.* read the JWT payload that jwt_authn writes to
// dynamic metadata (JwtProvider.payloadInMetadata = MESH_JWT_PAYLOAD_KEY). A request principal is
// split at its last "/" into issuer and subject (subjects contain no "/").
import type { JsonObject } from '../../envoy/resource';
import { MESH_JWT_PAYLOAD_KEY, type Authorization, type AuthorizationRule, type ConditionMatch, type CustomAuthorization, type OperationMatch, type PeerMatch } from '../../ir/mesh';
import { cidrRange } from '../cidr';
import { extAuthzConfig } from '../filters/ext-authz';
import { typed } from '../json';
import { escapeRegex } from '../matchers';

export const RBAC_AUDIT_FILTER = 'envoy.filters.http.rbac/audit';
export const RBAC_DENY_FILTER = 'envoy.filters.http.rbac/deny';
export const RBAC_ALLOW_FILTER = 'envoy.filters.http.rbac/allow';
export const EXT_AUTHZ_SHADOW_FILTER_PREFIX = 'envoy.filters.http.rbac/ext-authz-';
export const MESH_EXT_AUTHZ_FILTER_PREFIX = 'envoy.filters.http.ext_authz/';
/** Shadow policy names start with this; ext_authz is enabled when the matched one does. */
export const EXT_AUTHZ_POLICY_PREFIX = 'istio-ext-authz';
export const JWT_AUTHN_METADATA_NAMESPACE = 'envoy.filters.http.jwt_authn';
export const RBAC_METADATA_NAMESPACE = 'envoy.filters.http.rbac';

const RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';

export interface NamedHttpFilter {
  readonly name: string;
  readonly typed_config: JsonObject;
}

const ANY: JsonObject = { any: true };

// ---- value forms ----

/** Istio value forms → StringMatcher: exact, "prefix*", "*suffix", "*" (any non-empty value). */
export function istioStringMatcher(value: string, prefix = '', ignoreCase = false): JsonObject {
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
export function namespacePrincipal(ns: string): JsonObject {
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

function peerIds(peer: PeerMatch): JsonObject {
  const out: JsonObject[] = [];
  ids(out, peer.principals, peer.notPrincipals, peerPrincipal);
  ids(out, peer.requestPrincipals, peer.notRequestPrincipals, requestPrincipal);
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

// ---- conditions ----

function bracketed(key: string, prefix: string): string[] | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const parts = [...key.slice(prefix.length).matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
  return parts.length > 0 ? parts : undefined;
}

/** A `when` condition as principals (who/what the request carries) or permissions (where it goes). */
function conditionParts(cond: ConditionMatch): { principal?: JsonObject; permission?: JsonObject } {
  const p: JsonObject[] = [];
  const r: JsonObject[] = [];
  const header = bracketed(cond.key, 'request.headers');
  const claim = bracketed(cond.key, 'request.auth.claims');
  if (header) ids(p, cond.values, cond.notValues, headerIs(header[0]!.toLowerCase()));
  else if (claim) ids(p, cond.values, cond.notValues, (v) => claimPrincipal(claim, v));
  else {
    switch (cond.key) {
      case 'source.ip':
        ids(p, cond.values, cond.notValues, directIp);
        break;
      case 'remote.ip':
        ids(p, cond.values, cond.notValues, remoteIp);
        break;
      case 'source.namespace':
        ids(p, cond.values, cond.notValues, namespacePrincipal);
        break;
      case 'source.principal':
        ids(p, cond.values, cond.notValues, peerPrincipal);
        break;
      case 'request.auth.principal':
        ids(p, cond.values, cond.notValues, requestPrincipal);
        break;
      case 'request.auth.audiences':
        ids(p, cond.values, cond.notValues, (v) => claimPrincipal(['aud'], v));
        break;
      case 'request.auth.presenter':
        ids(p, cond.values, cond.notValues, (v) => claimPrincipal(['azp'], v));
        break;
      case 'destination.ip':
        perms(r, cond.values, cond.notValues, (v) => ({ destination_ip: cidrRange(v) }));
        break;
      case 'destination.port':
        perms(r, cond.values, cond.notValues, (v) => ({ destination_port: Number(v) }));
        break;
      case 'connection.sni':
        perms(r, cond.values, cond.notValues, (v) => ({ requested_server_name: istioStringMatcher(v) }));
        break;
      default:
        // The translator rejects other keys; an unknown key must never widen access, so it matches nothing.
        p.push({ not_id: ANY });
    }
  }
  return { ...(p.length > 0 ? { principal: allOfIds(p) } : {}), ...(r.length > 0 ? { permission: allOfRules(r) } : {}) };
}

/** One rule as an Envoy RBAC policy. */
export function rulePolicy(rule: AuthorizationRule): JsonObject {
  const principals: JsonObject[] = [];
  const permissions: JsonObject[] = [];
  if (rule.from && rule.from.length > 0) principals.push(anyOfIds(rule.from.map(peerIds)));
  if (rule.to && rule.to.length > 0) permissions.push(anyOfRules(rule.to.map(operationPermission)));
  for (const cond of rule.when ?? []) {
    const parts = conditionParts(cond);
    if (parts.principal) principals.push(parts.principal);
    if (parts.permission) permissions.push(parts.permission);
  }
  return { permissions: [allOfRules(permissions)], principals: [allOfIds(principals)] };
}

function policies(rules: readonly AuthorizationRule[], namePrefix = ''): JsonObject {
  const out: JsonObject = {};
  for (const rule of rules) out[namePrefix + rule.name] = rulePolicy(rule);
  return out;
}

function rbacFilter(name: string, action: 'ALLOW' | 'DENY' | 'LOG', rules: readonly AuthorizationRule[]): NamedHttpFilter {
  const built = policies(rules);
  // ALLOW is the enum's zero value and so left out; `rules` stays even without policies (deny all).
  const engine: JsonObject = { ...(action !== 'ALLOW' ? { action } : {}), ...(Object.keys(built).length > 0 ? { policies: built } : {}) };
  return { name, typed_config: typed(RBAC, { rules: engine }) };
}

function customFilters(custom: CustomAuthorization, index: number): NamedHttpFilter[] {
  const statPrefix = `istio_ext_authz_${index}_`;
  const shadow: NamedHttpFilter = {
    name: `${EXT_AUTHZ_SHADOW_FILTER_PREFIX}${index}`,
    typed_config: typed(RBAC, { shadow_rules: { policies: policies(custom.rules, `${EXT_AUTHZ_POLICY_PREFIX}/`) }, shadow_rules_stat_prefix: statPrefix }),
  };
  const base = extAuthzConfig({
    cluster: custom.cluster,
    protocol: custom.protocol,
    timeoutMs: custom.timeoutMs,
    failOpen: custom.failOpen,
    ...(custom.pathPrefix !== undefined ? { pathPrefix: custom.pathPrefix } : {}),
    ...(custom.includeRequestHeaders ? { allowedHeaders: custom.includeRequestHeaders } : {}),
  });
  const extAuthz: NamedHttpFilter = {
    name: `${MESH_EXT_AUTHZ_FILTER_PREFIX}${index}`,
    typed_config: {
      ...base,
      filter_enabled_metadata: {
        filter: RBAC_METADATA_NAMESPACE,
        path: [{ key: `${statPrefix}shadow_effective_policy_id` }],
        value: { string_match: { prefix: EXT_AUTHZ_POLICY_PREFIX } },
      },
    },
  };
  return [shadow, extAuthz];
}

/** The HTTP filters enforcing `authz` on an inbound listener, in order (see the file comment). */
export function authorizationHttpFilters(authz: Authorization): NamedHttpFilter[] {
  const filters: NamedHttpFilter[] = [];
  if (authz.audit && authz.audit.length > 0) filters.push(rbacFilter(RBAC_AUDIT_FILTER, 'LOG', authz.audit));
  (authz.custom ?? []).forEach((custom, i) => filters.push(...customFilters(custom, i)));
  if (authz.deny.length > 0) filters.push(rbacFilter(RBAC_DENY_FILTER, 'DENY', authz.deny));
  if (authz.allow) filters.push(rbacFilter(RBAC_ALLOW_FILTER, 'ALLOW', authz.allow));
  return filters;
}

// ---- TCP ports: envoy.filters.network.rbac ----

export const NETWORK_RBAC_FILTER = 'envoy.filters.network.rbac';
const NETWORK_RBAC = 'envoy.extensions.filters.network.rbac.v3.RBAC';

/**
 * What a rule uses that only an HTTP request has (Istio's HTTP-only fields: request principals,
 * hosts, methods, paths, request.* conditions). Peers, IP blocks (remote ones too), ports and the
 * source.*, remote.ip, destination.* and connection.sni conditions work on TCP.
 */
function httpOnlyFields(rule: AuthorizationRule): string[] {
  const found = new Set<string>();
  for (const peer of rule.from ?? []) {
    if ((peer.requestPrincipals?.length ?? 0) + (peer.notRequestPrincipals?.length ?? 0) > 0) found.add('requestPrincipals');
  }
  for (const op of rule.to ?? []) {
    for (const f of ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const) if ((op[f]?.length ?? 0) > 0) found.add(f);
  }
  for (const cond of rule.when ?? []) {
    if (cond.key.startsWith('request.')) found.add(`when ${cond.key}`);
  }
  return [...found];
}

/** The rule without its HTTP-only fields (what a DENY rule still matches on a TCP connection). */
function tcpPart(rule: AuthorizationRule): AuthorizationRule {
  const from = rule.from?.map((p): PeerMatch => {
    const { requestPrincipals: _a, notRequestPrincipals: _b, ...rest } = p;
    return rest;
  });
  const to = rule.to?.map((o): OperationMatch => (o.ports || o.notPorts ? { ...(o.ports ? { ports: o.ports } : {}), ...(o.notPorts ? { notPorts: o.notPorts } : {}) } : {}));
  const when = rule.when?.filter((c) => !c.key.startsWith('request.'));
  return { name: rule.name, source: rule.source, ...(from ? { from } : {}), ...(to ? { to } : {}), ...(when ? { when } : {}) };
}

export interface NetworkAuthorizationNote {
  /** The IR rule's name and source (its policy document). */
  readonly rule: string;
  readonly source: AuthorizationRule['source'];
  readonly message: string;
}

export interface NetworkAuthorization {
  readonly filters: NamedHttpFilter[];
  /** What could not be enforced as written, per rule (for the policy's status). */
  readonly notes: readonly NetworkAuthorizationNote[];
}

/** What of `authz` a TCP port cannot enforce as written (translators report it on the policies' status). */
export function networkAuthorizationNotes(authz: Authorization): NetworkAuthorizationNote[] {
  const notes: NetworkAuthorizationNote[] = [];
  const note = (r: AuthorizationRule, message: string): void => {
    notes.push({ rule: r.name, source: r.source, message });
  };
  for (const c of authz.custom ?? []) for (const r of c.rules) note(r, 'CUSTOM authorization applies to HTTP ports only; not enforced on this TCP port');
  for (const r of authz.audit ?? []) note(r, 'AUDIT applies to HTTP ports only; not logged on this TCP port');
  for (const r of authz.deny) {
    const http = httpOnlyFields(r);
    if (http.length > 0) note(r, `on a TCP port the DENY rule ignores its HTTP-only fields (${http.join(', ')}), which always match, and so denies more`);
  }
  for (const r of authz.allow ?? []) {
    const http = httpOnlyFields(r);
    if (http.length > 0) note(r, `on a TCP port the ALLOW rule never matches: it uses HTTP-only fields (${http.join(', ')})`);
  }
  return notes;
}

/**
 * The network RBAC filters for a TCP port, with Istio's TCP semantics: an ALLOW rule using an
 * HTTP-only field never matches (it is left out), a DENY rule is applied without its HTTP-only
 * fields (it denies more, never less). CUSTOM and AUDIT need HTTP and are left out (reported).
 */
export function authorizationNetworkFilters(authz: Authorization, statPrefix: string): NetworkAuthorization {
  const notes = networkAuthorizationNotes(authz);
  const deny = authz.deny.map(tcpPart);
  const allow = authz.allow?.filter((r) => httpOnlyFields(r).length === 0);
  const network = (name: string, action: 'ALLOW' | 'DENY', rules: readonly AuthorizationRule[]): NamedHttpFilter => {
    const built = policies(rules);
    const engine: JsonObject = { ...(action === 'DENY' ? { action } : {}), ...(Object.keys(built).length > 0 ? { policies: built } : {}) };
    return { name, typed_config: typed(NETWORK_RBAC, { rules: engine, stat_prefix: `${statPrefix}${action.toLowerCase()}.` }) };
  };
  const filters: NamedHttpFilter[] = [];
  if (deny.length > 0) filters.push(network(`${NETWORK_RBAC_FILTER}/deny`, 'DENY', deny));
  if (allow) filters.push(network(`${NETWORK_RBAC_FILTER}/allow`, 'ALLOW', allow));
  return { filters, notes };
}
