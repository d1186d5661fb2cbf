// The stages after translation recognise unchanged parts by identity: a route table is encoded from
// its frozen virtual hosts' kept bytes (byte for byte what encodeAny gives), the validator replays
// what it found in a frozen virtual host at wherever the host now sits, and the snapshot cache
// keeps unchanged resources as the same objects while counting shared encodings correctly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache } from '../../src/cache';
import { encodeResourceAny, isComposedRouteTable } from '../../src/cache/route-table-encoding';
import { encodeAny } from '../../src/envoy/codec';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { Proxy } from '../../src/ir/types';
import { createSnapshotValidator, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { goldenCases, readGoldenInput } from '../golden-helper';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function withFrozenHosts(json: JsonObject): JsonObject {
  const hosts = json['virtual_hosts'];
  return Array.isArray(hosts) ? { ...json, virtual_hosts: hosts.map((h) => deepFreeze(structuredClone(h))) } : json;
}

const cluster = (name: string): EnvoyResource => ({
  typeUrl: TypeUrl.Cluster,
  name,
  json: { name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } }, connect_timeout: '5s' },
});

const host = (name: string, clusterName: string, prefix = '/'): JsonObject =>
  deepFreeze({ name, domains: [`${name}.example.com`], routes: [{ name: `${name}-r`, match: { prefix }, route: { cluster: clusterName } }] });

const table = (hosts: JsonObject[]): EnvoyResource => ({ typeUrl: TypeUrl.RouteConfiguration, name: 'http', json: { name: 'http', virtual_hosts: hosts } });

describe('route tables encoded from their virtual hosts', () => {
  it('give the bytes encodeAny gives, for every xds golden case', () => {
    let composed = 0;
    for (const name of goldenCases('xds')) {
      const resources = buildProxyResources(readGoldenInput(`xds/${name}/ir.yaml`) as Proxy);
      for (const r of resources.filter((x) => x.typeUrl === TypeUrl.RouteConfiguration)) {
        const json = withFrozenHosts(r.json);
        if (!isComposedRouteTable(r.typeUrl, json)) continue;
        composed++;
        assert.deepEqual(Buffer.from(encodeResourceAny(r.typeUrl, json)), Buffer.from(encodeAny(r.typeUrl, r.json)), `${name}: ${r.name}`);
      }
    }
    assert.ok(composed >= 20, `only ${composed} route tables were composed`);
  });

  it('leave tables with unfrozen hosts to encodeAny', () => {
    const json = { name: 'x', virtual_hosts: [{ name: 'a', domains: ['*'] }] };
    assert.equal(isComposedRouteTable(TypeUrl.RouteConfiguration, json), false);
    assert.deepEqual(encodeResourceAny(TypeUrl.RouteConfiguration, json), encodeAny(TypeUrl.RouteConfiguration, json));
  });
});

describe('validation of frozen virtual hosts', () => {
  it('reports a kept host’s issues at the index where it sits now', () => {
    const validate = createSnapshotValidator();
    const bad = deepFreeze({ name: 'bad', domains: [], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }] });
    const first = validate([cluster('c'), table([bad])]);
    const second = validate([cluster('c'), table([host('ok', 'c'), bad])]);
    const paths = (issues: readonly { path: string }[]): string[] => issues.map((i) => i.path).sort();
    assert.ok(first.length > 0);
    assert.ok(first.every((i) => i.path.startsWith('virtual_hosts[0]')), JSON.stringify(first));
    assert.deepEqual(paths(second), paths(first).map((p) => p.replace('virtual_hosts[0]', 'virtual_hosts[1]')));
  });

  it('still sees the clusters a kept host names', () => {
    const validate = createSnapshotValidator();
    const kept = host('a', 'missing');
    const once = validate([cluster('c'), table([kept])]);
    const again = validate([cluster('c'), table([host('b', 'c'), kept])]);
    assert.ok(once.some((i) => i.message.includes('missing')), JSON.stringify(once));
    assert.ok(again.some((i) => i.message.includes('missing') && i.path.startsWith('virtual_hosts[1]')), JSON.stringify(again));
    assert.deepEqual(validate([cluster('c'), cluster('missing'), table([kept])]), []);
  });
});

describe('the snapshot cache after a one-host change', () => {
  it('keeps every other resource as the same object and counts encodings right', () => {
    const cache = new SnapshotCache({ validator: validateSnapshot });
    const clusters = Array.from({ length: 20 }, (_, i) => cluster(`c${i}`));
    const hosts = clusters.map((c, i) => host(`h${i}`, c.name));
    cache.setSnapshot('g', [...clusters, table(hosts)]);
    const before = cache.getSnapshot('g')!;
    const count = cache.encodedResourceCount;
    // Equal clusters as new objects (as a rebuild makes them), one host changed.
    const rebuilt = clusters.map((c) => ({ ...c, json: structuredClone(c.json) }));
    const changed = hosts.map((h, i) => (i === 5 ? host('h5', 'c5', '/v2') : h));
    cache.setSnapshot('g', [...rebuilt, table(changed)]);
    const after = cache.getSnapshot('g')!;
    for (const c of clusters) assert.equal(after.resources.get(TypeUrl.Cluster)!.get(c.name), before.resources.get(TypeUrl.Cluster)!.get(c.name));
    assert.notEqual(after.resources.get(TypeUrl.RouteConfiguration)!.get('http'), before.resources.get(TypeUrl.RouteConfiguration)!.get('http'));
    assert.equal(after.typeVersions.get(TypeUrl.Cluster), before.typeVersions.get(TypeUrl.Cluster));
    assert.equal(cache.encodedResourceCount, count);
    // Back to nothing: every encoding is let go.
    cache.setSnapshots(new Map());
    assert.equal(cache.encodedResourceCount, 0);
    cache.close();
  });
});
