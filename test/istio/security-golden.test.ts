// Istio security golden tests. Each folder under test/golden/istio-security/ is a case:
// input.yaml holds Istio documents (ServiceEntry + WorkloadEntry registry and security.istio.io
// policies); ir.yaml the sidecars' inbound listeners after applyIstioSecurity (mtls,
// requestAuthentication, authorization), the clusters it added, and the errors and warnings it
// reported; envoy.json the inbound listeners and added clusters src/xds builds. Every snapshot
// must validate (mesh secrets "default"/"ROOTCA" come from the CA) and survive the binary round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAny, encodeAny } from '../../src/envoy/codec';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createSnapshotValidator, formatIssue } from '../../src/validate';
import { expectGolden, goldenCases, goldenPath } from '../golden-helper';
import { envoyResourcesOf, loadDocuments, secureDocuments } from './security-harness';

const SUITE = 'istio-security';
const cases = goldenCases(SUITE);
const validate = createSnapshotValidator({ secrets: ['default', 'ROOTCA'] });

/** Clusters applyIstioSecurity adds: JWKS fetchers and ext_authz services. */
const isSecurityCluster = (name: string): boolean => name.startsWith('jwks/') || name.startsWith('ext-authz/');

test('the istio-security golden suite has at least 18 cases', () => {
  assert.ok(cases.length >= 18, `only ${cases.length} cases under test/golden/${SUITE}`);
});

for (const name of cases) {
  test(`istio-security golden: ${name}`, () => {
    const secured = secureDocuments(loadDocuments(goldenPath(`${SUITE}/${name}/input.yaml`)));
    const sidecars = secured.proxies.filter((p) => p.mesh);
    expectGolden(`${SUITE}/${name}/ir.yaml`, {
      proxies: sidecars.map((p) => ({
        name: p.name,
        inbound: p.mesh!.inbound,
        ...(p.clusters.some((c) => isSecurityCluster(c.name)) ? { addedClusters: p.clusters.filter((c) => isSecurityCluster(c.name)) } : {}),
      })),
      ...(secured.errors.length > 0 ? { errors: secured.errors } : {}),
      ...(Object.keys(secured.warnings).length > 0 ? { warnings: secured.warnings } : {}),
    });

    const envoy: Record<string, { listeners: JsonObject[]; clusters?: JsonObject[] }> = {};
    for (const proxy of sidecars) {
      const resources = envoyResourcesOf(proxy);
      assert.deepEqual(validate(resources).map(formatIssue), [], `${proxy.name}: the generated snapshot must validate`);
      for (const r of resources) {
        const { json } = decodeAny(encodeAny(r.typeUrl, r.json));
        assert.deepEqual(json, r.json, `${r.name} is not in canonical form: the binary round trip changed it`);
      }
      const inboundPorts = new Set(proxy.mesh!.inbound.map((l) => l.port));
      const listeners = resources
        .filter((r) => r.typeUrl === TypeUrl.Listener)
        .map((r) => r.json)
        .filter((l) => {
          const port = ((l['address'] as JsonObject | undefined)?.['socket_address'] as JsonObject | undefined)?.['port_value'];
          // The inbound HCM routes with the "inbound|<port>" route table; outbound listeners never do.
          return typeof port === 'number' && inboundPorts.has(port) && JSON.stringify(l).includes('"inbound|');
        });
      const clusters = resources.filter((r) => r.typeUrl === TypeUrl.Cluster && isSecurityCluster(r.name)).map((r) => r.json);
      envoy[proxy.name] = { listeners, ...(clusters.length > 0 ? { clusters } : {}) };
    }
    expectGolden(`${SUITE}/${name}/envoy.json`, envoy);
  });
}
