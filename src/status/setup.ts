// One call for the composition root: the proxy status registry, the metrics registry with the
// xDS and process metrics, convergence fed from the snapshot cache, and the observers to hand to
// the ADS server (through its ObserverFanout).
import type { SnapshotSource } from '../cache/types';
import { registerProcessMetrics } from '../metrics/process-metrics';
import { MetricsRegistry } from '../metrics/registry';
import { XdsMetrics } from '../metrics/xds-metrics';
import type { XdsStreamObserver } from '../server/observer';
import { ProxyStatusRegistry, type ProxyStatusOptions } from './proxy-status';
import { trackConvergence } from './track-convergence';

export interface ProxyStatusSetup {
  readonly registry: ProxyStatusRegistry;
  readonly metrics: MetricsRegistry;
  readonly xdsMetrics: XdsMetrics;
  /** Give these to the ADS server. */
  readonly observers: readonly XdsStreamObserver[];
  /** Unsubscribes from the cache and stops the sweep timer. */
  close(): void;
}

export function createProxyStatus(
  snapshots: SnapshotSource,
  options: Omit<ProxyStatusOptions, 'snapshots' | 'convergence'> = {},
): ProxyStatusSetup {
  const metrics = new MetricsRegistry();
  // The gauge reads the registry at scrape time; the registry reports convergence to the metrics.
  let registryRef: ProxyStatusRegistry | undefined;
  const xdsMetrics = new XdsMetrics(metrics, { connectedProxies: () => registryRef?.connectedByProtocol() ?? new Map() });
  const registry = new ProxyStatusRegistry({ ...options, snapshots, convergence: xdsMetrics });
  registryRef = registry;
  registerProcessMetrics(metrics);
  const unsubscribe = trackConvergence(snapshots, registry);
  registry.startSweeping();
  return {
    registry,
    metrics,
    xdsMetrics,
    observers: [registry, xdsMetrics],
    close() {
      unsubscribe();
      registry.stopSweeping();
    },
  };
}
