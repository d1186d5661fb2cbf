// Time units of a rate limit and the fixed windows they define. Windows are aligned on the UTC
// calendar (a "minute" window starts at :00 seconds, a "day" window at 00:00 UTC, a "month" window
// on the 1st at 00:00 UTC, a "year" window on January 1st), so every replica that reads the same
// clock computes the same window, and so the same counter key. Months and years are calendar
// periods, as Kong counts them, so they differ in length.

export const RATE_LIMIT_UNITS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
export type RateLimitUnit = (typeof RATE_LIMIT_UNITS)[number];

const FIXED_MS: Readonly<Partial<Record<RateLimitUnit, number>>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** Enum names of envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit (and envoy.type.v3.RateLimitUnit). */
const PROTO_NAMES: Readonly<Record<RateLimitUnit, string>> = { second: 'SECOND', minute: 'MINUTE', hour: 'HOUR', day: 'DAY', month: 'MONTH', year: 'YEAR' };

/** Unit names as Kong capitalises them in X-RateLimit-*-<Unit> headers. */
export const UNIT_TITLES: Readonly<Record<RateLimitUnit, string>> = { second: 'Second', minute: 'Minute', hour: 'Hour', day: 'Day', month: 'Month', year: 'Year' };

/** Smaller units first: the order in which windows are listed and compared. */
export function unitRank(unit: RateLimitUnit): number {
  return RATE_LIMIT_UNITS.indexOf(unit);
}

export function isRateLimitUnit(value: unknown): value is RateLimitUnit {
  return typeof value === 'string' && (RATE_LIMIT_UNITS as readonly string[]).includes(value);
}

export function unitProtoName(unit: RateLimitUnit): string {
  return PROTO_NAMES[unit];
}

/** The unit for a proto enum name; UNKNOWN (and names this API does not have) give undefined. */
export function unitFromProtoName(name: string): RateLimitUnit | undefined {
  return RATE_LIMIT_UNITS.find((u) => PROTO_NAMES[u] === name);
}

export interface Window {
  /** Epoch ms at which the window began. */
  readonly start: number;
  /** Epoch ms at which the next window begins (the counter resets). */
  readonly end: number;
}

export function windowAt(nowMs: number, unit: RateLimitUnit): Window {
  const size = FIXED_MS[unit];
  if (size !== undefined) {
    const start = Math.floor(nowMs / size) * size;
    return { start, end: start + size };
  }
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  if (unit === 'year') return { start: Date.UTC(year, 0, 1), end: Date.UTC(year + 1, 0, 1) };
  const month = now.getUTCMonth();
  return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
}

/** Where the service reads the time; tests pass a fake one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
