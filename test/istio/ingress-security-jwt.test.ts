// Istio security on ingress gateways (test/golden/istio/gateway-security-jwt: policies in
// istio-system selecting istio: ingressgateway), observed through explain on the gateway's Envoy config:
// AuthorizationPolicies selecting the gateway's workload (istio: ingressgateway) deny and allow
// requests on its servers; policies selecting nothing are reported; the proxyless view says the
// gateway's authorization is not enforced on gRPC clients.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import { explainRequest } from '../../src/explain';
import { compile } from '../../src/pipeline/compile';
import type { Proxy } from '../../src/ir/types';
import { buildProxyResources } from '../../src/xds';
import { translate } from '../../translators';
import { goldenPath } from '../golden-helper';

const GATEWAY = 'istio-gateway/istio-system/ingress';

function docs(): InputDocument[] {
  return yaml.loadAll(fs.readFileSync(goldenPath('istio/gateway-security-jwt/input.yaml'), 'utf8')).filter((d) => d !== null && d !== undefined) as InputDocument[];
}

function gateway(input: readonly InputDocument[]): Proxy {
  const result = translate(input);
  assert.deepEqual(result.errors, []);
  const proxy = result.ir.proxies.find((p) => p.name === GATEWAY);
  assert.ok(proxy);
  return proxy;
}

test('a DENY policy selecting the ingress gateway answers 403 on its servers', () => {
  const resources = buildProxyResources(gateway(docs()));
  const r = explainRequest(resources, { port: 8080, host: 'reviews.example.com', method: 'GET', path: '/admin/users', sourceIp: '10.1.2.3' });
  assert.equal(r.decision, 'denied');
  assert.equal(r.status, 403);
});

test('the ALLOW policy lets the allowed source through and denies others', () => {
  const resources = buildProxyResources(gateway(docs()));
  const allowed = explainRequest(resources, { port: 8080, host: 'reviews.example.com', method: 'GET', path: '/reviews', sourceIp: '10.1.2.3' });
  assert.equal(allowed.decision, 'forward');
  assert.deepEqual(allowed.upstream?.clusters.map((c) => c.name), ['outbound|9080||reviews.default.svc.cluster.local']);
  // From elsewhere only the JWT rule could allow it. Without a token jwt_authn writes no payload,
  // so the request principal rule does not match: 403. With a token explain cannot check the claims.
  const other = explainRequest(resources, { port: 8080, host: 'reviews.example.com', method: 'GET', path: '/reviews', sourceIp: '192.0.2.7' });
  assert.equal(other.decision, 'denied');
  assert.equal(other.status, 403);
  const withToken = explainRequest(resources, { port: 8080, host: 'reviews.example.com', method: 'GET', path: '/reviews', sourceIp: '192.0.2.7', headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln' } });
  const allow = withToken.filters.find((f) => f.name === 'envoy.filters.http.rbac/allow');
  assert.deepEqual(allow?.rbac?.policies.map((p) => [p.name, p.matched]), [
    ['istio-system/require-jwt[rules[0]]', 'unknown'],
    ['istio-system/require-jwt[rules[1]]', false],
  ]);
});

test('an ALLOW policy on the gateway denies what it does not allow', () => {
  const ipOnly = docs().map((d) => (d.metadata.name === 'require-jwt' ? { ...d, spec: { ...d.spec, rules: [{ from: [{ source: { ipBlocks: ['10.1.0.0/16'] } }] }] } } : d));
  const r = explainRequest(buildProxyResources(gateway(ipOnly)), { port: 8080, host: 'reviews.example.com', method: 'GET', path: '/reviews', sourceIp: '192.0.2.7' });
  assert.equal(r.decision, 'denied');
  assert.equal(r.status, 403);
});

test('without the gateway-selecting policies the same request is forwarded', () => {
  const only = docs().filter((d) => d.kind !== 'AuthorizationPolicy' && d.kind !== 'RequestAuthentication');
  const r = explainRequest(buildProxyResources(gateway(only)), { port: 8080, host: 'reviews.example.com', method: 'GET', path: '/admin/users', sourceIp: '192.0.2.7' });
  assert.equal(r.decision, 'forward');
});

test('a policy selecting another workload is reported; PeerAuthentication does not apply to the gateway', () => {
  const pa: InputDocument = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'gw-strict', namespace: 'istio-system' }, spec: { selector: { matchLabels: { istio: 'ingressgateway' } }, mtls: { mode: 'STRICT' } } };
  const result = translate([...docs(), pa]);
  const warnings = (name: string): readonly string[] => result.statuses.find((s) => s.document.name === name)?.warnings ?? [];
  assert.ok(warnings('egress-only').some((w) => w.includes('applies to no workload')), JSON.stringify(warnings('egress-only')));
  assert.deepEqual(warnings('deny-admin'), []);
  assert.ok(warnings('gw-strict').some((w) => w.includes('PeerAuthentication does not apply to ingress gateways')));
});

test('the proxyless view notes that the gateway authorization is not enforced on gRPC clients', () => {
  const outcome = compile(docs());
  assert.ok(outcome.ok);
  const status = outcome.config.statuses.find((s) => s.document.name === 'deny-admin');
  assert.ok(status?.warnings?.some((w) => w.includes('enforced by the Envoy gateway only')), JSON.stringify(status));
});
