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
// Rules become RBAC policies in authorization-rules.ts (shared with gRPC servers' RBAC).
import type { JsonObject } from '../../envoy/resource';
import type { Authorization, AuthorizationRule, CustomAuthorization, OperationMatch, PeerMatch } from '../../ir/mesh';
import { extAuthzConfig } from '../filters/ext-authz';
import { typed } from '../json';
import { rulePolicy, type RbacTarget } from './authorization-rules';

export const RBAC_AUDIT_FILTER = 'envoy.filters.http.rbac/audit';
export const RBAC_DENY_FILTER = 'envoy.filters.http.rbac/deny';
export const RBAC_ALLOW_FILTER = 'envoy.filters.http.rbac/allow';
export const EXT_AUTHZ_SHADOW_FILTER_PREFIX = 'envoy.filters.http.rbac/ext-authz-';
export const MESH_EXT_AUTHZ_FILTER_PREFIX = 'envoy.filters.http.ext_authz/';
/** Shadow policy names start with this; ext_authz is enabled when the matched one does. */
export const EXT_AUTHZ_POLICY_PREFIX = 'istio-ext-authz';
export const RBAC_METADATA_NAMESPACE = 'envoy.filters.http.rbac';

const RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';

export interface NamedHttpFilter {
  readonly name: string;
  readonly typed_config: JsonObject;
}

/**
 * Envoy's rbac filters evaluate every Istio field and condition (jwt_authn runs before them);
 * only a key the translator should have refused reaches `unsupported`, and it never matches.
 */
const ENVOY_RBAC: RbacTarget = {
  supports: new Set(['jwt', 'sni']),
  unsupportedPrincipal: () => ({ not_id: { any: true } }),
  unsupportedPermission: () => ({ not_rule: { any: true } }),
};

function policies(rules: readonly AuthorizationRule[], namePrefix = ''): JsonObject {
  const out: JsonObject = {};
  for (const rule of rules) out[namePrefix + rule.name] = rulePolicy(rule, ENVOY_RBAC);
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
