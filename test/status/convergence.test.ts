import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { MetricsRegistry } from '../../src/metrics/registry';
import { XdsMetrics } from '../../src/metrics/xds-metrics';
import { ProxyStatusRegistry } from '../../src/status/proxy-status';
import { trackConvergence } from '../../src/status/track-convergence';
import { cacheWith, cluster, endpoints } from './fixtures';
import { FakeClock, Script } from './helpers';

function setup(options: { pushWindowMs?: number; convergenceTimeoutMs?: number; maxOpenChanges?: number } = {}) {
  const clock = new FakeClock();
  const metricsRegistry = new MetricsRegistry();
  let registry: ProxyStatusRegistry | undefined;
  const metrics = new XdsMetrics(metricsRegistry, { connectedProxies: () => registry!.connectedByProtocol() });
  registry = new ProxyStatusRegistry({ now: clock.now, convergence: metrics, ...options });
  const script = new Script([registry, metrics], clock);
  const histogram = () => metrics.convergenceSeconds.get();
  /** Lets the push window pass and runs the periodic sweep. */
  const finish = () => {
    clock.advance(options.pushWindowMs ?? 1000);
    registry!.sweep();
  };
  return { clock, registry, script, metrics, histogram, finish };
}

describe('convergence tracking', () => {
  it('observes the time from acceptance until the last affected proxy ACKed', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('s1', 'p1', { group: 'g' });
    script.open('s2', 'p2', { group: 'g' });
    const t0 = clock.t;
    clock.advance(100); // debounce
    registry.changeAccepted('g', t0);
    const n1 = script.send('s1', TypeUrl.Cluster, 'v2', ['c']);
    const n2 = script.send('s2', TypeUrl.Cluster, 'v2', ['c']);
    clock.advance(20);
    script.ack('s1', TypeUrl.Cluster, 'v2', n1);
    assert.equal(histogram().count, 0, 'p2 has not ACKed yet');
    clock.advance(30);
    script.ack('s2', TypeUrl.Cluster, 'v2', n2);
    assert.equal(histogram().count, 0, 'more may be pushed within the window');
    finish();
    assert.equal(histogram().count, 1);
    assert.equal(histogram().sum, 0.15);
    assert.equal(histogram().buckets.get(0.25), 1);
    assert.equal(histogram().buckets.get(0.1), 0);
    assert.equal(registry.openChanges, 0);
  });

  it('waits for every type that was pushed to a proxy, even past the window', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('s', 'p', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    const cds = script.send('s', TypeUrl.Cluster, 'v2', ['c']);
    const eds = script.send('s', TypeUrl.ClusterLoadAssignment, 'v2', ['c']);
    clock.advance(10);
    script.ack('s', TypeUrl.Cluster, 'v2', cds);
    finish();
    assert.equal(histogram().count, 0, 'endpoints not ACKed yet');
    clock.advance(10);
    script.ack('s', TypeUrl.ClusterLoadAssignment, 'v2', eds);
    assert.equal(histogram().count, 1);
    assert.equal(histogram().sum, 1.02);
  });

  it('waits for a push that follows an ACK within the window (endpoints after clusters)', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('s', 'p', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    const cds = script.send('s', TypeUrl.Cluster, 'v2', ['c']);
    clock.advance(10);
    script.ack('s', TypeUrl.Cluster, 'v2', cds);
    clock.advance(20);
    const eds = script.send('s', TypeUrl.ClusterLoadAssignment, 'v2', ['c']);
    clock.advance(20);
    script.ack('s', TypeUrl.ClusterLoadAssignment, 'v2', eds);
    finish();
    assert.equal(histogram().count, 1);
    assert.equal(histogram().sum, 0.05);
  });

  it('a later push of a type already ACKed belongs to the later change', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('s', 'p', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    const first = script.send('s', TypeUrl.Cluster, 'v2', ['c']);
    clock.advance(10);
    script.ack('s', TypeUrl.Cluster, 'v2', first);
    clock.advance(10);
    registry.changeAccepted('g', clock.t);
    script.send('s', TypeUrl.Cluster, 'v3', ['c']); // never answered
    finish();
    assert.equal(histogram().count, 1, 'the first change converged');
    assert.equal(histogram().sum, 0.01);
    assert.equal(registry.openChanges, 1, 'the second one waits');
  });

  it('an answer to a superseded response of the type does not settle the newer one', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('s', 'p', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    const first = script.send('s', TypeUrl.Cluster, 'v2', ['c']);
    script.send('s', TypeUrl.Cluster, 'v3', ['c']);
    clock.advance(5);
    script.ack('s', TypeUrl.Cluster, 'v2', first);
    finish();
    assert.equal(histogram().count, 0);
  });

  it('a NACK settles the change with an error: counted apart, no histogram observation', () => {
    const { clock, registry, script, histogram, metrics, finish } = setup();
    script.open('s1', 'p1', { group: 'g' });
    script.open('s2', 'p2', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    const n1 = script.send('s1', TypeUrl.Listener, 'v2', ['l']);
    const n2 = script.send('s2', TypeUrl.Listener, 'v2', ['l']);
    clock.advance(10);
    script.nack('s1', TypeUrl.Listener, 'v2', 'v1', n1, 'rejected');
    assert.equal(metrics.convergenceNacked.get(), 0, 'p2 still pending');
    script.ack('s2', TypeUrl.Listener, 'v2', n2);
    finish();
    assert.equal(metrics.convergenceNacked.get(), 1);
    assert.equal(histogram().count, 0);
    assert.equal(registry.openChanges, 0);
  });

  it('proxies that receive nothing are left out once the push window has passed', () => {
    const { clock, registry, script, histogram } = setup({ pushWindowMs: 1000 });
    script.open('s1', 'p1', { group: 'g' });
    script.open('s2', 'p2', { group: 'g' }); // its resources did not change: no push
    const t0 = clock.t;
    registry.changeAccepted('g', t0);
    const n1 = script.send('s1', TypeUrl.ClusterLoadAssignment, 'v2', ['a']);
    clock.advance(40);
    script.ack('s1', TypeUrl.ClusterLoadAssignment, 'v2', n1);
    assert.equal(histogram().count, 0, 'p2 might still get a push');
    clock.advance(2000);
    registry.sweep();
    assert.equal(histogram().count, 1);
    assert.equal(histogram().sum, 0.04, 'the time of the last ACK, not of the window');
  });

  it('observes nothing when no proxy was affected', () => {
    const { clock, registry, script, histogram, metrics } = setup({ pushWindowMs: 100 });
    script.open('s1', 'p1', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    clock.advance(200);
    registry.sweep();
    assert.equal(histogram().count, 0);
    assert.equal(metrics.convergenceNacked.get(), 0);
    assert.equal(registry.openChanges, 0);
  });

  it('ignores proxies of other groups and does not wait for proxies that disconnect', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('s1', 'p1', { group: 'g' });
    script.open('s2', 'p2', { group: 'g' });
    script.open('s3', 'p3', { group: 'other' });
    registry.changeAccepted('g', clock.t);
    const n1 = script.send('s1', TypeUrl.Cluster, 'v2', ['c']);
    script.send('s2', TypeUrl.Cluster, 'v2', ['c']);
    script.send('s3', TypeUrl.Cluster, 'x', ['c']);
    clock.advance(10);
    script.ack('s1', TypeUrl.Cluster, 'v2', n1);
    assert.equal(histogram().count, 0);
    finish();
    assert.equal(histogram().count, 0, 'p2 has not answered');
    script.close('s2');
    assert.equal(histogram().count, 1);
    assert.equal(histogram().sum, 0.01);
  });

  it('counts responses the server sent before the change was reported, if sent since acceptance', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('s', 'p', { group: 'g' });
    const t0 = clock.t;
    clock.advance(100);
    const n = script.send('s', TypeUrl.Cluster, 'v2', ['c']); // the server heard of the change first
    registry.changeAccepted('g', t0);
    clock.advance(5);
    script.ack('s', TypeUrl.Cluster, 'v2', n);
    finish();
    assert.equal(histogram().count, 1);
    assert.equal(histogram().sum, 0.105);
  });

  it('after a reconnect, waits for the response on the new stream', () => {
    const { clock, registry, script, histogram, finish } = setup();
    script.open('old', 'p', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    script.send('old', TypeUrl.Cluster, 'v2', ['c']);
    clock.advance(50);
    script.open('new', 'p', { group: 'g' });
    script.close('old');
    const n = script.send('new', TypeUrl.Cluster, 'v2', ['c']);
    clock.advance(10);
    script.ack('new', TypeUrl.Cluster, 'v2', n);
    finish();
    assert.equal(histogram().count, 1);
    assert.equal(histogram().sum, 0.06);
  });

  it('abandons changes that never settle (timeout) and the oldest beyond the cap (overflow)', () => {
    const { clock, registry, script, metrics } = setup({ convergenceTimeoutMs: 10_000, maxOpenChanges: 2 });
    script.open('s', 'p', { group: 'g' });
    registry.changeAccepted('g', clock.t);
    script.send('s', TypeUrl.Cluster, 'v2', ['c']); // never answered
    registry.changeAccepted('g', clock.t);
    registry.changeAccepted('g', clock.t);
    assert.equal(metrics.convergenceAbandoned.get({ reason: 'overflow' }), 1);
    assert.equal(registry.openChanges, 2);
    clock.advance(10_001);
    registry.sweep();
    assert.equal(metrics.convergenceAbandoned.get({ reason: 'timeout' }), 2);
    assert.equal(registry.openChanges, 0);
  });

  it('opens a round for each change the snapshot cache publishes', async () => {
    const clock = new FakeClock();
    const cache = cacheWith('g', [cluster('a'), endpoints('a')], clock.now);
    const registry = new ProxyStatusRegistry({ now: clock.now });
    const script = new Script([registry], clock);
    script.open('s', 'p', { group: 'g' });
    const unsubscribe = trackConvergence(cache, registry);
    cache.setSnapshot('g', [cluster('a', '2s'), endpoints('a')]);
    cache.flush();
    assert.equal(registry.openChanges, 1);
    unsubscribe();
    cache.setSnapshot('g', [cluster('a', '3s'), endpoints('a')]);
    cache.flush();
    assert.equal(registry.openChanges, 1);
    cache.close();
  });
});
