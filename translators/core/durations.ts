// Durations as the Gateway API writes them (GEP-2257: "1h", "30s", "1m30s", "500ms"; up to four
// parts of at most five digits). meshgate's own kinds use the same syntax so that one rule holds
// for every document.
import { str, type StringSchema } from '../schema';

export const DURATION_PATTERN = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Milliseconds in a GEP-2257 duration; undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

export function durationSchema(options: { readonly min?: number; readonly nonZero?: boolean } = {}): StringSchema {
  return str({
    pattern: DURATION_PATTERN,
    patternHint: 'a duration such as "500ms", "10s", "1m30s" or "1h" (GEP-2257)',
    check: (value) => {
      const ms = parseDurationMs(value);
      if (ms === undefined) return undefined;
      if (options.nonZero && ms === 0) return 'must be greater than zero';
      if (options.min !== undefined && ms < options.min) return `must be at least ${options.min}ms`;
      return undefined;
    },
  });
}
