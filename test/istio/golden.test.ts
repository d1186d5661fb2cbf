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
import type { JsonObject } from '../../src/envoy/resource';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERTIFICATE_SECRET } from '../../src/ir/mesh';
import { createSnapshotValidator, formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { translate } from '../../translators';
import { assertCanonical, envoySections, expectGolden, goldenCases, goldenPath } from '../golden-helper';

const validateMesh = createSnapshotValidator({ secrets: [WORKLOAD_CERTIFICATE_SECRET, TRUST_BUNDLE_SECRET] });

function loadCase(name: string): InputDocument[] {
  const input = fs.readFileSync(goldenPath(`istio/${name}/input.yaml`), 'utf8');
  return yaml.loadAll(input).filter((d) => d !== null && d !== undefined) as InputDocument[];
}

const cases = goldenCases('istio');

// Issue 4 asks for at least 60 Istio cases; Istio's documentation tasks (task-*) are counted apart.
test('the istio golden suite has at least 60 cases besides the documentation tasks', () => {
  const own = cases.filter((c) => !c.startsWith('task-'));
  assert.ok(own.length >= 60, `only ${own.length} cases (without task-*) under test/golden/istio`);
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
      assertCanonical(resources, `${proxy.name}: `);
      envoy[proxy.name] = envoySections(resources);
    }
    expectGolden(`istio/${name}/envoy.json`, envoy);
  });
}
