// Rate limits: the descriptors a route's (or virtual host's) rate_limits actions produce for this
// request, the local token bucket that applies (local_ratelimit), and the domain the global
// RateLimitService is asked about (ratelimit). Counters are not known offline, so a request is
// never reported as limited; the report says how many requests per interval would pass.
import type { JsonObject } from '../envoy/resource';
import { parseIp } from './cidr';
import type { FilterEnv, FilterEvaluator } from './filter-env';
import { matchHeader } from './header-matcher';
import { bool, durationText, fractionalPercent, num, obj, objs, str } from './json';
import { firstQueryValue, headerValue } from './request-view';
import { matchString } from './string-matcher';
import type { RateLimitReport } from './types';

type Entry = { readonly key: string; readonly value: string };

function maskIp(ip: string, v4Len: number, v6Len: number): string | undefined {
  const bytes = parseIp(ip);
  if (!bytes) return undefined;
  const len = bytes.length === 4 ? v4Len : v6Len;
  const masked = bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
  const text = bytes.length === 4 ? masked.join('.') : Array.from({ length: 8 }, (_, i) => ((masked[2 * i]! << 8) | masked[2 * i + 1]!).toString(16)).join(':');
  return `${text}/${len}`;
}

/** One RateLimit's actions → a descriptor, or undefined when an action produces nothing (no descriptor is sent). */
function descriptorOf(rateLimit: JsonObject, env: FilterEnv): Entry[] | undefined {
  const entries: Entry[] = [];
  for (const action of objs(rateLimit, 'actions')) {
    if (obj(action, 'request_headers')) {
      const a = obj(action, 'request_headers')!;
      const value = headerValue(env.view, str(a, 'header_name') ?? '');
      if (value === undefined) {
        if (bool(a, 'skip_if_absent') === true) continue;
        return undefined;
      }
      entries.push({ key: str(a, 'descriptor_key') ?? '', value });
    } else if (obj(action, 'remote_address')) {
      if (env.remoteIp === undefined) {
        env.trace.assume('the client address is unknown: remote_address rate limit descriptors use "(client IP)"; give sourceIp');
      }
      entries.push({ key: 'remote_address', value: env.remoteIp ?? '(client IP)' });
    } else if (obj(action, 'masked_remote_address')) {
      const a = obj(action, 'masked_remote_address')!;
      const masked = env.remoteIp !== undefined ? maskIp(env.remoteIp, num(a, 'v4_prefix_mask_len') ?? 32, num(a, 'v6_prefix_mask_len') ?? 128) : undefined;
      entries.push({ key: 'masked_remote_address', value: masked ?? '(client IP)' });
    } else if (obj(action, 'generic_key')) {
      const a = obj(action, 'generic_key')!;
      entries.push({ key: str(a, 'descriptor_key') || 'generic_key', value: str(a, 'descriptor_value') ?? '' });
    } else if (obj(action, 'header_value_match')) {
      const a = obj(action, 'header_value_match')!;
      const expect = bool(a, 'expect_match') !== false;
      const matched = objs(a, 'headers').every((h) => matchHeader(h, env.view));
      if (matched !== expect) return undefined;
      entries.push({ key: str(a, 'descriptor_key') || 'header_match', value: str(a, 'descriptor_value') ?? '' });
    } else if (obj(action, 'query_parameters')) {
      const a = obj(action, 'query_parameters')!;
      const value = firstQueryValue(env.view, str(a, 'query_parameter_name') ?? '');
      if (value === undefined) {
        if (bool(a, 'skip_if_absent') === true) continue;
        return undefined;
      }
      entries.push({ key: str(a, 'descriptor_key') ?? '', value });
    } else if (obj(action, 'query_parameter_value_match')) {
      const a = obj(action, 'query_parameter_value_match')!;
      const expect = bool(a, 'expect_match') !== false;
      const matched = objs(a, 'query_parameters').every((q) => {
        const v = firstQueryValue(env.view, str(q, 'name') ?? '');
        const sm = obj(q, 'string_match');
        return v !== undefined && (sm ? matchString(sm, v) : true);
      });
      if (matched !== expect) return undefined;
      entries.push({ key: str(a, 'descriptor_key') || 'query_match', value: str(a, 'descriptor_value') ?? '' });
    } else if (obj(action, 'destination_cluster')) {
      entries.push({ key: 'destination_cluster', value: env.destinationCluster ?? '(chosen cluster)' });
    } else if (obj(action, 'source_cluster')) {
      entries.push({ key: 'source_cluster', value: '(local service cluster)' });
    } else {
      env.trace.assume('a rate limit action needs metadata or an extension: that descriptor is left out');
      return undefined;
    }
  }
  return entries.length > 0 ? entries : undefined;
}

