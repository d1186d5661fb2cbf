// Kong golden tests: each test/golden/kong/<case>/input.yaml (a decK file, or a KongConfiguration
// envelope) is converted (converted.yaml: the documents `meshgate convert` prints, with the
// conversion's warnings and errors), translated (ir.yaml: IR, statuses, errors in Kong terms) and
// built into Envoy resources (envoy.json, every group passing Envoy's validation). Each case also
// checks the round trip: the converted YAML, parsed and translated as Gateway API documents, gives
// the very same Envoy resources.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { parseDocuments } from '../../src/documents/parse';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { renderDocuments } from '../../src/cli/convert';
import { translate } from '../../translators';
import { convertKong, isKongConfiguration } from '../../translators/kong';
import { compareWithFile, envoySections, expectGolden, goldenCases, goldenPath, updatingGolden } from '../golden-helper';

export function loadKongCase(name: string): InputDocument[] {
  const parsed = parseDocuments(fs.readFileSync(goldenPath(`kong/${name}/input.yaml`), 'utf8'));
  assert.deepEqual(parsed.errors, [], `${name}/input.yaml parses`);
  return parsed.documents;
}

/** Envoy resources per proxy group, each group validated. */
function envoyOf(documents: readonly InputDocument[]): Record<string, Record<string, JsonObject[]>> {
  const out: Record<string, Record<string, JsonObject[]>> = {};
  for (const proxy of translate(documents).ir.proxies) {
    const resources = buildProxyResources(proxy);
    assert.deepEqual(validateSnapshot(resources).map(formatIssue), [], `${proxy.name}: the generated snapshot must validate`);
    out[proxy.name] = envoySections(resources);
  }
  return out;
}

const cases = goldenCases('kong');

test('the Kong golden suite has at least 40 cases', () => {
  assert.ok(cases.length >= 40, `only ${cases.length} cases under test/golden/kong`);
});

for (const name of cases) {
  test(`kong golden: ${name}`, () => {
    const documents = loadKongCase(name);
    const kong = documents.filter(isKongConfiguration);
    assert.ok(kong.length > 0, 'the case holds a Kong file');
    const conversions = kong.map((d) => convertKong(d));
    const problems = conversions.map((c) => ({ errors: c.problems.errors, warnings: c.problems.warnings }));
    const converted = conversions.flatMap((c) => c.documents);
    compareWithFile(goldenPath(`kong/${name}/converted.yaml`), `# problems: ${JSON.stringify(problems)}\n${renderDocuments(converted)}`, updatingGolden(), `test/golden/kong/${name}/converted.yaml`);

    const result = translate(documents);
    expectGolden(`kong/${name}/ir.yaml`, { ir: result.ir, statuses: result.statuses, errors: result.errors });
    for (const e of result.errors.filter((x) => x.document?.kind === 'KongConfiguration')) assert.notEqual(e.path, undefined);
    const envoy = result.errors.length > 0 ? {} : envoyOf(documents);
    expectGolden(`kong/${name}/envoy.json`, envoy);

    if (result.errors.length === 0) {
      // The round trip: the printed conversion, read back as documents, serves the same resources.
      const reread = parseDocuments(renderDocuments(converted));
      assert.deepEqual(reread.errors, []);
      const others = documents.filter((d) => !isKongConfiguration(d));
      assert.deepEqual(envoyOf([...others, ...reread.documents]), envoy, 'converted documents serve the same Envoy resources');
    }
  });
}
