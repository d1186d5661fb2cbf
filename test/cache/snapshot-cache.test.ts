import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SnapshotCache } from '../../src/cache/snapshot-cache';
import { SnapshotRejectedError } from '../../src/cache/snapshot-rejected-error';
import type { SnapshotValidator } from '../../src/cache/types';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { assignment, cluster, listener, routeConfig, secret } from './fixtures';

const accept: SnapshotValidator = () => [];

function newCache(validator: SnapshotValidator = accept): SnapshotCache {
  return new SnapshotCache({ validator, debounceMs: 1, maxDelayMs: 10 });
}

function base(): EnvoyResource[] {
  return [cluster('a'), assignment('a'), cluster('b'), listener('l', 'r'), routeConfig('r', ['a', 'b']), secret('s')];
}

function get(cache: SnapshotCache, group: string, typeUrl: string, name: string) {
  const r = cache.getSnapshot(group)?.resources.get(typeUrl as never)?.get(name);
  assert.ok(r, `${typeUrl} ${name} in ${group}`);
  return r;
}

/** The same JSON with every object's keys in reverse order. */
function reorder(json: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(json).reverse()) {
    const v = json[key]!;
    out[key] = v !== null && typeof v === 'object' && !Array.isArray(v) ? reorder(v) : v;
  }
  return out;
}

describe('snapshot cache: versions', () => {
  test('a resource version is the sha256 of its encoded Any, and every type is present', () => {
    const cache = newCache();
    cache.setSnapshot('g', base());
    const a = get(cache, 'g', TypeUrl.Cluster, 'a');
    const expected = createHash('sha256').update(a.any).digest('hex').slice(0, 16);
    assert.equal(a.version, expected);
    const snap = cache.getSnapshot('g')!;
    for (const t of Object.values(TypeUrl)) {
      assert.ok(snap.resources.has(t), t);
      assert.match(snap.typeVersions.get(t) ?? '', /^[0-9a-f]{16}$/);
    }
  });

  test('versions are stable: two caches, input in any order, give the same versions', () => {
    const one = newCache();
    const two = newCache();
    one.setSnapshot('g', base());
    two.setSnapshot('g', [...base()].reverse().map((r) => ({ ...r, json: reorder(r.json) })));
    const s1 = one.getSnapshot('g')!;
    const s2 = two.getSnapshot('g')!;
    for (const t of Object.values(TypeUrl)) {
      assert.equal(s1.typeVersions.get(t), s2.typeVersions.get(t), t);
      for (const [name, r] of s1.resources.get(t)!) assert.equal(s2.resources.get(t)!.get(name)!.version, r.version);
    }
  });

  test('an unchanged resource keeps its version, its CachedResource object and its bytes', () => {
    const cache = newCache();
    cache.setSnapshot('g', base());
    const before = get(cache, 'g', TypeUrl.Listener, 'l');
    const clusterA = get(cache, 'g', TypeUrl.Cluster, 'a');
    // Same content with keys in another order, plus an unrelated change elsewhere.
    const next = base().map((r) => (r.typeUrl === TypeUrl.Listener ? { ...r, json: reorder(r.json) } : r));
    next.push(cluster('c'));
    const { changed } = cache.setSnapshot('g', next);
    assert.equal(changed, true);
    assert.equal(get(cache, 'g', TypeUrl.Listener, 'l'), before);
    assert.equal(get(cache, 'g', TypeUrl.Listener, 'l').any, before.any);
    assert.equal(get(cache, 'g', TypeUrl.Cluster, 'a'), clusterA);
  });

  test('a changed resource gets a new version; the type version moves only for its type', () => {
    const cache = newCache();
    cache.setSnapshot('g', base());
    const s1 = cache.getSnapshot('g')!;
    cache.setSnapshot('g', base().map((r) => (r.name === 'b' && r.typeUrl === TypeUrl.Cluster ? cluster('b', { connectTimeout: '2s' }) : r)));
    const s2 = cache.getSnapshot('g')!;
    assert.notEqual(s2.typeVersions.get(TypeUrl.Cluster), s1.typeVersions.get(TypeUrl.Cluster));
    assert.equal(s2.typeVersions.get(TypeUrl.Listener), s1.typeVersions.get(TypeUrl.Listener));
    assert.equal(s2.typeVersions.get(TypeUrl.RouteConfiguration), s1.typeVersions.get(TypeUrl.RouteConfiguration));
    assert.notEqual(s2.resources.get(TypeUrl.Cluster)!.get('b')!.version, s1.resources.get(TypeUrl.Cluster)!.get('b')!.version);
  });

  test('identical resources in two groups share one encoding', () => {
    const cache = newCache();
    cache.setSnapshot('g1', base());
    cache.setSnapshot('g2', base());
    assert.equal(get(cache, 'g1', TypeUrl.Listener, 'l').any, get(cache, 'g2', TypeUrl.Listener, 'l').any);
  });

  test('setting identical content is not a change and keeps the snapshot object', () => {
    const cache = newCache();
    const first = cache.setSnapshot('g', base());
    const again = cache.setSnapshot('g', base());
    assert.equal(again.changed, false);
    assert.equal(again.snapshot, first.snapshot);
    assert.equal(cache.getSnapshot('g'), first.snapshot);
  });

  test('encodings nobody holds are dropped after churn', () => {
    const cache = newCache();
    for (let i = 0; i < 50; i++) cache.setSnapshot('g', [...base(), cluster(`churn-${i}`)]);
    // base(): 6 resources + the churn cluster + its synthesized assignment + b's synthesized assignment.
    assert.equal(cache.encodedResourceCount, 9);
    cache.deleteSnapshot('g');
    assert.equal(cache.encodedResourceCount, 0);
  });
});

