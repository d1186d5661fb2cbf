// The rules the RateLimitService enforces, derived from the IR's global rate limit policies. They
// mirror the descriptors src/xds/filters/ratelimit.ts makes Envoy send for each policy:
//   [policy=<id>]                            unkeyed: one counter for the policy
//   [policy=<id>, remote_address=*]          per client IP
//   [policy=<id>, header=*]  and [policy=<id>]   per header value; requests without the header are
//                                            sent with the policy entry alone (skip_if_absent) and
//                                            share one counter
//   [policy=<id>, path=*]                    per request path (the service drops the query string)
// A policy with overrides adds ("override", "default" | "<index>") after the policy entry: Envoy
// sends exactly one of them (header_value_match on the override header), so an override's requests
// count against its own limits and counters only.
// One control plane is one rate limit domain, "meshgate": policy ids (namespace/name/target) are
// already unique across the proxy groups it serves, so groups never share counters by accident and a
// policy attached to several groups is one limit for all of them. A proxy whose IR names another
// domain gets its rules under that domain.
import type { IR } from '../ir/types';
import type { GlobalRateLimitPolicy, RateLimitWindow } from '../ir/policy';
import { OVERRIDE_DEFAULT, RATE_LIMIT_DESCRIPTOR_KEYS } from '../xds/filters/ratelimit';
import type { DomainRules, RateLimitRule, RateLimitRuleSet, RuleEntry } from './rules';

export const RATE_LIMIT_DOMAIN = 'meshgate';

/** Rule id of the shared counter for requests that lack a per-header policy's header. */
export const WITHOUT_HEADER_SUFFIX = '#without-header';

/** Rules for one set of windows under one descriptor prefix (the policy, and its override when it has overrides). */
function rulesFor(id: string, prefix: readonly RuleEntry[], windows: readonly RateLimitWindow[], policy: GlobalRateLimitPolicy): RateLimitRule[] {
  const [first, ...rest] = windows;
  const base = {
    requests: first?.requests ?? 0,
    unit: first?.unit ?? 'second',
    ...(rest.length > 0 ? { additionalLimits: rest.map((w) => ({ requests: w.requests, unit: w.unit })) } : {}),
    ...(policy.responseHeaders === 'kong' ? { responseHeaders: 'kong' as const } : {}),
  };
  switch (policy.key?.type) {
    case undefined:
      return [{ id, descriptor: [...prefix], ...base }];
    case 'clientIP':
      return [{ id, descriptor: [...prefix, { key: RATE_LIMIT_DESCRIPTOR_KEYS.clientIP }], ...base }];
    case 'path':
      return [{ id, descriptor: [...prefix, { key: RATE_LIMIT_DESCRIPTOR_KEYS.path, ignoreQuery: true }], ...base }];
    case 'header':
      return [
        { id, descriptor: [...prefix, { key: RATE_LIMIT_DESCRIPTOR_KEYS.header }], ...base },
        { id: `${id}${WITHOUT_HEADER_SUFFIX}`, descriptor: [...prefix], ...base },
      ];
  }
}

function rulesOf(policy: GlobalRateLimitPolicy): RateLimitRule[] {
  const policyEntry = { key: RATE_LIMIT_DESCRIPTOR_KEYS.policy, value: policy.id };
  const windows = [{ requests: policy.requests, unit: policy.unit }, ...(policy.additionalLimits ?? [])];
  const overrides = policy.overrides ?? [];
  if (overrides.length === 0) return rulesFor(policy.id, [policyEntry], windows, policy);
  const overrideEntry = (value: string): RuleEntry => ({ key: RATE_LIMIT_DESCRIPTOR_KEYS.override, value });
  return [
    ...rulesFor(policy.id, [policyEntry, overrideEntry(OVERRIDE_DEFAULT)], windows, policy),
    ...overrides.flatMap((o, i) => rulesFor(`${policy.id}#override-${i}`, [policyEntry, overrideEntry(String(i))], o.limits, policy)),
  ];
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
