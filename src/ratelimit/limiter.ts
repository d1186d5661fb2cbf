// The rate limit decision, independent of gRPC: for each descriptor of a request find its limit
// (the proxy's own override, else the configured rule), add the hits to the counter of the current
// window of each of the limit's windows, and say whether the descriptor is over (any window over). Every matched descriptor is charged, even when
// another one is already over, as envoyproxy/ratelimit does: the counters count requests seen.
import type { CounterIncrement, CounterStore } from './counter-store';
import { closestToExhaustion, kongHeaders, type ResponseHeader } from './kong-headers';
import { windowsOf, type DescriptorEntry, type RateLimitRule, type RateLimitRules } from './rules';
import { systemClock, windowAt, type Clock, type RateLimitUnit, type Window } from './units';

export interface DescriptorRequest {
  readonly entries: readonly DescriptorEntry[];
  /** RateLimitDescriptor.limit: the proxy names the limit itself (used only when the domain is configured). */
  readonly limitOverride?: { readonly requestsPerUnit: number; readonly unit: RateLimitUnit };
  /** Hits for this descriptor alone; absent → the request's hitsAddend. */
  readonly hitsAddend?: number;
}

export interface RateLimitQuery {
  readonly domain: string;
  readonly descriptors: readonly DescriptorRequest[];
  /** Hits each descriptor adds; 0 or absent means 1 (RateLimitRequest.hits_addend). */
  readonly hitsAddend?: number;
}

export type RateLimitCode = 'OK' | 'OVER_LIMIT';

export interface AppliedLimit {
  /** The rule id; absent for a proxy-supplied override. */
  readonly name?: string;
  readonly requestsPerUnit: number;
  readonly unit: RateLimitUnit;
}

/** One window of a descriptor's limit after this request was counted. */
export interface WindowDecision {
  readonly limit: AppliedLimit;
  readonly over: boolean;
  readonly remaining: number;
  readonly resetMs: number;
}

export interface DescriptorDecision {
  readonly code: RateLimitCode;
  /** Absent when no limit applies. With several windows: the one closest to exhaustion (see kong-headers.ts). */
  readonly currentLimit?: AppliedLimit;
  readonly limitRemaining: number;
  readonly durationUntilResetMs?: number;
  /** Every window counted for this descriptor, when its rule has more than one. */
  readonly windows?: readonly WindowDecision[];
}

export interface RateLimitDecision {
  readonly overallCode: RateLimitCode;
  /** One per request descriptor, in order. */
  readonly statuses: readonly DescriptorDecision[];
  /** Headers for the client's response (RateLimitResponse.response_headers_to_add), e.g. Kong's. */
  readonly responseHeaders?: readonly ResponseHeader[];
}

export class RateLimitQueryError extends Error {
  override name = 'RateLimitQueryError';
}

function escapeKeyPart(text: string): string {
  return text.replace(/[%|=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** One counter per domain, descriptor (with its actual values), unit and window. */
export function counterKey(domain: string, entries: readonly DescriptorEntry[], unit: RateLimitUnit, windowStart: number): string {
  const descriptor = entries.map((e) => `${escapeKeyPart(e.key)}=${escapeKeyPart(e.value)}`).join('|');
  return `${escapeKeyPart(domain)}|${descriptor}|${unit}|${windowStart}`;
}

interface WindowPlan {
  readonly limit: AppliedLimit;
  readonly window: Window;
  readonly increment: CounterIncrement;
}

interface Plan {
  readonly windows: readonly WindowPlan[];
  readonly kongHeaders: boolean;
}

/** The request's entries as the counter sees them (a path entry without its query when the rule says so). */
function countedEntries(entries: readonly DescriptorEntry[], rule: RateLimitRule | undefined): readonly DescriptorEntry[] {
  if (!rule || !rule.descriptor.some((e) => e.ignoreQuery)) return entries;
  return entries.map((e, i) => (rule.descriptor[i]?.ignoreQuery ? { key: e.key, value: e.value.split('?')[0]! } : e));
}

export interface RateLimiterOptions {
  readonly rules: RateLimitRules;
  readonly store: CounterStore;
  readonly clock?: Clock;
}

export class RateLimiter {
  private readonly rules: RateLimitRules;
  private readonly store: CounterStore;
  private readonly clock: Clock;

  constructor(options: RateLimiterOptions) {
    this.rules = options.rules;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
  }

  /** Rejects with RateLimitQueryError for a malformed query, or with the store's error when it cannot count. */
  async decide(query: RateLimitQuery): Promise<RateLimitDecision> {
    if (query.domain === '') throw new RateLimitQueryError('the rate limit domain must not be empty');
    if (query.descriptors.length === 0) throw new RateLimitQueryError('the descriptor list must not be empty');
    const now = this.clock.now();
    const requestHits = query.hitsAddend !== undefined && query.hitsAddend > 0 ? query.hitsAddend : 1;
    const configured = this.rules.hasDomain(query.domain);
    const plans = query.descriptors.map((d, i): Plan | undefined => {
      if (d.entries.length === 0) throw new RateLimitQueryError(`descriptor ${i} has no entries`);
      if (!configured) return undefined;
      const found = this.limitsFor(query.domain, d);
      if (!found) return undefined;
      const entries = countedEntries(d.entries, found.rule);
      const windows = found.limits.map((limit): WindowPlan => {
        const window = windowAt(now, limit.unit);
        const key = counterKey(query.domain, entries, limit.unit, window.start);
        return { limit, window, increment: { key, hits: d.hitsAddend ?? requestHits, ttlMs: window.end - now } };
      });
      return { windows, kongHeaders: found.rule?.responseHeaders === 'kong' };
    });
    const increments = plans.flatMap((p) => p?.windows.map((w) => w.increment) ?? []);
    const totals = increments.length > 0 ? await this.store.increment(increments) : [];
    let next = 0;
    const kong: WindowDecision[] = [];
    const statuses = plans.map((plan): DescriptorDecision => {
      if (!plan) return { code: 'OK', limitRemaining: 0 };
      const windows = plan.windows.map((w): WindowDecision => {
        const count = totals[next++]!;
        const allowed = w.limit.requestsPerUnit;
        return { limit: w.limit, over: count > allowed, remaining: Math.max(0, allowed - count), resetMs: w.window.end - now };
      });
      if (plan.kongHeaders) kong.push(...windows);
      const shown = closestToExhaustion(windows)!;
      return {
        code: windows.some((w) => w.over) ? 'OVER_LIMIT' : 'OK',
        currentLimit: shown.limit,
        limitRemaining: shown.remaining,
        durationUntilResetMs: shown.resetMs,
        ...(windows.length > 1 ? { windows } : {}),
      };
    });
    const overallCode: RateLimitCode = statuses.some((s) => s.code === 'OVER_LIMIT') ? 'OVER_LIMIT' : 'OK';
    return { overallCode, statuses, ...(kong.length > 0 ? { responseHeaders: kongHeaders(kong, overallCode === 'OVER_LIMIT') } : {}) };
  }

  private limitsFor(domain: string, d: DescriptorRequest): { limits: AppliedLimit[]; rule?: RateLimitRule } | undefined {
    if (d.limitOverride) return { limits: [{ requestsPerUnit: d.limitOverride.requestsPerUnit, unit: d.limitOverride.unit }] };
    const rule = this.rules.match(domain, d.entries);
    if (!rule) return undefined;
    return { rule, limits: windowsOf(rule).map((w) => ({ name: rule.id, requestsPerUnit: w.requests, unit: w.unit })) };
  }
}