describe('snapshot cache: endpoints follow their clusters (warming)', () => {
  test('the assignment version moves when only its cluster changes, and keeps its bytes', () => {
    const cache = newCache();
    cache.setSnapshot('g', base());
    const before = get(cache, 'g', TypeUrl.ClusterLoadAssignment, 'a');
    cache.setSnapshot('g', base().map((r) => (r.name === 'a' && r.typeUrl === TypeUrl.Cluster ? cluster('a', { connectTimeout: '3s' }) : r)));
    const after = get(cache, 'g', TypeUrl.ClusterLoadAssignment, 'a');
    assert.notEqual(after.version, before.version);
    assert.equal(after.any, before.any);
    const s = cache.getSnapshot('g')!;
    assert.notEqual(s.typeVersions.get(TypeUrl.ClusterLoadAssignment), undefined);
  });

  test('the fold follows eds_cluster_config.service_name', () => {
    const cache = newCache();
    cache.setSnapshot('g', [cluster('front', { serviceName: 'svc' }), assignment('svc')]);
    const before = get(cache, 'g', TypeUrl.ClusterLoadAssignment, 'svc');
    cache.setSnapshot('g', [cluster('front', { serviceName: 'svc', connectTimeout: '5s' }), assignment('svc')]);
    assert.notEqual(get(cache, 'g', TypeUrl.ClusterLoadAssignment, 'svc').version, before.version);
  });

  test('an EDS cluster without an assignment gets an empty one; other clusters do not', () => {
    const cache = newCache();
    cache.setSnapshot('g', [cluster('lonely'), cluster('named', { serviceName: 'svc-x' }), cluster('static', { static: true }), cluster('a'), assignment('a')]);
    const cla = cache.getSnapshot('g')!.resources.get(TypeUrl.ClusterLoadAssignment)!;
    assert.deepEqual([...cla.keys()].sort(), ['a', 'lonely', 'svc-x']);
    assert.deepEqual(cla.get('lonely')!.json, { cluster_name: 'lonely', endpoints: [] });
    assert.deepEqual(cla.get('svc-x')!.json, { cluster_name: 'svc-x', endpoints: [] });
    // The provided assignment is kept as given.
    assert.equal((cla.get('a')!.json['endpoints'] as unknown[]).length, 1);
  });
});

