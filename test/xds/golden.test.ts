// IR → Envoy golden tests. Each folder under test/golden/xds/ is a case: ir.yaml holds one IR
// Proxy, envoy.yaml the resources src/xds builds for it, grouped like Envoy's config_dump. Every
// case must also pass the snapshot validator and survive the binary round trip unchanged (which
// proves the JSON is canonical: no defaults written, 64-bit numbers as strings, known fields only).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Proxy } from '../../src/ir/types';
import { formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { assertCanonical, envoySections, expectGolden, goldenCases, readGoldenInput } from '../golden-helper';

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

    assertCanonical(resources);

    assert.deepEqual(buildProxyResources(proxy), resources, 'building twice must give the same resources');
    expectGolden(`xds/${name}/envoy.yaml`, envoySections(resources));
  });
}
