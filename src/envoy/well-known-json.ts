// The proto3 JSON forms of google.protobuf.Duration and Timestamp, which Envoy prints as strings
// ("1.500s", "2026-01-02T03:04:05Z") and accepts only as strings.

export interface SecondsNanos {
  seconds: number;
  nanos: number;
}

const DURATION_RE = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
/** Largest |seconds| a Duration may hold (about 10,000 years). */
const MAX_DURATION_SECONDS = 315_576_000_000;

/** "1.5s" → {seconds: 1, nanos: 500000000}; undefined when the text is not a Duration. */
export function parseDuration(text: string): SecondsNanos | undefined {
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  const sign = m[1] ? -1 : 1;
  const seconds = Number(m[2]);
  if (!Number.isSafeInteger(seconds) || seconds > MAX_DURATION_SECONDS) return undefined;
  const nanos = m[3] ? Number(m[3].padEnd(9, '0')) : 0;
  return { seconds: sign * seconds || 0, nanos: sign * nanos || 0 };
}

/** {seconds: 1, nanos: 500000000} → "1.500s" (3, 6 or 9 fraction digits, as protobuf prints). */
export function formatDuration(value: SecondsNanos): string {
  const negative = value.seconds < 0 || value.nanos < 0;
  const seconds = Math.abs(value.seconds);
  const nanos = Math.abs(value.nanos);
  return `${negative ? '-' : ''}${seconds}${fraction(nanos)}s`;
}

function fraction(nanos: number): string {
  if (nanos === 0) return '';
  if (nanos % 1_000_000 === 0) return '.' + String(nanos / 1_000_000).padStart(3, '0');
  if (nanos % 1_000 === 0) return '.' + String(nanos / 1_000).padStart(6, '0');
  return '.' + String(nanos).padStart(9, '0');
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 text → seconds and nanos since the Unix epoch; undefined when malformed. */
export function parseTimestamp(text: string): SecondsNanos | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const millis = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`);
  if (Number.isNaN(millis)) return undefined;
  return { seconds: Math.floor(millis / 1000), nanos: m[7] ? Number(m[7].padEnd(9, '0')) : 0 };
}

export function formatTimestamp(value: SecondsNanos): string {
  const iso = new Date(value.seconds * 1000).toISOString(); // "2026-01-02T03:04:05.000Z"
  return `${iso.slice(0, 19)}${fraction(value.nanos)}Z`;
}

/** Duration or Timestamp as a single number of nanoseconds (exact for any realistic value). */
export function toNanos(value: SecondsNanos): bigint {
  return BigInt(value.seconds) * 1_000_000_000n + BigInt(value.nanos);
}
