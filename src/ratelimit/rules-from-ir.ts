// The rules the RateLimitService enforces, derived from the IR's global rate limit policies. They
// mirror the descriptors src/xds/filters/ratelimit.ts makes Envoy send for each policy:
//   [policy=<id>]                            unkeyed: one counter for the policy
//   [policy=<id>, remote_address=*]          per client IP
//   [policy=<id>, header=*]  and [policy=<id>]   per header value; requests without the header are
//                                            sent with the policy entry alone (skip_if_absent) and
//                                            share one counter
// One control plane is one rate limit domain, "meshgate": policy ids (namespace/name/target) are
// already unique across the proxy groups it serves, so groups never share counters by accident and a
// policy attached to several groups is one limit for all of them. A proxy whose IR names another
// domain gets its rules under that domain.
import type { IR } from '../ir/types';
import type { GlobalRateLimitPolicy } from '../ir/policy';
import { RATE_LIMIT_DESCRIPTOR_KEYS } from '../xds/filters/ratelimit';
import type { DomainRules, RateLimitRule, RateLimitRuleSet } from './rules';

export const RATE_LIMIT_DOMAIN = 'meshgate';

/** Rule id of the shared counter for requests that lack a per-header policy's header. */
export const WITHOUT_HEADER_SUFFIX = '#without-header';

function rulesOf(policy: GlobalRateLimitPolicy): RateLimitRule[] {
  const base = { requests: policy.requests, unit: policy.unit };
  const policyEntry = { key: RATE_LIMIT_DESCRIPTOR_KEYS.policy, value: policy.id };
  switch (policy.key?.type) {
    case undefined:
      return [{ id: policy.id, descriptor: [policyEntry], ...base }];
    case 'clientIP':
      return [{ id: policy.id, descriptor: [policyEntry, { key: RATE_LIMIT_DESCRIPTOR_KEYS.clientIP }], ...base }];
    case 'header':
      return [
        { id: policy.id, descriptor: [policyEntry, { key: RATE_LIMIT_DESCRIPTOR_KEYS.header }], ...base },
        { id: `${policy.id}${WITHOUT_HEADER_SUFFIX}`, descriptor: [policyEntry], ...base },
      ];
  }
}

/** Pure: the same IR always gives the same rule set (domains and rules sorted by name and id). */
export function rulesFromIr(ir: IR): RateLimitRuleSet {
  // domain → policy id → policy (the first one seen; ids are unique per policy attachment)
  const byDomain = new Map<string, Map<string, GlobalRateLimitPolicy>>();
  for (const proxy of ir.proxies) {
    const domain = proxy.globalRateLimit?.domain ?? RATE_LIMIT_DOMAIN;
    const policies = byDomain.get(domain) ?? new Map<string, GlobalRateLimitPolicy>();
    for (const listener of proxy.listeners) {
      for (const host of listener.virtualHosts) {
        for (const route of host.routes) {
          // A route's own policy replaces its host's, feature by feature (src/xds/effective-policy.ts).
          const policy = route.policy?.globalRateLimit ?? host.policy?.globalRateLimit;
          if (policy && !policies.has(policy.id)) policies.set(policy.id, policy);
        }
      }
    }
    if (policies.size > 0) byDomain.set(domain, policies);
  }
  const domains: DomainRules[] = [...byDomain.keys()].sort().map((domain) => {
    const policies = [...byDomain.get(domain)!.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { domain, rules: policies.flatMap(rulesOf) };
  });
  return { domains };
}
