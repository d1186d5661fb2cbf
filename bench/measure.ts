// Timing and memory helpers for the bench.
import fs from 'node:fs';
import v8 from 'node:v8';

export const MiB = 1024 * 1024;

export interface MemorySample {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** What V8 holds for its heap (used or not): RSS minus this is code, native memory and malloc. */
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  readonly arrayBuffersMiB: number;
  /** Per V8 heap space, the physical memory it holds (what heapTotal is made of), e.g. new_space. */
  readonly spacesMiB: Readonly<Record<string, number>>;
}

const gc = (globalThis as { gc?: () => void }).gc;

export const hasGc = typeof gc === 'function';

/** Memory after a full collection (several passes: weak maps and finalizers need more than one). */
export async function memoryAfterGc(): Promise<MemorySample> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  const spacesMiB = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), round(s.physical_space_size / MiB)]));
  return { rssMiB: round(m.rss / MiB), heapUsedMiB: round(m.heapUsed / MiB), heapTotalMiB: round(m.heapTotal / MiB), externalMiB: round(m.external / MiB), arrayBuffersMiB: round(m.arrayBuffers / MiB), spacesMiB };
}

/** VmRSS of a process as the kernel reports it in /proc/<pid>/status (Linux), in MiB. */
export function vmRssMiB(pid: number): number | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? round(Number(m[1]) / 1024) : undefined;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await work();
  return { ms: performance.now() - t, value };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A fixed-width table printed to stdout. */
export function printTable(title: string, rows: readonly (readonly [string, string, string?])[]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length), 10);
  const w1 = Math.max(...rows.map((r) => r[1].length), 8);
  console.log(`\n== ${title}`);
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}${c ? `   ${c}` : ''}`);
}
