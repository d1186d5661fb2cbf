// XDS-PROTOCOL.md rules 15-21 over incremental (delta) ADS, plus the SotW rules that apply to
// delta as well (nonces, ACK/NACK, wildcard, duplicates, warming, make before break).
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { EnvoyResource } from '../../src/envoy/resource';
import { assignment, cluster, listener, routeConfig } from '../cache/fixtures';
import { eventually, startHarness, type Harness } from './harness';
import type { DeltaClientStream, DeltaResponse } from './raw-client';

const CDS = TypeUrl.Cluster;
const EDS = TypeUrl.ClusterLoadAssignment;
const LDS = TypeUrl.Listener;
const RDS = TypeUrl.RouteConfiguration;

function world(extra: EnvoyResource[] = []): EnvoyResource[] {
  return [cluster('a'), assignment('a'), cluster('b'), assignment('b', [9090]), listener('l', 'r'), routeConfig('r', ['a', 'b']), ...extra];
}

function replace(resources: EnvoyResource[], r: EnvoyResource): EnvoyResource[] {
  return resources.map((x) => (x.typeUrl === r.typeUrl && x.name === r.name ? r : x));
}

function versions(r: DeltaResponse): Record<string, string> {
  return Object.fromEntries(r.resources.map((x) => [x.name, x.version]));
}

async function subscribe(s: DeltaClientStream, typeUrl: string, names: string[] = []): Promise<DeltaResponse> {
  s.send({ typeUrl, subscribe: names });
  const r = await s.next();
  assert.equal(r.typeUrl, typeUrl);
  s.ack(r);
  return r;
}

