// An admin app over a real snapshot cache and a registry fed with scripted stream events.
import type { FastifyInstance } from 'fastify';
import { buildAdminServer } from '../../src/admin/server';
import type { SnapshotCache } from '../../src/cache/snapshot-cache';
import { TypeUrl } from '../../src/envoy/type-urls';
import { registerProcessMetrics } from '../../src/metrics/process-metrics';
import { MetricsRegistry } from '../../src/metrics/registry';
import { XdsMetrics } from '../../src/metrics/xds-metrics';
import { ProxyStatusRegistry } from '../../src/status/proxy-status';
import { cacheWith, standardResources } from '../status/fixtures';
import { FakeClock, Script, nodeInfo } from '../status/helpers';

export const LONG_ID = `sidecar~10.1.2.3~${'very-long-pod-name-'.repeat(8)}.shop~shop.svc.cluster.local`;
export const NACK_TEXT = 'Error adding/updating listener(s) http: unknown filter';

export interface TestAdmin {
  readonly app: FastifyInstance;
  readonly cache: SnapshotCache;
  readonly registry: ProxyStatusRegistry;
  readonly clock: FakeClock;
  readonly script: Script;
  close(): Promise<void>;
}

export interface TestAdminOptions {
  readonly token?: string;
  readonly readiness?: Record<string, () => boolean>;
}

/**
 * Proxies: "gw-1" (everything sent; listener NACKed, the rest ACKed), LONG_ID (SotW, nothing sent),
 * "gone" (disconnected).
 */
export function buildTestAdmin(options: TestAdminOptions = {}): TestAdmin {
  const clock = new FakeClock();
  const cache = cacheWith('edge', standardResources(), clock.now);
  const metrics = new MetricsRegistry();
  let registryRef: ProxyStatusRegistry | undefined;
  const xds = new XdsMetrics(metrics, { connectedProxies: () => registryRef!.connectedByProtocol() });
  const registry = new ProxyStatusRegistry({ now: clock.now, snapshots: cache, convergence: xds });
  registryRef = registry;
  registerProcessMetrics(metrics);
  const script = new Script([registry, xds], clock);

  const snapshot = cache.getSnapshot('edge')!;
  const v = (t: string) => snapshot.typeVersions.get(t as never)!;
  script.open('s1', 'gw-1', { group: 'edge', protocol: 'delta', node: nodeInfo('gw-1', { cluster: 'gateways', metadata: { role: 'edge' } }) });
  const all: Array<[string, string[]]> = [
    [TypeUrl.Cluster, ['backend']],
    [TypeUrl.ClusterLoadAssignment, ['backend']],
    [TypeUrl.Listener, ['http']],
    [TypeUrl.RouteConfiguration, ['local']],
    [TypeUrl.Secret, ['edge-cert', 'hmac']],
  ];
  for (const [typeUrl, names] of all) {
    const nonce = script.send('s1', typeUrl, v(typeUrl), names, { bytes: 200 });
    clock.advance(3);
    if (typeUrl === TypeUrl.Listener) script.nack('s1', typeUrl, v(typeUrl), '', nonce, NACK_TEXT);
    else script.ack('s1', typeUrl, v(typeUrl), nonce);
  }
  script.open('s2', LONG_ID, { group: 'edge' });
  script.open('s3', 'gone', { group: 'edge' });
  script.close('s3', 'transport closed');

  const app = buildAdminServer({
    registry,
    snapshots: cache,
    metrics,
    readiness: options.readiness ?? { xds: () => true, cache: () => true },
    token: options.token,
  });
  return {
    app,
    cache,
    registry,
    clock,
    script,
    async close() {
      await app.close();
      cache.close();
    },
  };
}
