// XDS-PROTOCOL.md rules 1-14 over state-of-the-world ADS, one test (or more) per rule.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { EnvoyResource } from '../../src/envoy/resource';
import { assignment, cluster, listener, routeConfig } from '../cache/fixtures';
import { eventually, startHarness, type Harness } from './harness';

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

function streamId(h: Harness, nodeId: string): string {
  const e = h.events.opened.find((o) => o.node.id === nodeId);
  assert.ok(e, `stream of node ${nodeId}`);
  return e.streamId;
}

describe('SotW ADS protocol rules', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.set(world());
  });
  afterEach(async () => {
    await h.stop();
  });

  test('rule 1: nonces belong to one stream; a crossed nonce is never taken as an ACK', async () => {
    const c = h.client();
    const a = c.sotw({ node: { id: 'node-a', cluster: 'test-cluster' } });
    const b = c.sotw({ node: { id: 'node-b', cluster: 'test-cluster' } });
    a.send({ typeUrl: CDS });
    b.send({ typeUrl: CDS });
    const ra = await a.next();
    const rb = await b.next();
    assert.notEqual(ra.nonce, rb.nonce);
    assert.ok(ra.nonce !== '' && rb.nonce !== '');
    // Crossed: each stream presents the other stream's nonce.
    a.send({ typeUrl: CDS, versionInfo: rb.versionInfo, responseNonce: rb.nonce });
    b.send({ typeUrl: CDS, versionInfo: ra.versionInfo, responseNonce: ra.nonce });
    await a.expectNone(300);
    await b.expectNone(0);
    assert.equal(h.events.acks.length, 0, 'no ACK recorded for a crossed nonce');
    // Their own nonces are ACKs.
    a.ack(ra);
    await eventually(() => h.events.acks.length === 1, 2000, 'ACK');
    assert.equal(h.events.acks[0]!.streamId, streamId(h, 'node-a'));
    assert.equal(h.events.acks[0]!.nonce, ra.nonce);

    // A nonce from an older connection: on a new stream it answers nothing and is no ACK.
    a.cancel();
    const again = c.sotw({ node: { id: 'node-a2', cluster: 'test-cluster' } });
    again.send({ typeUrl: CDS, versionInfo: ra.versionInfo, responseNonce: ra.nonce });
    const fresh = await again.next();
    assert.notEqual(fresh.nonce, ra.nonce);
    again.send({ typeUrl: CDS, versionInfo: ra.versionInfo, responseNonce: ra.nonce });
    await again.expectNone(300);
    assert.equal(h.events.acks.filter((e) => e.streamId === streamId(h, 'node-a2')).length, 0);
  });

  test('rule 2: version_info is per type URL and stays put across reconnects', async () => {
    const c = h.client();
    const s = c.sotw();
    s.send({ typeUrl: CDS });
    const cds1 = await s.next();
    s.ack(cds1);
    s.send({ typeUrl: LDS });
    const lds1 = await s.next();
    s.ack(lds1);
    h.set(replace(world(), cluster('b', { connectTimeout: '7s' })));
    const cds2 = await s.next();
    assert.equal(cds2.typeUrl, CDS);
    assert.notEqual(cds2.versionInfo, cds1.versionInfo);
    s.ack(cds2);
    await s.expectNone(400); // nothing for listeners
    assert.deepEqual(h.events.sent.map((e) => e.typeUrl), [CDS, LDS, CDS]);
    // A new stream sees the same per-type versions.
    const t = c.sotw({ node: { id: 'other', cluster: 'test-cluster' } });
    t.send({ typeUrl: CDS });
    t.send({ typeUrl: LDS });
    const [x, y] = [await t.next(), await t.next()];
    const byType = new Map([x, y].map((r) => [r.typeUrl, r.versionInfo]));
    assert.equal(byType.get(CDS), cds2.versionInfo);
    assert.equal(byType.get(LDS), lds1.versionInfo);
  });

  test('rule 3: an ACK gets no reply', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: CDS });
    const r = await s.next();
    s.ack(r);
    await s.expectNone(500);
    assert.equal(h.events.acks.length, 1);
    assert.equal(h.events.acks[0]!.version, r.versionInfo);
    assert.equal(h.events.acks[0]!.typeUrl, CDS);
    assert.equal(h.events.nacks.length, 0);
  });

  test('rule 4: a NACK is recognised by error_detail only, recorded, and not answered by a resend', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: RDS, resourceNames: ['r'] });
    const r1 = await s.next();
    // An ACK whose version_info differs from what was sent is still an ACK (no inference).
    s.send({ typeUrl: RDS, resourceNames: ['r'], versionInfo: '', responseNonce: r1.nonce });
    await eventually(() => h.events.acks.length === 1, 2000, 'ACK');
    assert.equal(h.events.nacks.length, 0);

    h.set(replace(world(), routeConfig('r', ['a'])));
    const r2 = await s.next();
    assert.notEqual(r2.versionInfo, r1.versionInfo);
    s.nack(r2, r1.versionInfo, 'route r: unknown cluster', ['r']);
    await s.expectNone(2000);
    assert.equal(h.events.nacks.length, 1);
    const nack = h.events.nacks[0]!;
    assert.equal(nack.typeUrl, RDS);
    assert.equal(nack.rejectedVersion, r2.versionInfo);
    assert.equal(nack.keptVersion, r1.versionInfo);
    assert.equal(nack.errorMessage, 'route r: unknown cluster');
    assert.equal(nack.errorCode, 3);
    assert.equal(nack.nonce, r2.nonce);
    // A repeated NACK of the same nonce is neither answered nor reported twice.
    s.nack(r2, r1.versionInfo, 'route r: unknown cluster', ['r']);
    await s.expectNone(300);
    assert.equal(h.events.nacks.length, 1);
    // The config changes: the new version is sent.
    h.set(replace(world(), routeConfig('r', ['b'])));
    const r3 = await s.next();
    assert.notEqual(r3.versionInfo, r2.versionInfo);
    assert.deepEqual(r3.names, ['r']);
  });

  test('rule 5: a stale nonce gets no response, but its resource_names count', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: EDS, resourceNames: ['a'] });
    const r1 = await s.next();
    // A push is in flight (r2) when the proxy, still at r1, asks for b as well.
    h.set(replace(world(), assignment('a', [1111])));
    const r2 = await s.next();
    s.send({ typeUrl: EDS, resourceNames: ['a', 'b'], versionInfo: r1.versionInfo, responseNonce: r1.nonce });
    await s.expectNone(300);
    // The ACK of r2 carries the same names; b is served now.
    s.ack(r2, ['a', 'b']);
    const r3 = await s.next();
    assert.deepEqual([...r3.names].sort(), ['a', 'b']);
  });

  test('rule 5: stale names are served by the next push even before the ACK', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: EDS, resourceNames: ['a'] });
    const r1 = await s.next();
    h.set(replace(world(), assignment('a', [1111])));
    await s.next();
    s.send({ typeUrl: EDS, resourceNames: ['a', 'b'], versionInfo: r1.versionInfo, responseNonce: r1.nonce });
    await s.expectNone(200);
    h.set(replace(world(), assignment('a', [2222])));
    const r3 = await s.next();
    assert.deepEqual([...r3.names].sort(), ['a', 'b']);
  });

  test('rule 6: identical repeated requests and unchanged snapshots produce no responses', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: CDS });
    const r = await s.next();
    s.ack(r);
    s.ack(r);
    s.ack(r);
    await s.expectNone(300);
    h.set(world()); // same content
    await s.expectNone(300);
    h.set([...world(), { ...listener('l2', 'r'), name: 'l2' }]); // another type only
    await s.expectNone(300);
    assert.equal(h.events.sent.length, 1);
  });

  test('rule 7: a requested name that does not exist yet is pushed when it appears', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: EDS, resourceNames: ['foo'] });
    await s.expectNone(300);
    h.set(world([cluster('foo'), assignment('foo', [7000])]));
    const r = await s.next();
    assert.deepEqual(r.names, ['foo']);
    assert.equal(r.typeUrl, EDS);
  });

  test('rule 7: a newly requested name is sent even if it was sent before', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: EDS, resourceNames: ['a'] });
    const r1 = await s.next();
    s.ack(r1, ['a']);
    s.send({ typeUrl: EDS, resourceNames: [], versionInfo: r1.versionInfo, responseNonce: r1.nonce });
    await s.expectNone(200);
    s.send({ typeUrl: EDS, resourceNames: ['a'], versionInfo: r1.versionInfo, responseNonce: r1.nonce });
    const r2 = await s.next();
    assert.deepEqual(r2.names, ['a']);
    // Adding a name answers with every subscribed name that exists.
    s.send({ typeUrl: EDS, resourceNames: ['a', 'b'], versionInfo: r2.versionInfo, responseNonce: r2.nonce });
    const r3 = await s.next();
    assert.deepEqual([...r3.names].sort(), ['a', 'b']);
  });

  test('rule 8: wildcard, the four-step sequence [] → ["*","A"] → ["A"] → []', async () => {
    h.set(world([listener('A', 'r', 10001)]));
    const s = h.client().sotw();
    s.send({ typeUrl: LDS, resourceNames: [] });
    const r1 = await s.next();
    assert.deepEqual([...r1.names].sort(), ['A', 'l']);
    s.send({ typeUrl: LDS, resourceNames: ['*', 'A'], versionInfo: r1.versionInfo, responseNonce: r1.nonce });
    const r2 = await s.next();
    assert.deepEqual([...r2.names].sort(), ['A', 'l'], 'still wildcard');
    s.send({ typeUrl: LDS, resourceNames: ['A'], versionInfo: r2.versionInfo, responseNonce: r2.nonce });
    const r3 = await s.next();
    assert.deepEqual(r3.names, ['A'], 'no longer wildcard: only A');
    s.send({ typeUrl: LDS, resourceNames: [], versionInfo: r3.versionInfo, responseNonce: r3.nonce });
    await s.expectNone(300);
    // After names were sent, [] means nothing: new listeners are not pushed.
    h.set(world([listener('A', 'r', 10001), listener('B', 'r', 10002)]));
    await s.expectNone(300);
  });

  test('rule 8: a wildcard request is answered even when the set is empty', async () => {
    h.set([cluster('a')], 'empty-listeners');
    const s = h.client().sotw({ node: { id: 'n', cluster: 'empty-listeners' } });
    s.send({ typeUrl: LDS });
    const r = await s.next();
    assert.equal(r.typeUrl, LDS);
    assert.deepEqual(r.names, []);
  });

  test('rule 8: CDS requested by name (as gRPC clients do) is not wildcard', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: CDS, resourceNames: ['a'] });
    const r = await s.next();
    assert.deepEqual(r.names, ['a']);
    s.ack(r, ['a']);
    h.set(world([cluster('zzz')]));
    await s.expectNone(300);
  });

  test('rule 9: LDS/CDS carry the full set; RDS/EDS omissions delete nothing', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: CDS });
    const c1 = await s.next();
    s.ack(c1);
    s.send({ typeUrl: RDS, resourceNames: ['r', 'r2'] });
    h.set(world([listener('l2', 'r2', 10002), routeConfig('r2', ['a'])]));
    const first = await s.next();
    assert.equal(first.typeUrl, RDS);
    assert.deepEqual([...first.names].sort(), ['r', 'r2']);
    s.ack(first, ['r', 'r2']);
    // Remove cluster b (and route r's reference to it) and route config r2.
    const next = [cluster('a'), assignment('a'), listener('l', 'r'), routeConfig('r', ['a'])];
    h.set(next);
    const got = [await s.next(), await s.next()];
    const cds = got.find((r) => r.typeUrl === CDS)!;
    const rds = got.find((r) => r.typeUrl === RDS)!;
    assert.deepEqual(cds.names, ['a'], 'the full cluster set, without b');
    assert.deepEqual(rds.names, ['r'], 'only what exists; r2 is not deleted by omission');
  });

  test('rule 10: no duplicate names in one response', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: EDS, resourceNames: ['a', 'a', 'b', 'b'] });
    const r = await s.next();
    assert.deepEqual([...r.names].sort(), ['a', 'b']);
    s.send({ typeUrl: CDS, resourceNames: ['*', 'a', 'a'] });
    const c = await s.next();
    assert.deepEqual([...c.names].sort(), ['a', 'b']);
    h.set([cluster('d'), cluster('d', { connectTimeout: '4s' })], 'dups', { skipValidation: true });
    const t = h.client().sotw({ node: { id: 'dup', cluster: 'dups' } });
    t.send({ typeUrl: CDS });
    assert.deepEqual((await t.next()).names, ['d']);
  });

  test('rule 11: changing only a cluster attribute is followed by an EDS response', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: CDS });
    const c1 = await s.next();
    s.ack(c1);
    s.send({ typeUrl: EDS, resourceNames: ['a', 'b'] });
    const e1 = await s.next();
    s.ack(e1, ['a', 'b']);
    h.set(replace(world(), cluster('a', { connectTimeout: '2s' })));
    const c2 = await s.next();
    assert.equal(c2.typeUrl, CDS);
    const e2 = await s.next();
    assert.equal(e2.typeUrl, EDS);
    assert.ok(e2.names.includes('a'));
    const before = e1.resources.find((r) => r.name === 'a')!;
    const after = e2.resources.find((r) => r.name === 'a')!;
    assert.deepEqual(after.json, before.json, 'same endpoints, sent again');
  });

  test('rule 11: an EDS cluster with no endpoints gets an empty assignment', async () => {
    h.set(world([cluster('empty')]));
    const s = h.client().sotw();
    s.send({ typeUrl: EDS, resourceNames: ['empty'] });
    const r = await s.next();
    assert.deepEqual(r.names, ['empty']);
    assert.deepEqual(r.resources[0]!.json, { cluster_name: 'empty' });
  });

  test('rule 12: make before break — new cluster and its endpoints before the route that uses it', async () => {
    const s = h.client().sotw();
    const last = new Map<string, { versionInfo: string; nonce: string }>();
    for (const [t, names] of [[CDS, []], [EDS, ['a', 'b']], [LDS, []], [RDS, ['r']]] as const) {
      s.send({ typeUrl: t, resourceNames: names });
      const r = await s.next();
      last.set(t, r);
      s.ack(r, names);
    }
    const from = h.events.sent.length;
    h.set(replace(world([cluster('x'), assignment('x', [4444])]), routeConfig('r', ['a', 'b', 'x'])));
    const cds = await s.next();
    assert.equal(cds.typeUrl, CDS);
    assert.ok(cds.names.includes('x'));
    // The route waits while the proxy warms x: it asks for x's endpoints, as Envoy does.
    await s.expectNone(150);
    const edsSeen = last.get(EDS)!;
    s.send({ typeUrl: EDS, resourceNames: ['a', 'b', 'x'], versionInfo: edsSeen.versionInfo, responseNonce: edsSeen.nonce });
    const eds = await s.next();
    assert.equal(eds.typeUrl, EDS);
    assert.ok(eds.names.includes('x'));
    const rds = await s.next();
    assert.equal(rds.typeUrl, RDS);
    assert.deepEqual(h.events.sent.slice(from).map((e) => e.typeUrl), [CDS, EDS, RDS]);
  });

  test('rule 12: clusters are removed only after the routes stop using them', async () => {
    h.set(replace(world([cluster('x'), assignment('x')]), routeConfig('r', ['a', 'b', 'x'])));
    const s = h.client().sotw();
    for (const [t, names] of [[CDS, []], [EDS, ['a', 'b', 'x']], [LDS, []], [RDS, ['r']]] as const) {
      s.send({ typeUrl: t, resourceNames: names });
      s.ack(await s.next(), names);
    }
    const from = h.events.sent.length;
    h.set(world());
    const first = await s.next();
    const second = await s.next();
    assert.equal(first.typeUrl, RDS);
    assert.equal(second.typeUrl, CDS);
    assert.ok(!second.names.includes('x'));
    assert.deepEqual(h.events.sent.slice(from).map((e) => e.typeUrl), [RDS, CDS]);
  });

  test('rule 12: changing one cluster and removing one nothing refers to takes one response', async () => {
    h.set(world([cluster('unused')]));
    const s = h.client().sotw();
    for (const [t, names] of [[CDS, []], [LDS, []], [RDS, ['r']]] as const) {
      s.send({ typeUrl: t, resourceNames: names });
      s.ack(await s.next(), names);
    }
    h.set(replace(world(), cluster('a', { connectTimeout: '9s' })));
    const r = await s.next();
    assert.equal(r.typeUrl, CDS);
    assert.deepEqual([...r.names].sort(), ['a', 'b']);
    assert.equal(r.resources.find((x) => x.name === 'a')!.json['connect_timeout'], '9s');
    s.ack(r);
    await s.expectNone(300);
  });

  test('rule 12: the route goes out anyway when the proxy never asks for the new endpoints', async () => {
    const s = h.client().sotw();
    for (const [t, names] of [[CDS, []], [EDS, ['a', 'b']], [RDS, ['r']]] as const) {
      s.send({ typeUrl: t, resourceNames: names });
      s.ack(await s.next(), names);
    }
    h.set(replace(world([cluster('x')]), routeConfig('r', ['a', 'x'])));
    const start = Date.now();
    assert.equal((await s.next()).typeUrl, CDS);
    const rds = await s.next(3000);
    assert.equal(rds.typeUrl, RDS);
    assert.ok(Date.now() - start >= 400, 'held for the warming gate');
  });

  test('rule 13: the node is only on the first request and is remembered for the stream', async () => {
    h.set([cluster('only-in-g2')], 'g2');
    const s = h.client().sotw({ node: { id: 'n13', cluster: 'ignored', metadata: { meshgate_group: 'g2' } } });
    s.send({ typeUrl: CDS });
    const r1 = await s.next();
    assert.deepEqual(r1.names, ['only-in-g2']);
    assert.equal(h.events.opened.at(-1)!.group, 'g2');
    // Later requests carry no node (or a different one); the stream stays on g2.
    s.send({ typeUrl: LDS, node: null });
    const r2 = await s.next();
    assert.equal(r2.typeUrl, LDS);
    s.send({ typeUrl: EDS, resourceNames: ['a'], node: { id: 'someone-else', cluster: 'test-cluster' } });
    await s.expectNone(300);
    h.set([cluster('only-in-g2'), cluster('also-g2', { static: true })], 'g2');
    const r3 = await s.next();
    assert.deepEqual([...r3.names].sort(), ['also-g2', 'only-in-g2']);
    assert.equal(h.events.opened.filter((e) => e.node.id === 'n13').length, 1);
  });

  test('rule 14: on a new stream every subscribed type is answered even when versions match', async () => {
    const c = h.client();
    const s = c.sotw();
    const seen = new Map<string, string>();
    for (const [t, names] of [[CDS, []], [EDS, ['a', 'b']], [LDS, []], [RDS, ['r']]] as const) {
      s.send({ typeUrl: t, resourceNames: names });
      const r = await s.next();
      seen.set(t, r.versionInfo);
      s.ack(r, names);
    }
    s.cancel();
    const again = c.sotw();
    for (const [t, names] of [[CDS, []], [EDS, ['a', 'b']], [LDS, []], [RDS, ['r']]] as const) {
      again.send({ typeUrl: t, resourceNames: names, versionInfo: seen.get(t)! });
    }
    const answered = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      const r = await again.next();
      answered.set(r.typeUrl, r.versionInfo);
    }
    assert.deepEqual(answered, seen);
  });

  test('no snapshot for the group yet: requests wait instead of being answered with nothing', async () => {
    const s = h.client().sotw({ node: { id: 'late', cluster: 'not-yet' } });
    s.send({ typeUrl: CDS });
    s.send({ typeUrl: LDS });
    await s.expectNone(300);
    h.set([cluster('a'), listener('l', 'r')], 'not-yet');
    const got = [await s.next(), await s.next()].map((r) => r.typeUrl);
    assert.deepEqual(got, [CDS, LDS]);
  });
});