describe('Delta ADS protocol rules', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.set(world());
  });
  afterEach(async () => {
    await h.stop();
  });

  test('rule 15: per-resource versions; only changes are sent; removals in removed_resources', async () => {
    const s = h.client().delta();
    const r1 = await subscribe(s, CDS);
    assert.deepEqual([...r1.names].sort(), ['a', 'b']);
    const snap = h.cache.getSnapshot('test-cluster')!;
    assert.deepEqual(versions(r1), {
      a: snap.resources.get(CDS)!.get('a')!.version,
      b: snap.resources.get(CDS)!.get('b')!.version,
    });
    assert.equal(r1.systemVersionInfo, snap.typeVersions.get(CDS));
    h.set(replace(world(), cluster('b', { connectTimeout: '3s' })));
    const r2 = await s.next();
    assert.deepEqual(r2.names, ['b'], 'only the changed cluster');
    assert.deepEqual(r2.removed, []);
    assert.notEqual(r2.resources[0]!.version, versions(r1)['b']);
    s.ack(r2);
    h.set(replace(world(), cluster('b', { connectTimeout: '3s' })).filter((r) => !(r.typeUrl === CDS && r.name === 'a')));
    const r3 = await s.next();
    assert.deepEqual(r3.names, []);
    assert.deepEqual(r3.removed, ['a']);
  });

  test('rule 16: re-subscribing a name resends it', async () => {
    const s = h.client().delta();
    const r1 = await subscribe(s, EDS, ['a']);
    assert.deepEqual(r1.names, ['a']);
    s.send({ typeUrl: EDS, subscribe: ['a'], responseNonce: r1.nonce });
    const r2 = await s.next();
    assert.deepEqual(r2.names, ['a']);
    assert.equal(r2.resources[0]!.version, r1.resources[0]!.version);
  });

  test('rule 17: unsubscribing a name the client never had is ignored', async () => {
    const s = h.client().delta();
    const r1 = await subscribe(s, EDS, ['a']);
    s.send({ typeUrl: EDS, unsubscribe: ['never-had'], responseNonce: r1.nonce });
    await s.expectNone(300);
    // The stream still works.
    h.set(replace(world(), assignment('a', [1234])));
    assert.deepEqual((await s.next()).names, ['a']);
  });

  test('rule 18: subscribing a name that does not exist puts it in removed_resources, once', async () => {
    const s = h.client().delta();
    s.send({ typeUrl: EDS, subscribe: ['a', 'ghost'] });
    const r1 = await s.next();
    assert.deepEqual(r1.names, ['a']);
    assert.deepEqual(r1.removed, ['ghost']);
    s.ack(r1);
    s.send({ typeUrl: EDS, subscribe: ['b'], responseNonce: r1.nonce });
    const r2 = await s.next();
    assert.deepEqual(r2.names, ['b']);
    assert.deepEqual(r2.removed, [], 'ghost is not reported again');
    s.ack(r2);
    h.set(world([cluster('ghost'), assignment('ghost')]));
    const r3 = await s.next();
    assert.deepEqual(r3.names, ['ghost']);
  });

  test('rule 19: a new stream compares initial_resource_versions and sends only the differences', async () => {
    const c = h.client();
    const s = c.delta();
    const r1 = await subscribe(s, CDS);
    const had = versions(r1);
    s.cancel();
    // While the proxy was away: b changed, a stayed, and the proxy also remembers a cluster that is gone.
    h.set(replace(world(), cluster('b', { connectTimeout: '8s' })));
    const again = c.delta();
    again.send({ typeUrl: CDS, initialResourceVersions: { ...had, gone: 'v-old' } });
    const r2 = await again.next();
    assert.deepEqual(r2.names, ['b']);
    assert.deepEqual(r2.removed, ['gone']);
  });

  test('rule 19: named subscriptions on a new stream: nothing differs, nothing is sent', async () => {
    const c = h.client();
    const s = c.delta();
    const r1 = await subscribe(s, EDS, ['a', 'b']);
    s.cancel();
    const again = c.delta();
    again.send({ typeUrl: EDS, subscribe: ['a', 'b'], initialResourceVersions: versions(r1) });
    await again.expectNone(300);
    h.set(replace(world(), assignment('a', [5555])));
    assert.deepEqual((await again.next()).names, ['a']);
  });

  test('rule 20: subscription changes are honoured even with a stale nonce', async () => {
    const s = h.client().delta();
    const r1 = await subscribe(s, EDS, ['a']);
    h.set(replace(world(), assignment('a', [1111])));
    const r2 = await s.next(); // in flight: the proxy has not seen it yet
    s.send({ typeUrl: EDS, subscribe: ['b'], responseNonce: r1.nonce });
    const r3 = await s.next();
    assert.deepEqual(r3.names, ['b']);
    // The stale nonce was not taken as an ACK of r2.
    assert.ok(!h.events.acks.some((e) => e.nonce === r2.nonce));
    // A stale request that changes nothing gets nothing.
    s.send({ typeUrl: EDS, responseNonce: r1.nonce });
    await s.expectNone(300);
  });

  test('rule 21: every response carries a fresh nonce; ACK gets no reply; NACK is recorded and not resent', async () => {
    const s = h.client().delta();
    const r1 = await subscribe(s, CDS);
    s.send({ typeUrl: EDS, subscribe: ['a'] });
    const e1 = await s.next();
    assert.ok(r1.nonce && e1.nonce && r1.nonce !== e1.nonce);
    await s.expectNone(300);
    await eventually(() => h.events.acks.length === 1, 2000, 'ACK');
    h.set(replace(world(), cluster('a', { connectTimeout: '6s' })));
    const c2 = await s.next();
    assert.equal(c2.typeUrl, CDS);
    s.nack(c2, 'cluster a: bad connect_timeout');
    await eventually(() => h.events.nacks.length === 1, 2000, 'NACK');
    const nack = h.events.nacks[0]!;
    assert.equal(nack.rejectedVersion, c2.systemVersionInfo);
    assert.equal(nack.errorMessage, 'cluster a: bad connect_timeout');
    // a's endpoints follow the cluster change (rule 11); after that nothing is resent.
    const e2 = await s.next();
    assert.equal(e2.typeUrl, EDS);
    assert.deepEqual(e2.names, ['a']);
    await s.expectNone(1500);
    h.set(replace(world(), cluster('a', { connectTimeout: '1.5s' })));
    const c3 = await s.next();
    assert.equal(c3.typeUrl, CDS);
    assert.deepEqual(c3.names, ['a']);
  });

  test('wildcard: a first request naming nothing is wildcard for CDS/LDS, answered even when empty', async () => {
    h.set([cluster('a')], 'no-listeners');
    const s = h.client().delta({ node: { id: 'n', cluster: 'no-listeners' } });
    s.send({ typeUrl: LDS });
    const r = await s.next();
    assert.deepEqual(r.names, []);
    assert.deepEqual(r.removed, []);
    s.ack(r);
    h.set([cluster('a'), listener('new', 'r')], 'no-listeners', { skipValidation: true });
    assert.deepEqual((await s.next()).names, ['new']);
  });

  test('wildcard: explicit "*" plus a name, then unsubscribing "*"', async () => {
    const s = h.client().delta();
    s.send({ typeUrl: CDS, subscribe: ['*', 'a'] });
    const r1 = await s.next();
    assert.deepEqual([...r1.names].sort(), ['a', 'b'], 'no duplicate a');
    s.ack(r1);
    s.send({ typeUrl: CDS, unsubscribe: ['*'], responseNonce: r1.nonce });
    await s.expectNone(300);
    h.set(world([cluster('c')]));
    await s.expectNone(300);
    h.set(replace(world([cluster('c')]), cluster('a', { connectTimeout: '2s' })));
    assert.deepEqual((await s.next()).names, ['a']);
  });

  test('named types are not wildcard: an EDS request naming nothing gets nothing', async () => {
    const s = h.client().delta();
    s.send({ typeUrl: EDS });
    await s.expectNone(300);
  });

  test('warming: a cluster change is followed by its assignment (rule 11)', async () => {
    const s = h.client().delta();
    await subscribe(s, CDS);
    const e1 = await subscribe(s, EDS, ['a', 'b']);
    h.set(replace(world(), cluster('a', { connectTimeout: '2s' })));
    const c = await s.next();
    assert.equal(c.typeUrl, CDS);
    const e = await s.next();
    assert.equal(e.typeUrl, EDS);
    assert.deepEqual(e.names, ['a']);
    assert.notEqual(e.resources[0]!.version, versions(e1)['a']);
  });

  test('make before break: new cluster and endpoints before routes; removals after (rule 12)', async () => {
    const s = h.client().delta();
    await subscribe(s, CDS);
    const eds = await subscribe(s, EDS, ['a', 'b']);
    await subscribe(s, LDS);
    await subscribe(s, RDS, ['r']);
    let from = h.events.sent.length;
    h.set(replace(world([cluster('x'), assignment('x', [4444])]), routeConfig('r', ['a', 'b', 'x'])));
    const c = await s.next();
    assert.equal(c.typeUrl, CDS);
    assert.deepEqual(c.names, ['x']);
    s.ack(c);
    await s.expectNone(100);
    s.send({ typeUrl: EDS, subscribe: ['x'], responseNonce: eds.nonce });
    const e = await s.next();
    assert.deepEqual(e.names, ['x']);
    s.ack(e);
    const r = await s.next();
    assert.equal(r.typeUrl, RDS);
    s.ack(r);
    assert.deepEqual(h.events.sent.slice(from).map((x) => x.typeUrl), [CDS, EDS, RDS]);

    from = h.events.sent.length;
    h.set(world());
    const first = await s.next();
    const second = await s.next();
    const third = await s.next();
    assert.equal(first.typeUrl, RDS);
    assert.equal(second.typeUrl, CDS);
    assert.deepEqual(second.removed, ['x']);
    assert.equal(third.typeUrl, EDS);
    assert.deepEqual(third.removed, ['x']);
    assert.deepEqual(h.events.sent.slice(from).map((x) => x.typeUrl), [RDS, CDS, EDS]);
  });

  test('rule 1 for delta: a nonce from another stream is not an ACK', async () => {
    const c = h.client();
    const a = c.delta({ node: { id: 'da', cluster: 'test-cluster' } });
    const b = c.delta({ node: { id: 'db', cluster: 'test-cluster' } });
    a.send({ typeUrl: CDS });
    b.send({ typeUrl: CDS });
    const ra = await a.next();
    const rb = await b.next();
    a.send({ typeUrl: CDS, responseNonce: rb.nonce });
    await a.expectNone(300);
    assert.equal(h.events.acks.length, 0);
    a.ack(ra);
    await eventually(() => h.events.acks.length === 1, 2000, 'ACK');
  });
});
