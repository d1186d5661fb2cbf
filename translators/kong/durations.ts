// Kong times are integers in milliseconds (timeouts) or numbers in seconds (health checks);
// meshgate durations are Gateway API durations ("1h2m3s4ms", at most 5 digits per unit).

const UNITS: readonly [string, number][] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** 60000 → "1m", 1500 → "1s500ms", 0 → "0s". Fractions of a millisecond are rounded. */
export function durationOfMs(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

export function durationOfSeconds(seconds: number): string {
  return durationOfMs(seconds * 1000);
}
