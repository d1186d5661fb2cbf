// Make before break on ADS (rule 12): after clusters went out, listeners, routes and secrets wait
// until the proxy also got the endpoints of the EDS clusters it does not have yet, so that no route
// points at a cluster still warming. The wait is bounded, for proxies that fetch endpoints elsewhere.
import { edsServiceNameOf } from '../cache/eds-clusters';
import type { Snapshot } from '../cache/types';
import { TypeUrl } from '../envoy/type-urls';
import type { PlannedResponse, TypeChannel } from './channel';

export class WarmingGate {
  private waiting: string[] | undefined;
  private deadline = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxWaitMs: number,
    private readonly now: () => number,
  ) {}

  /** Clusters were sent: wait for the assignments of those whose current endpoints the proxy lacks. */
  arm(clusters: PlannedResponse, view: Snapshot, eds: TypeChannel | undefined): void {
    if (this.maxWaitMs <= 0 || !eds) return;
    const assignments = view.resources.get(TypeUrl.ClusterLoadAssignment);
    const waiting: string[] = [];
    for (const cluster of clusters.resources) {
      const serviceName = edsServiceNameOf(cluster.json);
      if (serviceName === undefined) continue;
      const assignment = assignments?.get(serviceName);
      if (assignment && !eds.delivered(serviceName, assignment.version)) waiting.push(serviceName);
    }
    if (waiting.length === 0) return;
    this.waiting = waiting;
    this.deadline = this.now() + this.maxWaitMs;
  }

  /**
   * Whether dependent types must still wait. While they must, `retry` is scheduled for the
   * deadline (once); it is the caller's job to call holds() again when endpoints go out.
   */
  holds(view: Snapshot, eds: TypeChannel | undefined, retry: () => void): { holds: boolean; gaveUpOn: string[] } {
    if (!this.waiting) return { holds: false, gaveUpOn: [] };
    const assignments = view.resources.get(TypeUrl.ClusterLoadAssignment);
    const still = this.waiting.filter((n) => {
      const a = assignments?.get(n);
      return a !== undefined && eds !== undefined && !eds.delivered(n, a.version);
    });
    const now = this.now();
    if (still.length === 0 || now >= this.deadline) {
      this.clear();
      return { holds: false, gaveUpOn: still };
    }
    this.waiting = still;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        retry();
      }, this.deadline - now);
      this.timer.unref();
    }
    return { holds: true, gaveUpOn: [] };
  }

  clear(): void {
    this.waiting = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
