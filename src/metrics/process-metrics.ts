// Process basics, read at scrape time: memory, CPU, start time and uptime. Names follow the
// conventions of the Prometheus client libraries so stock dashboards recognise them.
import type { MetricsRegistry } from './registry';

export function registerProcessMetrics(registry: MetricsRegistry, startedAtMs: number = Date.now() - process.uptime() * 1000): void {
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: (g) => g.set(undefined, process.memoryUsage.rss()),
  });
  registry.gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap in use, in bytes.',
    collect: (g) => g.set(undefined, process.memoryUsage().heapUsed),
  });
  registry.gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'V8 heap allocated, in bytes.',
    collect: (g) => g.set(undefined, process.memoryUsage().heapTotal),
  });
  registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Memory held by C++ objects bound to JavaScript objects (buffers), in bytes.',
    collect: (g) => g.set(undefined, process.memoryUsage().external),
  });
  registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds.',
    collect: (c) => {
      const { user, system } = process.cpuUsage();
      c.setTotal(undefined, (user + system) / 1e6);
    },
  });
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds.',
    collect: (g) => g.set(undefined, Math.round(startedAtMs / 1000)),
  });
  registry.gauge({
    name: 'process_uptime_seconds',
    help: 'Time since the process started, in seconds.',
    collect: (g) => g.set(undefined, process.uptime()),
  });
}
