// End to end with gRPC's own xDS client: a resource that Envoy's proto rules allow but gRPC
// rejects (served only because the test bypasses meshgate's validation) is NACKed; the NACK and
// the client's error text show in GET /v1/proxies/{id}; the rejected version is not resent;
// traffic keeps flowing on the last good config; and the next valid change is ACKed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvoyResource } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { metricValue, typeStatusOf, type ProxyTypeView } from './harness/admin-client';
import { startBackends, type BackendSet } from './harness/backends';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { eventually, sleep } from './harness/eventually';
import { edsCluster, redirectRouteConfiguration, replaceResource, serviceResources } from './harness/resources';
import { XdsClientProcess } from './harness/xds-client';

/** How long the server must stay quiet after a NACK (XDS-PROTOCOL rule 4). */
const NO_RESEND_WINDOW_MS = 2000;

interface Scenario {
  readonly group: string;
  readonly nodeId: string;
  readonly typeUrl: string;
  /** A resource of the good snapshot (same type and name) that gRPC rejects. */
  readonly bad: EnvoyResource;
  /** Part of the client's error text for that resource. */
  readonly expectedError: RegExp;
  /**
   * The version_info the client's NACK carries. gRPC accepts the valid resources of a partly
   * invalid SotW response and then reports that response's version (while still sending
   * error_detail); when every resource of the response is invalid it keeps the good version.
   */
  readonly nackCarries: 'good version' | 'rejected version';
  /**
   * The valid change made after the NACK: all traffic to b, and for the NACKed type a version
   * different from the good one, so that the ACK that follows is visibly a new one.
   */
  readonly fix: (allToB: EnvoyResource[]) => EnvoyResource[];
}

