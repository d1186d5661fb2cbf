// A DestinationRule's tls fields meshgate does not honour are reported on the rule's status, at
// every policy level, never dropped silently: with ISTIO_MUTUAL the workload certificate and the
// mesh trust bundle decide, so every field that would choose other credentials or skip checks is
// named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { translate } from '../../translators';

const service: InputDocument = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'reviews', namespace: 'demo' },
  spec: { hosts: ['reviews'], location: 'MESH_INTERNAL', resolution: 'STATIC', ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }], endpoints: [{ address: '10.0.0.21', labels: { version: 'v1' } }] },
};

function warningsFor(tls: JsonObject, subsetTls?: JsonObject): readonly string[] {
  const rule: InputDocument = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: 'demo' },
    spec: { host: 'reviews', trafficPolicy: { tls }, subsets: [{ name: 'v1', labels: { version: 'v1' }, ...(subsetTls ? { trafficPolicy: { tls: subsetTls } } : {}) }] },
  };
  const result = translate([service, rule]);
  assert.deepEqual(result.errors, []);
  return result.statuses.find((s) => s.document.kind === 'DestinationRule')?.warnings ?? [];
}

test('ISTIO_MUTUAL: caCrl and insecureSkipVerify are reported as ignored, like the credential fields', () => {
  const warnings = warningsFor({ mode: 'ISTIO_MUTUAL', caCrl: '/etc/crl.pem', insecureSkipVerify: true, sni: 'reviews' });
  for (const field of ['caCrl', 'insecureSkipVerify', 'sni']) {
    assert.ok(warnings.includes(`spec.trafficPolicy.tls.${field} is ignored with mode ISTIO_MUTUAL`), `${field}: ${JSON.stringify(warnings)}`);
  }
});

test('a subset\'s ISTIO_MUTUAL policy is checked too, with its own path', () => {
  const warnings = warningsFor({ mode: 'DISABLE' }, { mode: 'ISTIO_MUTUAL', insecureSkipVerify: false });
  assert.ok(warnings.includes('spec.subsets[0].trafficPolicy.tls.insecureSkipVerify is ignored with mode ISTIO_MUTUAL'), JSON.stringify(warnings));
});

test('ISTIO_MUTUAL without extra fields reports nothing', () => {
  assert.deepEqual(warningsFor({ mode: 'ISTIO_MUTUAL' }), []);
});
