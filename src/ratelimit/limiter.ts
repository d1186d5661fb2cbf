// The rate limit decision, independent of gRPC: for each descriptor of a request find its limit
// (the proxy's own override, else the configured rule), add the hits to the counter of the current
// window, and say whether the descriptor is over. Every matched descriptor is charged, even when
// another one is already over, as envoyproxy/ratelimit does: the counters count requests seen.
import type { CounterIncrement, CounterStore } from './counter-store';
import type { DescriptorEntry, RateLimitRules } from './rules';
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

export interface DescriptorDecision {
  readonly code: RateLimitCode;
  /** Absent when no limit applies to the descriptor. */
  readonly currentLimit?: AppliedLimit;
  readonly limitRemaining: number;
  readonly durationUntilResetMs?: number;
}

export interface RateLimitDecision {
  readonly overallCode: RateLimitCode;
  /** One per request descriptor, in order. */
  readonly statuses: readonly DescriptorDecision[];
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

interface Plan {
  readonly limit: AppliedLimit;
  readonly window: Window;
  readonly increment: CounterIncrement;
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
      const limit = this.limitFor(query.domain, d);
      if (!limit) return undefined;
      const window = windowAt(now, limit.unit);
      const key = counterKey(query.domain, d.entries, limit.unit, window.start);
      return { limit, window, increment: { key, hits: d.hitsAddend ?? requestHits, ttlMs: window.end - now } };
    });
    const planned = plans.filter((p): p is Plan => p !== undefined);
    const totals = planned.length > 0 ? await this.store.increment(planned.map((p) => p.increment)) : [];
    const totalOf = new Map(planned.map((p, i) => [p, totals[i]!]));
    const statuses = plans.map((plan): DescriptorDecision => {
      if (!plan) return { code: 'OK', limitRemaining: 0 };
      const count = totalOf.get(plan)!;
      const allowed = plan.limit.requestsPerUnit;
      return {
        code: count > allowed ? 'OVER_LIMIT' : 'OK',
        currentLimit: plan.limit,
        limitRemaining: Math.max(0, allowed - count),
        durationUntilResetMs: plan.window.end - now,
      };
    });
    return { overallCode: statuses.some((s) => s.code === 'OVER_LIMIT') ? 'OVER_LIMIT' : 'OK', statuses };
  }

  private limitFor(domain: string, d: DescriptorRequest): AppliedLimit | undefined {
    if (d.limitOverride) return { requestsPerUnit: d.limitOverride.requestsPerUnit, unit: d.limitOverride.unit };
    const rule = this.rules.match(domain, d.entries);
    return rule ? { name: rule.id, requestsPerUnit: rule.requests, unit: rule.unit } : undefined;
  }
}
