// Istio golden tests: each test/golden/istio/<case>/input.yaml (Istio documents, with ServiceEntry
// and WorkloadEntry as the registry) is translated; ir.yaml holds the IR with the statuses and
// errors, envoy.json the Envoy resources of every proxy group. Every group must pass Envoy's
// validation (mesh groups may name the CA's "default" and "ROOTCA" secrets) and the binary round
// trip, and translation must not depend on document order.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import { decodeAny, encodeAny } from '../../src/envoy/codec';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERTIFICATE_SECRET } from '../../src/ir/mesh';
import { createSnapshotValidator, formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { translate } from '../../translators';
import { expectGolden, goldenCases, goldenPath } from '../golden-helper';

const validateMesh = createSnapshotValidator({ secrets: [WORKLOAD_CERTIFICATE_SECRET, TRUST_BUNDLE_SECRET] });

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

/** Private keys are never written to golden files. */
function redactSecrets(resources: Record<string, JsonObject[]>): Record<string, JsonObject[]> {
  return JSON.parse(JSON.stringify(resources, (key, value: unknown) => (key === 'private_key' ? '<redacted>' : value))) as Record<string, JsonObject[]>;
}

function loadCase(name: string): InputDocument[] {
  const input = fs.readFileSync(goldenPath(`istio/${name}/input.yaml`), 'utf8');
  return yaml.loadAll(input).filter((d) => d !== null && d !== undefined) as InputDocument[];
}

const cases = goldenCases('istio');

test('the istio golden suite has at least 45 cases', () => {
  assert.ok(cases.length >= 45, `only ${cases.length} cases under test/golden/istio`);
});

for (const name of cases) {
  test(`istio golden: ${name}`, () => {
    const documents = loadCase(name);
    const result = translate(documents);
    const reversed = translate([...documents].reverse());
    assert.deepEqual(reversed.ir, result.ir, 'IR depends on document order');
    assert.deepEqual(reversed.statuses, result.statuses, 'statuses depend on document order');
    expectGolden(`istio/${name}/ir.yaml`, { ir: result.ir, statuses: result.statuses, errors: result.errors });

    const envoy: Record<string, Record<string, JsonObject[]>> = {};
    for (const proxy of result.ir.proxies) {
      const resources = buildProxyResources(proxy);
      const validate = proxy.mesh ? validateMesh : validateSnapshot;
      assert.deepEqual(validate(resources).map(formatIssue), [], `${proxy.name}: the generated snapshot must validate`);
      for (const r of resources) {
        const back = decodeAny(encodeAny(r.typeUrl, r.json));
        assert.deepEqual(back.json, r.json, `${proxy.name}: ${r.name} is not in canonical form`);
      }
      envoy[proxy.name] = redactSecrets(grouped(resources));
    }
    expectGolden(`istio/${name}/envoy.json`, envoy);
  });
}
