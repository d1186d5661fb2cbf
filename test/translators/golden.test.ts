// Golden tests for the translators: each test/golden/translators/<case>/input.yaml (several YAML
// documents) is translated; the IR must equal ir.yaml and the statuses and errors status.yaml.
// Besides the golden comparison, every case is checked for invariants the rest of the pipeline
// relies on (names unique, every referenced cluster and secret present, no clear passwords).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { expectGolden, goldenCases, goldenPath } from '../golden-helper';
import { translate } from '../../translators';
import type { InputDocument } from '../../src/documents/types';
import type { IR } from '../../src/ir/types';

function checkInvariants(ir: IR, input: string): void {
  const proxyNames = new Set<string>();
  for (const proxy of ir.proxies) {
    assert.ok(!proxyNames.has(proxy.name), `proxy ${proxy.name} twice`);
    proxyNames.add(proxy.name);
    const clusters = new Set(proxy.clusters.map((c) => c.name));
    assert.equal(clusters.size, proxy.clusters.length, `${proxy.name}: cluster names are unique`);
    const secrets = new Set(proxy.secrets.map((s) => s.name));
    const routeNames = new Set<string>();
    const listenerNames = new Set<string>();
    for (const l of proxy.listeners) {
      assert.ok(!listenerNames.has(l.name), `${proxy.name}: listener ${l.name} twice`);
      listenerNames.add(l.name);
      for (const s of l.tls?.certificateSecrets ?? []) assert.ok(secrets.has(s), `${proxy.name}: listener ${l.name} names missing secret ${s}`);
      for (const vh of l.virtualHosts) {
        for (const r of vh.routes) {
          assert.ok(!routeNames.has(r.name), `${proxy.name}: route name ${r.name} twice`);
          routeNames.add(r.name);
          const named: string[] = [];
          if (r.action.type === 'forward') {
            named.push(...r.action.backends.map((b) => b.cluster), ...(r.action.mirrors ?? []).map((m) => m.cluster));
          }
          if (r.policy?.extAuthz) named.push(r.policy.extAuthz.cluster);
          for (const p of r.policy?.jwt?.providers ?? []) if (p.jwks.type === 'remote') named.push(p.jwks.cluster);
          for (const c of named) assert.ok(clusters.has(c), `${proxy.name}: route ${r.name} names missing cluster ${c}`);
        }
      }
    }
    if (proxy.globalRateLimit) assert.ok(clusters.has(proxy.globalRateLimit.cluster), `${proxy.name}: rate limit cluster missing`);
  }
  // Basic-auth passwords given in clear must not appear anywhere in the IR.
  const rendered = JSON.stringify(ir);
  for (const m of input.matchAll(/^\s*password:\s*(\S+)\s*$/gm)) assert.ok(!rendered.includes(m[1]!), `clear password ${m[1]} leaked into the IR`);
}

const cases = goldenCases('translators');

test('the translator golden suite has cases', () => {
  assert.ok(cases.length >= 40, `expected at least 40 golden cases, found ${cases.length}`);
});

for (const name of cases) {
  test(`translators golden: ${name}`, () => {
    const input = fs.readFileSync(goldenPath(`translators/${name}/input.yaml`), 'utf8');
    const documents = yaml.loadAll(input).filter((d) => d !== null && d !== undefined) as InputDocument[];
    const result = translate(documents);
    checkInvariants(result.ir, input);
    // Translation is order-independent: reversing the documents gives the same IR and statuses.
    const reversed = translate([...documents].reverse());
    assert.deepEqual(reversed.ir, result.ir, 'IR depends on document order');
    assert.deepEqual(reversed.statuses, result.statuses, 'statuses depend on document order');
    expectGolden(`translators/${name}/ir.yaml`, result.ir);
    expectGolden(`translators/${name}/status.yaml`, { statuses: result.statuses, errors: result.errors });
  });
}
