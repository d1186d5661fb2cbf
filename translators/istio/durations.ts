// Istio durations are protobuf Durations written the Go way: "7s", "0.5s", "100ms", "1m30s", "1h".
import { str, type StringSchema } from '../schema';

const PART = /([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)/g;
const WHOLE = /^(?:[0-9]+(?:\.[0-9]+)?(?:h|ms|m|s|us|µs|ns))+$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };

export function parseIstioDurationMs(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

export function istioDuration(options: { readonly minMs?: number } = {}): StringSchema {
  return str({
    check: (value) => {
      const ms = parseIstioDurationMs(value);
      if (ms === undefined) return `${JSON.stringify(value)} is not a duration such as "500ms", "7s", "1.5s" or "1m"`;
      if (options.minMs !== undefined && ms < options.minMs) return `must be at least ${options.minMs}ms`;
      return undefined;
    },
  });
}
