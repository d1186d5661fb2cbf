// A set of metrics rendered together in the Prometheus text format (version 0.0.4), the payload
// of GET /metrics. Written here rather than pulled in from prom-client: the exposition format is
// small, and the control plane needs only counters, gauges and histograms with labels.
import { escapeHelp } from './exposition';
import { Counter, Gauge, Histogram, type CounterOptions, type GaugeOptions, type HistogramOptions, type Metric } from './metric';

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric<unknown>>();

  counter(options: CounterOptions): Counter {
    return this.add(new Counter(options));
  }

  gauge(options: GaugeOptions): Gauge {
    return this.add(new Gauge(options));
  }

  histogram(options: HistogramOptions): Histogram {
    return this.add(new Histogram(options));
  }

  get(name: string): Metric<unknown> | undefined {
    return this.metrics.get(name);
  }

  /** The whole exposition: per metric a HELP line, a TYPE line and its samples; ends with a newline. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`);
      lines.push(`# TYPE ${metric.name} ${metric.kind}`);
      lines.push(...metric.samples());
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  private add<M extends Metric<unknown>>(metric: M): M {
    // Names a histogram expands into would collide with a metric of that name.
    const taken = (n: string): boolean => this.metrics.has(n) || [...this.metrics.values()].some((m) => m.kind === 'histogram' && [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`].includes(n));
    if (taken(metric.name)) throw new Error(`metric "${metric.name}" is already registered`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}
