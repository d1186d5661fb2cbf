// Counters, gauges and histograms with labels. Each metric keeps one series per distinct label
// set; callers choose label values from small closed sets (type URLs, protocols), so the number of
// series stays bounded.
import { formatSample, isValidLabelName, isValidMetricName } from './exposition';

export type Labels = Readonly<Record<string, string>>;
export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

export abstract class Metric<Series> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly kind: MetricKind;
  protected readonly series = new Map<string, { readonly labelValues: readonly string[]; readonly data: Series }>();

  constructor(options: MetricOptions, reservedLabels: readonly string[] = []) {
    if (!isValidMetricName(options.name)) throw new Error(`invalid metric name "${options.name}"`);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!isValidLabelName(label)) throw new Error(`metric ${options.name}: invalid label name "${label}"`);
      if (reservedLabels.includes(label)) throw new Error(`metric ${options.name}: label "${label}" is reserved`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`metric ${options.name}: duplicate label names`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
  }

  /** Sample lines for the exposition, without HELP/TYPE. */
  abstract samples(): string[];

  protected abstract newSeries(): Series;

  /** The series for a label set; label names must match the declared ones exactly. */
  protected seriesFor(labels: Labels | undefined): Series {
    const values = this.labelValues(labels);
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labelValues: values, data: this.newSeries() };
      this.series.set(key, entry);
    }
    return entry.data;
  }

  protected existingSeries(labels: Labels | undefined): Series | undefined {
    return this.series.get(JSON.stringify(this.labelValues(labels)))?.data;
  }

  private labelValues(labels: Labels | undefined): string[] {
    const given = labels ?? {};
    const keys = Object.keys(given);
    if (keys.length !== this.labelNames.length || keys.some((k) => !this.labelNames.includes(k))) {
      throw new Error(`metric ${this.name}: expected labels [${this.labelNames.join(', ')}], got [${keys.join(', ')}]`);
    }
    return this.labelNames.map((name) => String(given[name]));
  }

  /** A metric without labels shows its zero value before anything was recorded. */
  protected ensureUnlabelled(): void {
    if (this.labelNames.length === 0 && this.series.size === 0) this.seriesFor(undefined);
  }

  /** Forget every series (used by collect-time gauges that rebuild their values). */
  reset(): void {
    this.series.clear();
  }
}

/**
 * Counters and gauges hold one number per series and may be collected at exposition time (values
 * kept elsewhere, e.g. CPU time or connected proxies): what they share lives here.
 */
abstract class SingleValueMetric<Self extends SingleValueMetric<Self>> extends Metric<{ value: number }> {
  private readonly collector: ((metric: Self) => void) | undefined;

  constructor(options: MetricOptions & { readonly collect?: (metric: Self) => void }) {
    super(options);
    this.collector = options.collect;
  }

  protected newSeries(): { value: number } {
    return { value: 0 };
  }

  get(labels?: Labels): number {
    return this.existingSeries(labels)?.value ?? 0;
  }

  samples(): string[] {
    this.collector?.(this as unknown as Self);
    this.ensureUnlabelled();
    return [...this.series.values()].map((s) => formatSample(this.name, this.labelNames, s.labelValues, s.data.value));
  }
}

export interface CounterOptions extends MetricOptions {
  /** Called before each exposition, for totals kept elsewhere (e.g. CPU time); uses `setTotal`. */
  readonly collect?: (counter: Counter) => void;
}

export class Counter extends SingleValueMetric<Counter> {
  readonly kind = 'counter';

  constructor(options: CounterOptions) {
    super(options);
  }

  inc(labels?: Labels, amount = 1): void {
    if (!(amount >= 0)) throw new Error(`counter ${this.name}: cannot increase by ${amount}`);
    this.seriesFor(labels).value += amount;
  }

  /** For collected counters: the running total as read from its source. */
  setTotal(labels: Labels | undefined, total: number): void {
    this.seriesFor(labels).value = total;
  }
}

export interface GaugeOptions extends MetricOptions {
  /** Called before each exposition, to set values that are read rather than counted. */
  readonly collect?: (gauge: Gauge) => void;
}

export class Gauge extends SingleValueMetric<Gauge> {
  readonly kind = 'gauge';

  constructor(options: GaugeOptions) {
    super(options);
  }

  set(labels: Labels | undefined, value: number): void {
    this.seriesFor(labels).value = value;
  }

  inc(labels?: Labels, amount = 1): void {
    this.seriesFor(labels).value += amount;
  }

  dec(labels?: Labels, amount = 1): void {
    this.seriesFor(labels).value -= amount;
  }
}

/** Buckets suited to propagation times of a control plane: 5 ms to 2 minutes. */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, strictly increasing; +Inf is implied. */
  readonly buckets?: readonly number[];
}

interface HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramSeries> {
  readonly kind = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions) {
    super(options, ['le']);
    const buckets = options.buckets ?? DEFAULT_SECONDS_BUCKETS;
    if (buckets.length === 0) throw new Error(`histogram ${options.name}: needs at least one bucket`);
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (!Number.isFinite(b)) throw new Error(`histogram ${options.name}: bucket ${b} is not finite`);
      if (i > 0 && b <= buckets[i - 1]!) throw new Error(`histogram ${options.name}: buckets must increase`);
    }
    this.buckets = [...buckets];
  }

  protected newSeries(): HistogramSeries {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(labels: Labels | undefined, value: number): void {
    if (Number.isNaN(value)) throw new Error(`histogram ${this.name}: cannot observe NaN`);
    const s = this.seriesFor(labels);
    // Stored per bucket (not cumulative); exposition accumulates.
    const index = this.buckets.findIndex((upper) => value <= upper);
    if (index >= 0) s.counts[index]! += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Count and sum of a series, for tests and summaries. */
  get(labels?: Labels): { count: number; sum: number; buckets: ReadonlyMap<number, number> } {
    const s = this.existingSeries(labels);
    const cumulative = new Map<number, number>();
    let running = 0;
    this.buckets.forEach((upper, i) => {
      running += s?.counts[i] ?? 0;
      cumulative.set(upper, running);
    });
    return { count: s?.count ?? 0, sum: s?.sum ?? 0, buckets: cumulative };
  }

  samples(): string[] {
    this.ensureUnlabelled();
    const lines: string[] = [];
    const names = [...this.labelNames, 'le'];
    for (const { labelValues, data } of this.series.values()) {
      let running = 0;
      this.buckets.forEach((upper, i) => {
        running += data.counts[i]!;
        lines.push(formatSample(`${this.name}_bucket`, names, [...labelValues, String(upper)], running));
      });
      lines.push(formatSample(`${this.name}_bucket`, names, [...labelValues, '+Inf'], data.count));
      lines.push(formatSample(`${this.name}_sum`, this.labelNames, labelValues, data.sum));
      lines.push(formatSample(`${this.name}_count`, this.labelNames, labelValues, data.count));
    }
    return lines;
  }
}
