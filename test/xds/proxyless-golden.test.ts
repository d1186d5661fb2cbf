// Golden tests for the proxyless gRPC view (src/xds/proxyless). Each folder under
// test/golden/proxyless/ is a case with either ir.yaml (one IR Proxy) or input.yaml (documents,
// translated as apply does; every proxy they produce is rendered). grpc.yaml holds the resources a
// gRPC client or xDS-enabled server of the group receives, grouped like Envoy's config_dump, and
// the notes on what gRPC could not be given. Every resource must pass meshgate's Envoy validation,
// survive the binary round trip unchanged, and be accepted by grpc-js-xds's own resource checks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { Proxy } from '../../src/ir/types';
import { formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxylessView } from '../../src/xds/proxyless';
import { translate } from '../../translators';
import { assertCanonical, envoySections, expectGolden, goldenCases, goldenPath, readGoldenInput } from '../golden-helper';
import { grpcRejections } from './proxyless-grpc-acceptance';

function proxiesOf(name: string): Proxy[] {
  if (fs.existsSync(goldenPath(`proxyless/${name}/ir.yaml`))) return [readGoldenInput(`proxyless/${name}/ir.yaml`) as Proxy];
  const text = fs.readFileSync(goldenPath(`proxyless/${name}/input.yaml`), 'utf8');
  const documents = yaml.loadAll(text).filter((d) => d !== null && d !== undefined) as InputDocument[];
  const result = translate(documents);
  assert.deepEqual(result.errors, [], 'the input documents translate without errors');
  return [...result.ir.proxies];
}

const cases = goldenCases('proxyless');

test('the proxyless golden suite has cases', () => {
  assert.ok(cases.length >= 8, `only ${cases.length} cases under test/golden/proxyless`);
});

for (const name of cases) {
  test(`proxyless golden: ${name}`, () => {
    const rendered: Record<string, unknown> = {};
    for (const proxy of proxiesOf(name)) {
      const view = buildProxylessView(proxy);
      const resources = view.resources;
      assert.ok(resources.length > 0, `${proxy.name}: the view is not empty`);
      assert.deepEqual(validateSnapshot(resources).map(formatIssue), [], `${proxy.name}: the proxyless view must validate`);
      assertCanonical(resources, `${proxy.name}: `);
      assert.deepEqual(grpcRejections(resources), [], `${proxy.name}: gRPC's xDS client must accept every resource`);
      assert.deepEqual(buildProxylessView(proxy), view, 'building twice must give the same view');
      rendered[proxy.name] = { ...envoySections(resources), notes: view.notes.map((n) => `${n.subject}: ${n.message}`) };
    }
    expectGolden(`proxyless/${name}/grpc.yaml`, rendered);
  });
}