describe('snapshot cache: validation', () => {
  const rejectB: SnapshotValidator = (resources) =>
    resources
      .filter((r) => r.name === 'bad')
      .map((r) => ({ typeUrl: r.typeUrl, name: r.name, path: 'connect_timeout', rule: 'duration.gt', message: 'must be positive' }));

  test('an invalid snapshot is rejected with its issues and the previous one is kept', () => {
    const cache = newCache(rejectB);
    const heard: string[][] = [];
    cache.subscribe((g) => heard.push([...g]));
    const first = cache.setSnapshot('g', base()).snapshot;
    cache.flush();
    assert.throws(
      () => cache.setSnapshot('g', [...base(), cluster('bad')]),
      (err: unknown) => {
        assert.ok(err instanceof SnapshotRejectedError);
        assert.equal(err.issues.length, 1);
        assert.equal(err.issues[0]!.name, 'bad');
        assert.match(err.message, /bad connect_timeout: must be positive \(duration\.gt\)/);
        return true;
      },
    );
    assert.equal(cache.getSnapshot('g'), first);
    cache.flush();
    assert.deepEqual(heard, [['g']]);
  });

  test('skipValidation serves a resource the validator would refuse', () => {
    const cache = newCache(rejectB);
    cache.setSnapshot('g', [cluster('bad')], { skipValidation: true });
    assert.ok(get(cache, 'g', TypeUrl.Cluster, 'bad'));
  });

  test('a resource that cannot be encoded is rejected even without validation', () => {
    const cache = newCache();
    cache.setSnapshot('g', base());
    const before = cache.getSnapshot('g');
    const broken: EnvoyResource = { typeUrl: TypeUrl.Cluster, name: 'x', json: { name: 'x', no_such_field: 1 } };
    assert.throws(() => cache.setSnapshot('g', [...base(), broken], { skipValidation: true }), (err: unknown) => {
      assert.ok(err instanceof SnapshotRejectedError);
      assert.equal(err.issues[0]!.rule, 'codec');
      assert.equal(err.issues[0]!.name, 'x');
      return true;
    });
    assert.equal(cache.getSnapshot('g'), before);
  });

  test('duplicate names collapse to one resource (the last given)', () => {
    const cache = newCache();
    cache.setSnapshot('g', [cluster('a'), cluster('a', { connectTimeout: '9s' })], { skipValidation: true });
    const clusters = cache.getSnapshot('g')!.resources.get(TypeUrl.Cluster)!;
    assert.equal(clusters.size, 1);
    assert.equal(clusters.get('a')!.json['connect_timeout'], '9s');
  });
});

describe('snapshot cache: setSnapshots replaces every group at once', () => {
  test('given groups are set, absent groups deleted, unchanged groups left alone and not announced', () => {
    const cache = newCache();
    const heard: string[][] = [];
    cache.subscribe((g) => heard.push([...g].sort()));
    cache.setSnapshots(new Map([['keep', base()], ['change', base()], ['drop', base()]]));
    cache.flush();
    const kept = cache.getSnapshot('keep');
    const results = cache.setSnapshots(new Map([['keep', base()], ['change', [...base(), cluster('new')]], ['add', base()]]));
    cache.flush();
    assert.deepEqual(cache.groups(), ['add', 'change', 'keep']);
    assert.equal(cache.getSnapshot('keep'), kept);
    assert.deepEqual(results.map((r) => r.changed), [false, true, true]);
    assert.deepEqual(heard.at(-1), ['add', 'change', 'drop']);
    assert.ok(cache.getSnapshot('change')!.resources.get(TypeUrl.Cluster)!.has('new'));
  });

  test('one refused group refuses the whole batch, with every issue', () => {
    const refuse: SnapshotValidator = (resources) =>
      resources.filter((r) => r.name.startsWith('bad')).map((r) => ({ typeUrl: r.typeUrl, name: r.name, path: '', rule: 'test', message: 'refused' }));
    const cache = newCache(refuse);
    cache.setSnapshots(new Map([['a', base()], ['b', base()]]));
    const before = new Map(cache.groups().map((g) => [g, cache.getSnapshot(g)]));
    assert.throws(
      () => cache.setSnapshots(new Map([['a', [...base(), cluster('bad-1')]], ['b', base()], ['c', [cluster('bad-2')]]])),
      (err: unknown) => {
        assert.ok(err instanceof SnapshotRejectedError);
        assert.deepEqual(err.issues.map((i) => i.name), ['bad-1', 'bad-2']);
        return true;
      },
    );
    assert.deepEqual(cache.groups(), ['a', 'b']);
    for (const [g, snap] of before) assert.equal(cache.getSnapshot(g), snap);
  });

  test('encodings shared between groups survive when one of the groups goes away', () => {
    const cache = newCache();
    cache.setSnapshots(new Map([['x', base()], ['y', base()]]));
    const count = cache.encodedResourceCount;
    cache.setSnapshots(new Map([['y', base()]]));
    assert.equal(cache.encodedResourceCount, count);
    assert.equal(get(cache, 'y', TypeUrl.Listener, 'l').any.length > 0, true);
    cache.setSnapshots(new Map());
    assert.equal(cache.encodedResourceCount, 0);
  });
});

describe('snapshot cache: groups', () => {
  test('groups, getSnapshot and deleteSnapshot', () => {
    const cache = newCache();
    cache.setSnapshot('b', base());
    cache.setSnapshot('a', base());
    assert.deepEqual(cache.groups(), ['a', 'b']);
    assert.equal(cache.deleteSnapshot('a'), true);
    assert.equal(cache.deleteSnapshot('a'), false);
    assert.equal(cache.getSnapshot('a'), undefined);
    assert.deepEqual(cache.groups(), ['b']);
  });
});
