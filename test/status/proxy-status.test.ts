import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { ProxyStatusRegistry } from '../../src/status/proxy-status';
import type { ProxyStatus, TypeStatus } from '../../src/status/types';
import { cacheWith, cluster, endpoints } from './fixtures';
import { FakeClock, Script, nodeInfo } from './helpers';

function setup(options: ConstructorParameters<typeof ProxyStatusRegistry>[0] = {}) {
  const clock = new FakeClock();
  const registry = new ProxyStatusRegistry({ now: clock.now, ...options });
  const script = new Script([registry], clock);
  return { clock, registry, script };
}

function typeOf(proxy: ProxyStatus | undefined, typeUrl: string): TypeStatus {
  const type = proxy?.types.find((t) => t.typeUrl === typeUrl);
  assert.ok(type, `no status for ${typeUrl}`);
  return type;
}

describe('ProxyStatusRegistry: stream lifecycle', () => {
  it('lists a proxy with its node, group, peer and protocol once its stream opens', () => {
    const { registry, script, clock } = setup();
    const node = nodeInfo('edge-1', { cluster: 'gw', metadata: { zone: 'a' }, userAgentVersion: '1.30.2' });
    script.open('s1', 'edge-1', { node, group: 'edge', protocol: 'delta' });
    const proxy = registry.get('edge-1');
    assert.ok(proxy);
    assert.equal(proxy.state, 'connected');
    assert.equal(proxy.group, 'edge');
    assert.equal(proxy.protocol, 'delta');
    assert.equal(proxy.node.cluster, 'gw');
    assert.deepEqual(proxy.node.metadata, { zone: 'a' });
    assert.equal(proxy.node.userAgentVersion, '1.30.2');
    assert.match(proxy.peer, /^ipv4:127\.0\.0\.1:/);
    assert.equal(proxy.connectedSince, clock.t);
    assert.deepEqual(proxy.types, []);
    assert.deepEqual(registry.list().map((p) => p.id), ['edge-1']);
  });

  it('tracks sent → pending → ACKed per type, with versions, nonces and times', () => {
    const { registry, script, clock } = setup();
    script.open('s1', 'p');
    const sentAt = clock.advance(10);
    const nonce = script.send('s1', TypeUrl.Cluster, 'v1', ['a', 'b'], { bytes: 321 });
    let cds = typeOf(registry.get('p'), TypeUrl.Cluster);
    assert.equal(cds.state, 'pending');
    assert.deepEqual(cds.sent, { version: 'v1', nonce, at: sentAt, resourceCount: 2, removedCount: 0, bytes: 321 });
    assert.equal(cds.acked, undefined);
    assert.equal(cds.resourceCount, 2);

    const ackAt = clock.advance(5);
    script.ack('s1', TypeUrl.Cluster, 'v1', nonce);
    cds = typeOf(registry.get('p'), TypeUrl.Cluster);
    assert.equal(cds.state, 'synced');
    assert.deepEqual(cds.acked, { version: 'v1', nonce, at: ackAt });
    assert.equal(cds.pushes, 1);
    assert.equal(cds.acks, 1);
    // Types that were never sent stay out of the view.
    assert.equal(registry.get('p')!.types.length, 1);
  });

  it('records a NACK and keeps it visible, marked resolved, after a later ACK of another version', () => {
    const { registry, script, clock } = setup();
    script.open('s1', 'p');
    const n1 = script.send('s1', TypeUrl.Listener, 'v1', ['l']);
    script.ack('s1', TypeUrl.Listener, 'v1', n1);
    const n2 = script.send('s1', TypeUrl.Listener, 'v2', ['l']);
    const nackAt = clock.advance(7);
    script.nack('s1', TypeUrl.Listener, 'v2', 'v1', n2, 'Error adding/updating listener(s) l: bad filter', 13);

    let lds = typeOf(registry.get('p'), TypeUrl.Listener);
    assert.equal(lds.state, 'nacked');
    assert.deepEqual(lds.lastNack, {
      rejectedVersion: 'v2',
      keptVersion: 'v1',
      nonce: n2,
      errorCode: 13,
      errorMessage: 'Error adding/updating listener(s) l: bad filter',
      at: nackAt,
    });
    assert.equal(lds.acked?.version, 'v1', 'the proxy still runs v1');

    const n3 = script.send('s1', TypeUrl.Listener, 'v3', ['l']);
    const fixedAt = clock.advance(3);
    script.ack('s1', TypeUrl.Listener, 'v3', n3);
    lds = typeOf(registry.get('p'), TypeUrl.Listener);
    assert.equal(lds.state, 'synced');
    assert.equal(lds.lastNack?.errorMessage, 'Error adding/updating listener(s) l: bad filter');
    assert.equal(lds.lastNack?.resolvedAt, fixedAt);
    assert.equal(lds.lastNack?.resolvedByVersion, 'v3');
    assert.equal(lds.nacks, 1);
  });

  it('cuts very long NACK messages', () => {
    const { registry, script } = setup({ maxErrorMessageLength: 50 });
    script.open('s1', 'p');
    const n = script.send('s1', TypeUrl.Cluster, 'v1', ['c']);
    script.nack('s1', TypeUrl.Cluster, 'v1', '', n, 'x'.repeat(10_000));
    const message = typeOf(registry.get('p'), TypeUrl.Cluster).lastNack!.errorMessage;
    assert.equal(message.length, 51);
    assert.ok(message.endsWith('…'));
  });

  it('a reconnect replaces the old stream: late events of the old stream are ignored, held names kept', () => {
    const { registry, script, clock } = setup();
    script.open('old', 'p');
    const n1 = script.send('old', TypeUrl.Cluster, 'v1', ['a']);
    script.ack('old', TypeUrl.Cluster, 'v1', n1);
    const stale = script.send('old', TypeUrl.Cluster, 'v2', ['a', 'b']);

    const reconnectAt = clock.advance(1000);
    script.open('new', 'p');
    script.ack('old', TypeUrl.Cluster, 'v2', stale); // the dying stream: must not count
    script.close('old');

    const proxy = registry.get('p');
    assert.equal(proxy?.state, 'connected');
    assert.deepEqual(proxy?.streams.map((s) => s.streamId), ['new']);
    assert.equal(proxy?.connectedSince, reconnectAt);
    const cds = typeOf(proxy, TypeUrl.Cluster);
    assert.equal(cds.acked?.version, 'v1');
    assert.deepEqual(registry.heldNames('p', TypeUrl.Cluster), ['a', 'b']);

    // A nonce value reused by the new stream is not confused with the old stream's.
    const n2 = script.send('new', TypeUrl.Cluster, 'v2', ['a', 'b']);
    assert.equal(typeOf(registry.get('p'), TypeUrl.Cluster).state, 'pending');
    script.ack('new', TypeUrl.Cluster, 'v2', n2);
    assert.equal(typeOf(registry.get('p'), TypeUrl.Cluster).state, 'synced');
  });

  it('keeps one proxy across several standalone-service streams', () => {
    const { registry, script } = setup();
    script.open('cds', 'p', { service: 'cds' });
    script.open('lds', 'p', { service: 'lds', protocol: 'delta' });
    assert.equal(registry.connectedCount, 1);
    assert.deepEqual(registry.get('p')?.streams.map((s) => s.service), ['cds', 'lds']);
    assert.equal(registry.get('p')?.protocol, 'delta', 'newest stream');
    script.close('lds');
    assert.equal(registry.get('p')?.state, 'connected');
    assert.equal(registry.get('p')?.protocol, 'sotw');
    script.close('cds');
    assert.equal(registry.get('p')?.state, 'disconnected');
    assert.equal(registry.connectedCount, 0);
  });

  it('keeps a disconnected proxy visible for the retention time, then drops it', () => {
    const { registry, script, clock } = setup({ disconnectedRetentionMs: 60_000 });
    script.open('s1', 'p');
    const n = script.send('s1', TypeUrl.Listener, 'v1', ['l']);
    script.nack('s1', TypeUrl.Listener, 'v1', '', n, 'boom');
    const closedAt = clock.advance(10);
    script.close('s1', 'transport closed');
    let proxy = registry.get('p');
    assert.equal(proxy?.state, 'disconnected');
    assert.equal(proxy?.disconnectedAt, closedAt);
    assert.equal(proxy?.disconnectReason, 'transport closed');
    assert.equal(typeOf(proxy, TypeUrl.Listener).lastNack?.errorMessage, 'boom');
    assert.equal(registry.connectedProxies().length, 0);

    clock.advance(59_000);
    assert.ok(registry.get('p'));
    clock.advance(2_000);
    assert.equal(registry.get('p'), undefined);
    assert.deepEqual(registry.list(), []);

    // Retention 0: gone at once.
    const immediate = setup({ disconnectedRetentionMs: 0 });
    immediate.script.open('s', 'q');
    immediate.script.close('s');
    assert.equal(immediate.registry.get('q'), undefined);
  });

  it('evicts the oldest disconnected proxies beyond the cap', () => {
    const { registry, script, clock } = setup({ maxDisconnected: 2 });
    for (const id of ['a', 'b', 'c']) {
      script.open(id, id);
      clock.advance(1);
      script.close(id);
    }
    assert.deepEqual(registry.list().map((p) => p.id), ['b', 'c']);
  });

  it('revives a disconnected proxy on reconnect, with its history', () => {
    const { registry, script, clock } = setup();
    script.open('s1', 'p');
    const n = script.send('s1', TypeUrl.Cluster, 'v1', ['c']);
    script.nack('s1', TypeUrl.Cluster, 'v1', '', n, 'bad cluster');
    script.close('s1');
    const back = clock.advance(500);
    script.open('s2', 'p', { group: 'other' });
    const proxy = registry.get('p');
    assert.equal(proxy?.state, 'connected');
    assert.equal(proxy?.disconnectedAt, undefined);
    assert.equal(proxy?.connectedSince, back);
    assert.equal(proxy?.group, 'other');
    assert.equal(typeOf(proxy, TypeUrl.Cluster).lastNack?.errorMessage, 'bad cluster');
    assert.equal(registry.disconnectedCount, 0);
  });

  it('leaves nothing behind after many connect/disconnect cycles', () => {
    const { registry, script } = setup({ disconnectedRetentionMs: 0 });
    for (let i = 0; i < 2000; i++) {
      script.open(`s${i}`, `p${i % 7}`);
      const n = script.send(`s${i}`, TypeUrl.Cluster, 'v', ['a']);
      script.ack(`s${i}`, TypeUrl.Cluster, 'v', n);
      script.close(`s${i}`);
    }
    assert.equal(registry.connectedCount, 0);
    assert.equal(registry.disconnectedCount, 0);
    assert.equal(registry.list().length, 0);
  });

  it('counts connected proxies by the protocol of their newest stream', () => {
    const { registry, script } = setup();
    script.open('a', 'a', { protocol: 'sotw' });
    script.open('b', 'b', { protocol: 'delta' });
    script.open('c', 'c', { protocol: 'delta' });
    assert.deepEqual([...registry.connectedByProtocol()].sort(), [['delta', 2], ['sotw', 1]]);
  });
});

