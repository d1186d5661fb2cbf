// Access control with envoy.filters.http.rbac, two instances: client IP allow/deny lists (early,
// before authentication) and consumer allow/deny lists (after authentication, reading the header
// the auth filter set). Each route carries its own rules as RBACPerRoute; the filter-level config
// has no rules, so the instances only act where a route enables them.
import type { JsonObject } from '../../envoy/resource';
import type { ConsumerAccessPolicy, IpAccessPolicy } from '../../ir/policy';
import { cidrRange } from '../cidr';
import { compact, typed } from '../json';
import { exactMatcher } from '../matchers';
import { perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const RBAC_IP_FILTER = 'envoy.filters.http.rbac/ip';
export const RBAC_CONSUMER_FILTER = 'envoy.filters.http.rbac/consumer';

const RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';
const RBAC_PER_ROUTE = 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute';

function anyOf(principals: readonly JsonObject[]): JsonObject {
  return principals.length === 1 ? principals[0]! : { or_ids: { ids: [...principals] } };
}

/**
 * One policy granting every permission to the principals that pass: with an allow list, those on
 * it and (when there is also a deny list) not on the deny list; with only a deny list, an RBAC
 * DENY policy for those on it. Deny wins over allow.
 */
function allowDenyRules(allow: readonly JsonObject[], deny: readonly JsonObject[], policyName: string): JsonObject | undefined {
  let action: string | undefined;
  let principal: JsonObject;
  if (allow.length > 0 && deny.length > 0) {
    principal = { and_ids: { ids: [anyOf(allow), { not_id: anyOf(deny) }] } };
  } else if (allow.length > 0) {
    principal = anyOf(allow);
  } else if (deny.length > 0) {
    action = 'DENY';
    principal = anyOf(deny);
  } else {
    return undefined;
  }
  // ALLOW is the enum's zero value, so only DENY is written.
  return compact({ action, policies: { [policyName]: { permissions: [{ any: true }], principals: [principal] } } });
}

function perRoute(rules: JsonObject, statPrefix: string): JsonObject {
  return typed(RBAC_PER_ROUTE, { rbac: { rules, rules_stat_prefix: statPrefix } });
}

export function ipAccessRules(policy: IpAccessPolicy): JsonObject | undefined {
  const principal = (cidr: string): JsonObject => (policy.useForwardedFor ? { remote_ip: cidrRange(cidr) } : { direct_remote_ip: cidrRange(cidr) });
  return allowDenyRules((policy.allow ?? []).map(principal), (policy.deny ?? []).map(principal), 'ip-access');
}

export function consumerAccessRules(policy: ConsumerAccessPolicy): JsonObject | undefined {
  const principal = (consumer: string): JsonObject => ({ header: { name: policy.header, string_match: exactMatcher(consumer) } });
  return allowDenyRules((policy.allow ?? []).map(principal), (policy.deny ?? []).map(principal), 'consumer-access');
}

export const ipRbacFilter: HttpFilterModule = {
  id: 'rbac_ip',
  instances({ chain }) {
    const rulesOf = (policy: IpAccessPolicy | undefined): JsonObject | undefined => (policy ? ipAccessRules(policy) : undefined);
    if (!chain.routes.some((r) => rulesOf(r.policy.ipAccess))) return [];
    return [
      perRouteInstance(RBAC_IP_FILTER, typed(RBAC), (r) => {
        const rules = rulesOf(r.policy.ipAccess);
        return rules ? perRoute(rules, 'ip_access.') : undefined;
      }),
    ];
  },
};

/**
 * Routes authenticated by API key check consumers with api_key_auth's own allowed_clients
 * (api-key-auth.ts): Envoy 1.33 cannot forward the client name in a header, so a header check
 * there would read whatever the client sent.
 */
export function consumerRulesForRoute(policy: { readonly consumers?: ConsumerAccessPolicy; readonly apiKey?: unknown }): JsonObject | undefined {
  if (!policy.consumers || policy.apiKey) return undefined;
  return consumerAccessRules(policy.consumers);
}

export const consumerRbacFilter: HttpFilterModule = {
  id: 'rbac_consumer',
  instances({ chain }) {
    if (!chain.routes.some((r) => consumerRulesForRoute(r.policy))) return [];
    return [
      perRouteInstance(RBAC_CONSUMER_FILTER, typed(RBAC), (r) => {
        const rules = consumerRulesForRoute(r.policy);
        return rules ? perRoute(rules, 'consumer_access.') : undefined;
      }),
    ];
  },
};
