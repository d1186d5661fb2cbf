// An inbound Authorization (Istio AuthorizationPolicy semantics) as the RBAC HTTP filters an
// xDS-enabled gRPC server runs (gRFC A41; grpc-js-xds needs GRPC_XDS_EXPERIMENTAL_RBAC=true):
// one DENY filter for the DENY rules, then one ALLOW filter when an ALLOW policy exists (with no
// rule, it denies everything, as Istio does). gRPC's RBAC has no top-level config without rules,
// so each filter carries its whole rule set.
//
// gRPC evaluates principals `authenticated` (URI SAN first), source / remote IPs, headers and
// url_path, and permissions on headers, url_path, destination IP and port. Conditions it cannot
// evaluate (request principals and JWT claims need the jwt_authn filter it does not have) are
// replaced, as Istio does: in an ALLOW rule by "never matches" (the rule grants nothing), in a
// DENY rule by "always matches" (the rule denies more, never less). CUSTOM (ext_authz) does not
// exist in gRPC: unless it fails open, the requests it would check are denied. AUDIT rules only
// flag requests for access logs, which gRPC does not write.
import type { JsonObject } from '../../envoy/resource';
import type { Authorization, AuthorizationRule, ConditionMatch, OperationMatch, PeerMatch } from '../../ir/mesh';
import { cidrRange } from '../cidr';
import { compact, typed } from '../json';
import { escapeRegex } from '../matchers';
import type { ProxylessNotes } from './notes';

export const RBAC_DENY_FILTER = 'envoy.filters.http.rbac/deny';
export const RBAC_ALLOW_FILTER = 'envoy.filters.http.rbac/allow';
const RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';

type Mode = 'ALLOW' | 'DENY';

const ANY: JsonObject = { any: true };
const NEVER_PRINCIPAL: JsonObject = { not_id: { any: true } };
const NEVER_PERMISSION: JsonObject = { not_rule: { any: true } };