describe('ProxyStatusRegistry: resources held', () => {
  it('SotW LDS/CDS responses replace the held set', () => {
    const { registry, script } = setup();
    script.open('s', 'p');
    script.send('s', TypeUrl.Cluster, 'v1', ['a', 'b']);
    script.send('s', TypeUrl.Cluster, 'v2', ['b', 'c']);
    assert.deepEqual(registry.heldNames('p', TypeUrl.Cluster), ['b', 'c']);
  });

  it('SotW EDS responses carrying a subset add to what is held; deleted names are pruned', () => {
    const clock = new FakeClock();
    const cache = cacheWith('default', [cluster('a'), cluster('b'), endpoints('a'), endpoints('b')]);
    const registry = new ProxyStatusRegistry({ now: clock.now, snapshots: cache });
    const script = new Script([registry], clock);
    script.open('s', 'p');
    script.send('s', TypeUrl.ClusterLoadAssignment, 'v1', ['a', 'b']);
    script.send('s', TypeUrl.ClusterLoadAssignment, 'v2', ['b']);
    assert.deepEqual(registry.heldNames('p', TypeUrl.ClusterLoadAssignment), ['a', 'b']);

    cache.setSnapshot('default', [cluster('b'), endpoints('b'), cluster('c'), endpoints('c')]);
    script.send('s', TypeUrl.ClusterLoadAssignment, 'v3', ['c']);
    assert.deepEqual(registry.heldNames('p', TypeUrl.ClusterLoadAssignment), ['b', 'c']);
    cache.close();
  });

  it('delta responses add names and removed_resources take them away', () => {
    const { registry, script } = setup();
    script.open('s', 'p', { protocol: 'delta' });
    script.send('s', TypeUrl.Cluster, 'v1', ['a', 'b', 'c']);
    script.send('s', TypeUrl.Cluster, 'v2', ['d'], { removed: ['a'] });
    assert.deepEqual(registry.heldNames('p', TypeUrl.Cluster), ['b', 'c', 'd']);
    assert.equal(typeOf(registry.get('p'), TypeUrl.Cluster).resourceCount, 3);
    assert.equal(typeOf(registry.get('p'), TypeUrl.Cluster).sent?.removedCount, 1);
  });
});
