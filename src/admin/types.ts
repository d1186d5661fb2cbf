// What the admin API needs from the rest of the control plane, injected by the composition root
// (and by tests) so the API can be built and exercised without a running xDS server.
import type { Logger } from 'pino';
import type { MetricsRegistry } from '../metrics/registry';
import type { ConfigService } from '../pipeline/config-service';
import type { ProxyStatusRegistry, SnapshotReader } from '../status/proxy-status';

export interface AdminDependencies {
  readonly registry: ProxyStatusRegistry;
  readonly snapshots: SnapshotReader;
  readonly metrics: MetricsRegistry;
  /** Named readiness checks, e.g. {xds: () => server bound, cache: () => snapshot loaded}; all must pass. */
  readonly readiness: Readonly<Record<string, () => boolean>>;
  /** When set, /v1 routes require "Authorization: Bearer <token>". */
  readonly token?: string;
  readonly logger?: Logger;
  /** Policy management (/v1/apply, /v1/resources, /v1/revisions, /v1/explain); absent in status-only tests. */
  readonly config?: ConfigService;
  /** Shown in the OpenAPI document's info.version. */
  readonly version?: string;
}
