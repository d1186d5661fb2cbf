// The control plane's own metrics, fed by the ADS server's stream events and by convergence
// tracking. Label values come from closed sets (the five resource type URLs, two protocols), so
// the number of series cannot grow with traffic.
import type { AckReceived, NackReceived, ResponseSent, StreamProtocol, XdsStreamObserver } from '../server/observer';
import { isResourceTypeUrl } from '../envoy/type-urls';
import type { ConvergenceListener, AbandonReason } from '../status/convergence';
import type { Counter, Histogram } from './metric';
import type { MetricsRegistry } from './registry';

const PROTOCOLS: readonly StreamProtocol[] = ['sotw', 'delta'];

/** Keeps the type_url label within the known set even if a stray type URL is reported. */
function typeLabel(typeUrl: string): { type_url: string } {
  return { type_url: isResourceTypeUrl(typeUrl) ? typeUrl : 'other' };
}

export interface XdsMetricsOptions {
  /** Connected proxies per protocol, read at scrape time (from the proxy status registry). */
  readonly connectedProxies: () => ReadonlyMap<StreamProtocol, number>;
}

export class XdsMetrics implements XdsStreamObserver, ConvergenceListener {
  readonly pushes: Counter;
  readonly pushBytes: Counter;
  readonly acks: Counter;
  readonly nacks: Counter;
  readonly convergenceSeconds: Histogram;
  readonly convergenceNacked: Counter;
  readonly convergenceAbandoned: Counter;

  constructor(registry: MetricsRegistry, options: XdsMetricsOptions) {
    registry.gauge({
      name: 'meshgate_connected_proxies',
      help: 'Proxies with at least one open xDS stream, by protocol of their newest stream.',
      labelNames: ['protocol'],
      collect: (g) => {
        const counts = options.connectedProxies();
        for (const protocol of PROTOCOLS) g.set({ protocol }, counts.get(protocol) ?? 0);
      },
    });
    this.pushes = registry.counter({
      name: 'meshgate_xds_pushes_total',
      help: 'xDS responses sent to proxies, by resource type.',
      labelNames: ['type_url'],
    });
    this.pushBytes = registry.counter({
      name: 'meshgate_xds_push_bytes_total',
      help: 'Bytes of xDS responses sent to proxies, by resource type.',
      labelNames: ['type_url'],
    });
    this.acks = registry.counter({
      name: 'meshgate_xds_acks_total',
      help: 'xDS responses acknowledged by proxies, by resource type.',
      labelNames: ['type_url'],
    });
    this.nacks = registry.counter({
      name: 'meshgate_xds_nacks_total',
      help: 'xDS responses rejected by proxies (NACK), by resource type.',
      labelNames: ['type_url'],
    });
    this.convergenceSeconds = registry.histogram({
      name: 'meshgate_convergence_seconds',
      help: 'Time from a change being accepted until every affected proxy of its group ACKed it.',
    });
    this.convergenceNacked = registry.counter({
      name: 'meshgate_convergence_nacked_total',
      help: 'Changes that settled with at least one affected proxy rejecting the update (NACK).',
    });
    this.convergenceAbandoned = registry.counter({
      name: 'meshgate_convergence_abandoned_total',
      help: 'Changes whose convergence was no longer tracked: timeout (proxies never answered) or overflow (too many changes in flight).',
      labelNames: ['reason'],
    });
  }

  responseSent(event: ResponseSent): void {
    const labels = typeLabel(event.typeUrl);
    this.pushes.inc(labels);
    this.pushBytes.inc(labels, event.bytes);
  }

  ackReceived(event: AckReceived): void {
    this.acks.inc(typeLabel(event.typeUrl));
  }

  nackReceived(event: NackReceived): void {
    this.nacks.inc(typeLabel(event.typeUrl));
  }

  converged(_group: string, seconds: number): void {
    this.convergenceSeconds.observe(undefined, seconds);
  }

  settledWithError(_group: string): void {
    this.convergenceNacked.inc();
  }

  abandoned(_group: string, reason: AbandonReason): void {
    this.convergenceAbandoned.inc({ reason });
  }
}