describe('e2e: NACK from @grpc/grpc-js-xds', () => {
  let backends: BackendSet;
  let cp: TestControlPlane;
  const clients: XdsClientProcess[] = [];

  before(async () => {
    backends = await startBackends(['a', 'b']);
    cp = await startTestControlPlane();
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await cp?.close();
    await backends?.stop();
  });

  function snapshot(weightA: number, weightB: number): EnvoyResource[] {
    const ep = (name: string) => {
      const b = backends.byName(name);
      return [{ host: b.host, port: b.port }];
    };
    return serviceResources({
      listener: 'echo',
      routeConfig: 'echo-routes',
      clusters: { 'echo-a': ep('a'), 'echo-b': ep('b') },
      weights: [
        { cluster: 'echo-a', weight: weightA },
        { cluster: 'echo-b', weight: weightB },
      ],
    });
  }

  async function typeStatus(nodeId: string, typeUrl: string): Promise<ProxyTypeView | undefined> {
    return typeStatusOf(await cp.admin.proxy(nodeId), typeUrl);
  }

  async function runScenario(s: Scenario): Promise<void> {
    const good = snapshot(50, 50);
    cp.cache.setSnapshot(s.group, good);
    const client = new XdsClientProcess({
      target: 'echo',
      xdsPort: cp.xdsPort,
      nodeId: s.nodeId,
      cluster: 'nack-tests',
      metadata: { meshgate_group: s.group },
    });
    clients.push(client);
    const up = await client.waitFor({ timeoutMs: 10_000, batch: 50, reach: ['a', 'b'], noErrors: true });
    assert.ok(up.ok, `client never got traffic through: ${JSON.stringify(up.last)}\n${client.stderr}`);
    const before = await eventually(`${s.typeUrl} ACKed`, async () => {
      const t = await typeStatus(s.nodeId, s.typeUrl);
      return t?.state === 'synced' ? t : undefined;
    });
    const goodVersion = before.acked?.version;
    assert.ok(goodVersion, 'the good version was ACKed');

    const nacksBefore = metricValue(await cp.admin.metrics(), 'meshgate_xds_nacks_total', { type_url: s.typeUrl });

    // Meshgate's own checks would refuse nothing here: the resource is valid Envoy config.
    cp.cache.setSnapshot(s.group, replaceResource(good, s.bad), { skipValidation: true });

    const nacked = await eventually(`${s.typeUrl} NACKed`, async () => {
      const t = await typeStatus(s.nodeId, s.typeUrl);
      return t?.state === 'nacked' ? t : undefined;
    });
    const nack = nacked.lastNack;
    assert.ok(nack, 'the proxy status carries the NACK');
    assert.match(nack.errorMessage, s.expectedError);
    assert.equal(nack.rejectedVersion, nacked.sent?.version);
    assert.notEqual(nack.rejectedVersion, goodVersion);
    assert.equal(
      nack.keptVersion,
      s.nackCarries === 'good version' ? goodVersion : nack.rejectedVersion,
      `the NACK's version_info should be the ${s.nackCarries}`,
    );
    assert.equal(nacked.acked?.version, goodVersion);

    // Exactly one response carried the rejected version, and nothing follows it while the config
    // stays the same (go-control-plane resends at once; Kuma had to add a backoff).
    assert.equal(nacked.pushes, before.pushes + 1, 'one response of this type after the bad change');
    await sleep(NO_RESEND_WINDOW_MS);
    const later = await typeStatus(s.nodeId, s.typeUrl);
    assert.equal(later?.pushes, nacked.pushes, `the rejected version was resent within ${NO_RESEND_WINDOW_MS} ms`);
    assert.equal(later?.state, 'nacked');
    const nacksAfter = metricValue(await cp.admin.metrics(), 'meshgate_xds_nacks_total', { type_url: s.typeUrl });
    assert.equal(nacksAfter - nacksBefore, 1, 'GET /metrics counts the one NACK of this type');

    // The client runs on the last good config: both backends, no failures.
    const during = await client.calls(400);
    assert.deepEqual(during.errors, {}, `calls failed after the NACK: ${during.errorSamples.join('; ')}`);
    assert.ok((during.counts['a'] ?? 0) > 0 && (during.counts['b'] ?? 0) > 0, JSON.stringify(during.counts));

    // A later valid change is served, ACKed, and reaches traffic.
    cp.cache.setSnapshot(s.group, s.fix(snapshot(0, 100)));
    const fixed = await eventually(`${s.typeUrl} ACKed again`, async () => {
      const t = await typeStatus(s.nodeId, s.typeUrl);
      return t?.state === 'synced' && t.acks > nacked.acks ? t : undefined;
    });
    assert.equal(fixed.acked?.version, fixed.sent?.version);
    assert.notEqual(fixed.acked?.version, goodVersion);
    assert.notEqual(fixed.acked?.version, nack.rejectedVersion);
    assert.equal(fixed.nacks, nacked.nacks, 'no further NACKs');
    assert.equal(fixed.lastNack?.resolved, true, 'the old NACK is marked as resolved by the later ACK');
    assert.equal(fixed.lastNack?.resolvedByVersion, fixed.acked?.version);
    const moved = await client.waitFor({ timeoutMs: 5000, batch: 100, reach: ['b'], avoid: ['a'], noErrors: true });
    assert.ok(moved.ok, `the valid change never showed in traffic: ${JSON.stringify(moved.last)}`);
  }

  it('a route with a redirect action: RDS NACKed with the client error, not resent, later change ACKed', async () => {
    await runScenario({
      group: 'e2e-nack-route',
      nodeId: 'e2e-nack-route-client',
      typeUrl: TypeUrl.RouteConfiguration,
      bad: redirectRouteConfiguration('echo-routes'),
      expectedError: /unsupported action: redirect/,
      nackCarries: 'good version',
      fix: (allToB) => allToB,
    });
  });

  it('a cluster with lb_policy LEAST_REQUEST: CDS NACKed with the client error, not resent, later change ACKed', async () => {
    await runScenario({
      group: 'e2e-nack-cluster',
      nodeId: 'e2e-nack-cluster-client',
      typeUrl: TypeUrl.Cluster,
      bad: edsCluster('echo-b', { lbPolicy: 'LEAST_REQUEST' }),
      expectedError: /unsupported lb_policy: LEAST_REQUEST/,
      // echo-a in the same response is valid, so gRPC takes the response's version.
      nackCarries: 'rejected version',
      fix: (allToB) => replaceResource(allToB, edsCluster('echo-b', { connectTimeout: '2s' })),
    });
  });
});
