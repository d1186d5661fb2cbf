// Time units of a rate limit and the fixed windows they define. Windows are aligned to the unit
// on the UTC epoch (a "minute" window starts at :00 seconds, a "day" window at 00:00 UTC), so every
// replica that reads the same clock computes the same window, and so the same counter key.

export const RATE_LIMIT_UNITS = ['second', 'minute', 'hour', 'day'] as const;
export type RateLimitUnit = (typeof RATE_LIMIT_UNITS)[number];

const UNIT_MS: Readonly<Record<RateLimitUnit, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** Enum names of envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit (and envoy.type.v3.RateLimitUnit). */
const PROTO_NAMES: Readonly<Record<RateLimitUnit, string>> = { second: 'SECOND', minute: 'MINUTE', hour: 'HOUR', day: 'DAY' };

export function isRateLimitUnit(value: unknown): value is RateLimitUnit {
  return typeof value === 'string' && (RATE_LIMIT_UNITS as readonly string[]).includes(value);
}

export function unitMs(unit: RateLimitUnit): number {
  return UNIT_MS[unit];
}

export function unitProtoName(unit: RateLimitUnit): string {
  return PROTO_NAMES[unit];
}

/** The unit for a proto enum name; MONTH, YEAR and UNKNOWN have no fixed-length window and give undefined. */
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
  const size = UNIT_MS[unit];
  const start = Math.floor(nowMs / size) * size;
  return { start, end: start + size };
}

/** Where the service reads the time; tests pass a fake one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
