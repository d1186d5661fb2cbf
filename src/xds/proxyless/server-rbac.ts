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
// flag requests for access logs, which gRPC does not write. The rules themselves are built by
// ../mesh/authorization-rules.ts, as for sidecars, with what gRPC lacks marked unsupported.
import type { JsonObject } from '../../envoy/resource';
import type { Authorization, AuthorizationRule } from '../../ir/mesh';
import { compact, typed } from '../json';
import { rulePolicy, type RbacCapability, type RbacTarget } from '../mesh/authorization-rules';
import type { ProxylessNotes } from './notes';

export const RBAC_DENY_FILTER = 'envoy.filters.http.rbac/deny';
export const RBAC_ALLOW_FILTER = 'envoy.filters.http.rbac/allow';
const RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';

type Mode = 'ALLOW' | 'DENY';

const ANY: JsonObject = { any: true };
const NEVER_PRINCIPAL: JsonObject = { not_id: { any: true } };
const NEVER_PERMISSION: JsonObject = { not_rule: { any: true } };

/** gRPC's RBAC has no jwt_authn metadata and no SNI (its requested_server_name only matches ""). */
class RuleContext implements RbacTarget {
  readonly supports: ReadonlySet<RbacCapability> = new Set();

  constructor(
    readonly mode: Mode,
    readonly rule: AuthorizationRule,
    readonly notes: ProxylessNotes,
  ) {}

  /** Stand-ins for what gRPC cannot evaluate (see the file comment), each noted on the rule's status. */
  unsupportedPrincipal(what: string): JsonObject {
    return this.unsupported(what, NEVER_PRINCIPAL);
  }

  unsupportedPermission(what: string): JsonObject {
    return this.unsupported(what, NEVER_PERMISSION);
  }

  private unsupported(what: string, never: JsonObject): JsonObject {
    this.notes.add(`authorization ${this.rule.name}`, `${what} cannot be evaluated by gRPC servers: the ${this.mode} rule ${this.mode === 'ALLOW' ? 'never matches' : 'matches regardless of it'}`, this.rule.source);
    return this.mode === 'ALLOW' ? never : ANY;
  }
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
