// IR → Envoy golden tests. Each folder under test/golden/xds/ is a case: ir.yaml holds one IR
// Proxy, envoy.yaml the resources src/xds builds for it, grouped like Envoy's config_dump. Every
// case must also pass the snapshot validator and survive the binary round trip unchanged (which
// proves the JSON is canonical: no defaults written, 64-bit numbers as strings, known fields only).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAny, encodeAny } from '../../src/envoy/codec';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { Proxy } from '../../src/ir/types';
import { formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { expectGolden, goldenCases, readGoldenInput } from '../golden-helper';

const GROUPS: readonly [string, string][] = [
  ['listeners', TypeUrl.Listener],
  ['routes', TypeUrl.RouteConfiguration],
  ['clusters', TypeUrl.Cluster],
  ['endpoints', TypeUrl.ClusterLoadAssignment],
  ['secrets', TypeUrl.Secret],
];

function grouped(resources: readonly EnvoyResource[]): Record<string, JsonObject[]> {
  const out: Record<string, JsonObject[]> = {};
  for (const [group, typeUrl] of GROUPS) {
    const members = resources.filter((r) => r.typeUrl === typeUrl).map((r) => r.json);
    if (members.length > 0) out[group] = members;
  }
  return out;
}

const cases = goldenCases('xds');

test('the xds golden suite has at least 40 cases', () => {
  assert.ok(cases.length >= 40, `only ${cases.length} cases under test/golden/xds`);
});

for (const name of cases) {
  test(`xds golden: ${name}`, () => {
    const proxy = readGoldenInput(`xds/${name}/ir.yaml`) as Proxy;
    const resources = buildProxyResources(proxy);

    const issues = validateSnapshot(resources);
    assert.deepEqual(issues.map(formatIssue), [], 'the generated snapshot must validate');

    for (const r of resources) {
      const { typeUrl, json } = decodeAny(encodeAny(r.typeUrl, r.json));
      assert.equal(typeUrl, r.typeUrl);
      assert.deepEqual(json, r.json, `${r.name} is not in canonical form: the binary round trip changed it`);
    }

    assert.deepEqual(buildProxyResources(proxy), resources, 'building twice must give the same resources');
    expectGolden(`xds/${name}/envoy.yaml`, grouped(resources));
  });
}
