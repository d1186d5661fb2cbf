// Istio security policies on an ingress gateway: RequestAuthentication and AuthorizationPolicy
// whose selector matches the Gateway's spec.selector apply to the gateway's HTTP routes, as they
// do on Istio's ingress gateway deployment. Behaviour is asserted with explain on the compiled
// Envoy config of the gateway group (test/golden/istio/gateway-security holds the documents).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource } from '../../src/envoy/resource';
import { explainRequest, type ExplainRequest } from '../../src/explain';
import { compile } from '../../src/pipeline/compile';
import { goldenPath } from '../golden-helper';

const GATEWAY = 'istio-gateway/default/bookinfo-gateway';

function documents(): InputDocument[] {
  return yaml.loadAll(fs.readFileSync(goldenPath('istio/gateway-security/input.yaml'), 'utf8')).filter((d) => d != null) as InputDocument[];
}

function gatewayResources(docs: readonly InputDocument[]): readonly EnvoyResource[] {
  const outcome = compile(docs);
  assert.ok(outcome.ok, `compile refused: ${JSON.stringify(outcome.ok ? [] : outcome.errors)}`);
  const resources = outcome.config.groups.get(GATEWAY);
  assert.ok(resources, `no group ${GATEWAY}`);
  return resources;
}

const request = (path: string, sourceIp: string): ExplainRequest => ({ port: 8080, host: 'bookinfo.example.com', method: 'GET', path, sourceIp });

test('the ingress allow-list admits listed client addresses and routes them', () => {
  const resources = gatewayResources(documents());
  const result = explainRequest(resources, request('/productpage', '5.6.7.8'));
  assert.equal(result.decision, 'forward', result.steps.join('\n'));
  assert.deepEqual(result.upstream?.clusters.map((c) => c.name), ['outbound|9080||productpage.default.svc.cluster.local']);
});

test('a client address not on the allow-list gets 403 from the ALLOW policy', () => {
  const result = explainRequest(gatewayResources(documents()), request('/productpage', '9.9.9.9'));
  assert.equal(result.decision, 'denied');
  assert.equal(result.status, 403);
  const allow = result.filters.find((f) => f.name === 'envoy.filters.http.rbac/allow');
  assert.equal(allow?.outcome, 'deny', JSON.stringify(result.filters));
});

test('the DENY policy runs before ALLOW: /admin is refused even from a listed address', () => {
  const result = explainRequest(gatewayResources(documents()), request('/admin/users', '1.2.3.4'));
  assert.equal(result.decision, 'denied');
  const deny = result.filters.find((f) => f.name === 'envoy.filters.http.rbac/deny');
  assert.equal(deny?.outcome, 'deny', JSON.stringify(result.filters));
  assert.match(JSON.stringify(deny?.rbac), /ingress-no-admin/);
});

test('JWTs are validated on the gateway; a policy for another workload is not applied to it', () => {
  const resources = gatewayResources(documents());
  const filters = explainRequest(resources, request('/productpage', '1.2.3.4')).filters.map((f) => f.name);
  assert.deepEqual(filters.filter((n) => n !== 'envoy.filters.http.router'), ['envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac/deny', 'envoy.filters.http.rbac/allow']);
  assert.doesNotMatch(JSON.stringify(resources.map((r) => r.json)), /productpage-only/);
});

test('without policies selecting it, the gateway has no authorization filters', () => {
  const docs = documents().filter((d) => d.kind !== 'AuthorizationPolicy' && d.kind !== 'RequestAuthentication');
  const filters = explainRequest(gatewayResources(docs), request('/productpage', '9.9.9.9')).filters.map((f) => f.name);
  assert.deepEqual(filters, ['envoy.filters.http.router']);
});

test('a mesh-wide allow-nothing policy in the root namespace also closes the ingress gateway, as in Istio', () => {
  const docs = [
    ...documents().filter((d) => d.kind !== 'AuthorizationPolicy'),
    { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-nothing', namespace: 'istio-system' }, spec: {} } as InputDocument,
  ];
  const result = explainRequest(gatewayResources(docs), request('/productpage', '1.2.3.4'));
  assert.equal(result.decision, 'denied');
  assert.equal(result.status, 403);
});