/** Istio value forms: exact, "prefix*", "*suffix", "*" (any non-empty value). */
function istioString(value: string, prefix = ''): JsonObject {
  if (value === '*') return { safe_regex: { regex: `${escapeRegex(prefix)}.+` } };
  if (value.endsWith('*')) return { prefix: prefix + value.slice(0, -1) };
  if (value.startsWith('*')) return { suffix: value.slice(1) };
  return { exact: prefix + value };
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

/** Adds "any of `values`" (and "none of `notValues`") built by `one` to `into`. */
function principalField(into: JsonObject[], values: readonly string[] | undefined, notValues: readonly string[] | undefined, one: (v: string) => JsonObject): void {
  if (values && values.length > 0) into.push(anyOfIds(values.map(one)));
  if (notValues && notValues.length > 0) into.push({ not_id: anyOfIds(notValues.map(one)) });
}

function permissionField(into: JsonObject[], values: readonly (string | number)[] | undefined, notValues: readonly (string | number)[] | undefined, one: (v: string | number) => JsonObject): void {
  if (values && values.length > 0) into.push(anyOfRules(values.map(one)));
  if (notValues && notValues.length > 0) into.push({ not_rule: anyOfRules(notValues.map(one)) });
}

const principal = (value: string): JsonObject => ({ authenticated: { principal_name: istioString(value, 'spiffe://') } });

/** A peer in namespace `ns`: its SPIFFE ID has the segment /ns/<ns>/. */
function namespacePrincipal(ns: string): JsonObject {
  const segment = ns === '*' ? '[^/]+' : ns.endsWith('*') ? `${escapeRegex(ns.slice(0, -1))}[^/]*` : ns.startsWith('*') ? `[^/]*${escapeRegex(ns.slice(1))}` : escapeRegex(ns);
  return { authenticated: { principal_name: { safe_regex: { regex: `spiffe://[^/]+/ns/${segment}/.*` } } } };
}

const directIp = (cidr: string): JsonObject => ({ direct_remote_ip: cidrRange(cidr) });
const remoteIp = (cidr: string): JsonObject => ({ remote_ip: cidrRange(cidr) });
const header = (name: string) => (value: string | number): JsonObject => ({ header: { name, string_match: istioString(String(value)) } });

class RuleContext {
  constructor(
    readonly mode: Mode,
    readonly rule: AuthorizationRule,
    readonly notes: ProxylessNotes,
  ) {}

  /** Stand-in for a condition gRPC cannot evaluate (see the file comment). */
  unsupportedPrincipal(what: string): JsonObject {
    this.notes.add(`authorization ${this.rule.name}`, `${what} cannot be evaluated by gRPC servers: the ${this.mode} rule ${this.mode === 'ALLOW' ? 'never matches' : 'matches regardless of it'}`, this.rule.source);
    return this.mode === 'ALLOW' ? NEVER_PRINCIPAL : ANY;
  }

  unsupportedPermission(what: string): JsonObject {
    this.notes.add(`authorization ${this.rule.name}`, `${what} cannot be evaluated by gRPC servers: the ${this.mode} rule ${this.mode === 'ALLOW' ? 'never matches' : 'matches regardless of it'}`, this.rule.source);
    return this.mode === 'ALLOW' ? NEVER_PERMISSION : ANY;
  }
}

function peerPrincipal(peer: PeerMatch, ctx: RuleContext): JsonObject {
  const ids: JsonObject[] = [];
  principalField(ids, peer.principals, peer.notPrincipals, principal);
  if ((peer.requestPrincipals?.length ?? 0) > 0 || (peer.notRequestPrincipals?.length ?? 0) > 0) ids.push(ctx.unsupportedPrincipal('requestPrincipals'));
  principalField(ids, peer.namespaces, peer.notNamespaces, namespacePrincipal);
  principalField(ids, peer.ipBlocks, peer.notIpBlocks, directIp);
  principalField(ids, peer.remoteIpBlocks, peer.notRemoteIpBlocks, remoteIp);
  return allOfIds(ids);
}

function operationPermission(op: OperationMatch): JsonObject {
  const rules: JsonObject[] = [];
  permissionField(rules, op.hosts, op.notHosts, header(':authority'));
  permissionField(rules, op.ports, op.notPorts, (port) => ({ destination_port: Number(port) }));
  permissionField(rules, op.methods, op.notMethods, header(':method'));
  permissionField(rules, op.paths, op.notPaths, (path) => ({ url_path: { path: istioString(String(path)) } }));
  return allOfRules(rules);
}

/** request.headers[x-name] → "x-name". */
function headerKey(key: string): string | undefined {
  const match = /^request\.headers\[(.+)\]$/.exec(key);
  return match ? match[1]!.toLowerCase() : undefined;
}

function condition(cond: ConditionMatch, ctx: RuleContext): { principal?: JsonObject; permission?: JsonObject } {
  const ids: JsonObject[] = [];
  const rules: JsonObject[] = [];
  const headerName = headerKey(cond.key);
  if (headerName !== undefined) {
    principalField(ids, cond.values, cond.notValues, (v) => header(headerName)(v));
  } else {
    switch (cond.key) {
      case 'source.ip':
        principalField(ids, cond.values, cond.notValues, directIp);
        break;
      case 'remote.ip':
        principalField(ids, cond.values, cond.notValues, remoteIp);
        break;
      case 'source.namespace':
        principalField(ids, cond.values, cond.notValues, namespacePrincipal);
        break;
      case 'source.principal':
        principalField(ids, cond.values, cond.notValues, principal);
        break;
      case 'destination.ip':
        permissionField(rules, cond.values, cond.notValues, (v) => ({ destination_ip: cidrRange(String(v)) }));
        break;
      case 'destination.port': {
        const isPort = (v: string): boolean => /^\d{1,5}$/.test(v) && Number(v) <= 65535;
        if (![...(cond.values ?? []), ...(cond.notValues ?? [])].every(isPort)) return { permission: ctx.unsupportedPermission(`condition "${cond.key}" with a value that is not a port`) };
        permissionField(rules, cond.values, cond.notValues, (v) => ({ destination_port: Number(v) }));
        break;
      }
      default:
        return { principal: ctx.unsupportedPrincipal(`condition "${cond.key}"`) };
    }
  }
  return { principal: ids.length > 0 ? allOfIds(ids) : undefined, permission: rules.length > 0 ? allOfRules(rules) : undefined };
}

function rulePolicy(rule: AuthorizationRule, ctx: RuleContext): JsonObject {
  const ids: JsonObject[] = [];
  const rules: JsonObject[] = [];
  if (rule.from && rule.from.length > 0) ids.push(anyOfIds(rule.from.map((peer) => peerPrincipal(peer, ctx))));
  if (rule.to && rule.to.length > 0) rules.push(anyOfRules(rule.to.map(operationPermission)));
  for (const cond of rule.when ?? []) {
    const built = condition(cond, ctx);
    if (built.principal) ids.push(built.principal);
    if (built.permission) rules.push(built.permission);
  }
  return { permissions: [allOfRules(rules)], principals: [allOfIds(ids)] };
}

function rbacFilter(name: string, mode: Mode, rules: readonly AuthorizationRule[], notes: ProxylessNotes): JsonObject {
  const policies: JsonObject = {};
  for (const rule of rules) policies[rule.name] = rulePolicy(rule, new RuleContext(mode, rule, notes));
  // ALLOW is the enum's zero value and so absent; `rules` stays present even without policies.
  return { name, typed_config: typed(RBAC, { rules: compact({ action: mode === 'DENY' ? 'DENY' : undefined, policies: Object.keys(policies).length > 0 ? policies : undefined }) }) };
}

/** The RBAC HTTP filters (DENY first, then ALLOW) for an inbound listener; none without authorization. */
export function grpcServerRbac(authorization: Authorization | undefined, subject: string, notes: ProxylessNotes): JsonObject[] {
  if (!authorization) return [];
  const deny = [...authorization.deny];
  for (const custom of authorization.custom ?? []) {
    for (const rule of custom.rules) {
      if (custom.failOpen) {
        notes.add(subject, `CUSTOM authorization (${rule.name}) needs ext_authz, which gRPC servers do not have; it fails open, so it is left out`, rule.source);
      } else {
        notes.add(subject, `CUSTOM authorization (${rule.name}) needs ext_authz, which gRPC servers do not have; the requests it would check are denied`, rule.source);
        deny.push(rule);
      }
    }
  }
  for (const rule of authorization.audit ?? []) notes.add(subject, `AUDIT rule ${rule.name} only flags access logs, which gRPC servers do not write; left out`, rule.source);
  const filters: JsonObject[] = [];
  if (deny.length > 0) filters.push(rbacFilter(RBAC_DENY_FILTER, 'DENY', deny, notes));
  if (authorization.allow) filters.push(rbacFilter(RBAC_ALLOW_FILTER, 'ALLOW', authorization.allow, notes));
  return filters;
}
