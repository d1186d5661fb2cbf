// XDS-PROTOCOL.md rules 22-26: message size, backpressure, keepalive and connection age, the
// control plane identifier, and TTLs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { hostname } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { EnvoyResource } from '../../src/envoy/resource';
import { defaultIdentifier } from '../../src/server/xds-server';
import { grpcServerOptions } from '../../src/server/server-options';
import { assignment, cluster, listener, routeConfig } from '../cache/fixtures';
import { eventually, sleep, startHarness } from './harness';
import { ADS_SOTW, encodeSotwRequest, DEFAULT_NODE } from './raw-client';

const CDS = TypeUrl.Cluster;
const EDS = TypeUrl.ClusterLoadAssignment;
const LDS = TypeUrl.Listener;

function world(): EnvoyResource[] {
  return [cluster('a'), assignment('a'), listener('l', 'r'), routeConfig('r', ['a'])];
}

describe('transport rules', { timeout: 60_000 }, () => {
  test('rule 22: a first request far above 4 MiB is accepted (receive limit 64 MiB by default)', async () => {
    const h = await startHarness();
    try {
      h.set(world());
      const names = Array.from({ length: 80_000 }, (_, i) => `outbound|8080||service-${i}.namespace-with-a-long-name.svc.cluster.local`);
      names.push('a');
      const s = h.client().sotw();
      s.send({ typeUrl: EDS, resourceNames: names });
      const r = await s.next(10_000);
      assert.deepEqual(r.names, ['a']);
      const size = encodeSotwRequest({ typeUrl: EDS, resourceNames: names }, DEFAULT_NODE).length;
      assert.ok(size > 5 * 1024 * 1024, `request was ${size} bytes`);
    } finally {
      await h.stop();
    }
  });

  test('rule 22: the receive limit is the configured one', async () => {
    const h = await startHarness({ maxReceiveMessageBytes: 64 * 1024 });
    try {
      h.set(world());
      const s = h.client().sotw();
      s.send({ typeUrl: EDS, resourceNames: Array.from({ length: 2000 }, (_, i) => `name-${i}-padding-padding-padding`) });
      const status = await s.status;
      assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      await h.stop();
    }
  });

  test('rule 23: a proxy that stops reading does not make the server queue every update', async () => {
    const h = await startHarness({ maxPendingBytesPerStream: 64 * 1024 });
    try {
      const big = (timeout: string): EnvoyResource[] =>
        Array.from({ length: 600 }, (_, i) => cluster(`cluster-${i}-${'x'.repeat(120)}`, { connectTimeout: i === 0 ? timeout : '1s' }));
      h.set(big('1s'));
      const s = h.client().sotw();
      s.send({ typeUrl: CDS });
      const first = await s.next();
      assert.ok(first.bytes > 100_000, `response of ${first.bytes} bytes`);
      s.ack(first);
      s.pause();
      const streamId = h.events.opened[0]!.streamId;
      const sentBefore = h.events.sent.length;
      const updates = 120;
      for (let i = 1; i <= updates; i++) {
        h.set(big(`${i + 1}s`));
        await sleep(2);
      }
      await sleep(300);
      const sentWhilePaused = h.events.sent.filter((e) => e.streamId === streamId).length - sentBefore;
      if (process.env.MESHGATE_TEST_DEBUG) console.log({ sentWhilePaused, total: s.responses.history.length });
      assert.ok(sentWhilePaused < updates / 3, `${sentWhilePaused} responses queued for a proxy that reads nothing`);
      // Once the proxy reads again it gets the latest state.
      const finalVersion = h.cache.getSnapshot('test-cluster')!.typeVersions.get(CDS);
      s.resume();
      await eventually(() => s.responses.history.at(-1)?.versionInfo === finalVersion, 10_000, 'latest version');
      assert.ok(s.responses.history.length < updates / 2, `${s.responses.history.length} responses in all`);
      const last = s.responses.history.at(-1)!;
      assert.equal(last.resources.find((r) => r.name.startsWith('cluster-0-'))!.json['connect_timeout'], `${updates + 1}s`);
    } finally {
      await h.stop();
    }
  });

  test('rule 24: server options carry keepalive and max connection age with grace', () => {
    const defaults = grpcServerOptions();
    assert.equal(defaults['grpc.max_receive_message_length'], 64 * 1024 * 1024);
    assert.equal(defaults['grpc.keepalive_time_ms'], 30_000);
    assert.equal(defaults['grpc.keepalive_timeout_ms'], 10_000);
    assert.equal(defaults['grpc.max_connection_age_ms'], 30 * 60_000);
    assert.equal(defaults['grpc.max_connection_age_grace_ms'], 10_000);
    const custom = grpcServerOptions({ keepaliveTimeMs: 5000, maxConnectionAgeMs: 60_000, maxConnectionAgeGraceMs: 1000 });
    assert.equal(custom['grpc.keepalive_time_ms'], 5000);
    assert.equal(custom['grpc.max_connection_age_ms'], 60_000);
    assert.equal(custom['grpc.max_connection_age_grace_ms'], 1000);
  });

  test('rule 24: long-lived streams end after the maximum connection age plus grace', async () => {
    const h = await startHarness({ maxConnectionAgeMs: 300, maxConnectionAgeGraceMs: 300 });
    try {
      h.set(world());
      const s = h.client().sotw();
      s.send({ typeUrl: CDS });
      await s.next();
      const started = Date.now();
      const status = await Promise.race([s.status, sleep(5000).then(() => undefined)]);
      assert.ok(status, 'the stream ended');
      assert.ok(Date.now() - started < 5000);
      await eventually(() => h.events.closed.length === 1, 3000, 'stream closed event');
      assert.deepEqual(h.xds.stats(), { streams: 0, groups: 0 });
    } finally {
      await h.stop();
    }
  });

  test('rule 24: the server sends keepalive pings', async () => {
    const h = await startHarness({ keepaliveTimeMs: 100, keepaliveTimeoutMs: 1000 });
    const session = http2.connect(`http://${h.address}`);
    try {
      h.set(world());
      let pings = 0;
      session.on('ping', () => {
        pings += 1;
      });
      const req = session.request({ ':method': 'POST', ':path': ADS_SOTW, 'content-type': 'application/grpc', te: 'trailers' });
      const body = encodeSotwRequest({ typeUrl: CDS }, DEFAULT_NODE);
      const frame = Buffer.alloc(5 + body.length);
      frame.writeUInt8(0, 0);
      frame.writeUInt32BE(body.length, 1);
      body.copy(frame, 5);
      req.write(frame);
      req.on('data', () => undefined);
      await eventually(() => pings >= 2, 3000, 'keepalive pings');
      req.close();
    } finally {
      session.destroy();
      await h.stop();
    }
  });

  test('rule 25: control_plane.identifier is in every response, SotW and Delta', async () => {
    const h = await startHarness({ identifier: 'replica-7' });
    try {
      h.set(world());
      const c = h.client();
      const s = c.sotw();
      s.send({ typeUrl: CDS });
      s.send({ typeUrl: LDS });
      s.send({ typeUrl: EDS, resourceNames: ['a'] });
      for (let i = 0; i < 3; i++) assert.equal((await s.next()).controlPlaneIdentifier, 'replica-7');
      const d = c.delta();
      d.send({ typeUrl: CDS });
      d.send({ typeUrl: EDS, subscribe: ['a', 'missing'] });
      for (let i = 0; i < 2; i++) assert.equal((await d.next()).controlPlaneIdentifier, 'replica-7');
      assert.equal(h.xds.identifier, 'replica-7');
    } finally {
      await h.stop();
    }
    assert.equal(defaultIdentifier(), `${hostname()}-${process.pid}`);
  });

  test('rule 26: no TTLs are sent, even to clients announcing TTL support', async () => {
    const h = await startHarness();
    try {
      h.set(world());
      const node = { id: 'ttl', cluster: 'test-cluster', client_features: ['xds.config.supports-resource-ttl'] };
      const c = h.client();
      const d = c.delta({ node });
      d.send({ typeUrl: CDS });
      d.send({ typeUrl: EDS, subscribe: ['a'] });
      for (let i = 0; i < 2; i++) {
        const r = await d.next();
        assert.ok(r.resources.length > 0);
        for (const res of r.resources) assert.equal(res.hasTtl, false);
      }
      const s = c.sotw({ node });
      s.send({ typeUrl: CDS });
      const r = await s.next();
      // SotW resources are the resources themselves, never wrapped in a discovery Resource with a TTL.
      assert.deepEqual(r.resources.map((x) => x.typeUrl), [CDS]);
      assert.deepEqual(h.events.opened[0]!.node.clientFeatures, ['xds.config.supports-resource-ttl']);
    } finally {
      await h.stop();
    }
  });
});