/** Descriptors for the filter's stage: route rate_limits, plus the virtual host's when the route has none or asks to include them. */
export function rateLimitDescriptors(env: FilterEnv, stage: number): Entry[][] {
  const action = obj(env.scope.route, 'route');
  const routeLimits = objs(action, 'rate_limits');
  const includeVh = bool(action, 'include_vh_rate_limits') === true || routeLimits.length === 0;
  const limits = [...routeLimits, ...(includeVh ? objs(env.scope.virtualHost, 'rate_limits') : [])];
  return limits
    .filter((l) => (num(l, 'stage') ?? 0) === stage)
    .map((l) => descriptorOf(l, env))
    .filter((d): d is Entry[] => d !== undefined);
}

function describeDescriptors(ds: Entry[][]): string {
  return ds.map((d) => `[${d.map((e) => `${e.key}=${e.value}`).join(', ')}]`).join(' ');
}

function bucketOf(tb: JsonObject | undefined): RateLimitReport['tokenBucket'] {
  if (!tb) return undefined;
  const maxTokens = num(tb, 'max_tokens') ?? 0;
  return { maxTokens, tokensPerFill: num(tb, 'tokens_per_fill') ?? 1, fillInterval: durationText(tb, 'fill_interval') ?? '0s' };
}

export const evalLocalRateLimit: FilterEvaluator = (config, perRoute, env) => {
  const effective = perRoute?.config ?? config;
  const from = perRoute?.config ? `the ${perRoute.level}` : 'the listener';
  const enabledPercent = fractionalPercent(obj(obj(effective, 'filter_enabled'), 'default_value')) ?? 0;
  const enforcedPercent = fractionalPercent(obj(obj(effective, 'filter_enforced'), 'default_value')) ?? 0;
  const bucket = bucketOf(obj(effective, 'token_bucket'));
  const descriptors = rateLimitDescriptors(env, num(effective, 'stage') ?? 0);
  let matchedDescriptor: Entry[] | undefined;
  let applied = bucket;
  for (const configured of objs(effective, 'descriptors')) {
    const want = objs(configured, 'entries').map((e) => ({ key: str(e, 'key') ?? '', value: str(e, 'value') ?? '' }));
    const hit = descriptors.find((d) => d.length === want.length && want.every((w, i) => d[i]!.key === w.key && (w.value === '' || d[i]!.value === w.value)));
    if (hit) {
      matchedDescriptor = hit;
      applied = bucketOf(obj(configured, 'token_bucket')) ?? bucket;
      break;
    }
  }
  const status = num(obj(effective, 'status'), 'code') ?? 429;
  const report: RateLimitReport = {
    kind: 'local',
    ...(applied ? { tokenBucket: applied } : {}),
    enabledPercent,
    enforcedPercent,
    descriptors,
    ...(matchedDescriptor ? { matchedDescriptor } : {}),
  };
  if (!applied) return { outcome: 'pass', detail: `no token bucket configured at ${from}: nothing is limited`, rateLimit: report };
  if (enabledPercent === 0) return { outcome: 'pass', detail: `token bucket from ${from} is not enabled (filter_enabled 0%)`, rateLimit: report };
  const perKey = matchedDescriptor ? ` for descriptor ${describeDescriptors([matchedDescriptor])}` : '';
  env.trace.assume('rate limit counters are not known: the request is assumed to be within its limit');
  return {
    outcome: 'pass',
    detail: `token bucket from ${from}${perKey}: ${applied.maxTokens} request(s) burst, ${applied.tokensPerFill} more every ${applied.fillInterval}; beyond that ${enforcedPercent > 0 ? `${status}` : 'only counted (not enforced)'}`,
    rateLimit: report,
  };
};

export const evalGlobalRateLimit: FilterEvaluator = (config, perRoute, env) => {
  const domain = str(perRoute?.config, 'domain') || str(config, 'domain') || '';
  const descriptors = rateLimitDescriptors(env, num(config, 'stage') ?? 0);
  const cluster = str(obj(obj(obj(config, 'rate_limit_service'), 'grpc_service'), 'envoy_grpc'), 'cluster_name');
  const failureModeDeny = bool(config, 'failure_mode_deny') === true;
  const report: RateLimitReport = { kind: 'global', domain, descriptors };
  if (descriptors.length === 0) return { outcome: 'pass', detail: `no rate limit descriptors for this request: the rate limit service (domain "${domain}") is not asked`, rateLimit: report };
  env.trace.assume('the global rate limit service is assumed to answer OK (its counters are not known)');
  return {
    outcome: 'unknown',
    detail: `asks the rate limit service${cluster ? ` (cluster ${cluster})` : ''} domain "${domain}" about ${describeDescriptors(descriptors)}; over the limit → 429; service unreachable → ${failureModeDeny ? '500 (failure_mode_deny)' : 'allowed'}`,
    rateLimit: report,
  };
};
