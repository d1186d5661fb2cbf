// meshgate.io/priority as Envoy sees it: the generated route order decides which route a request
// meets, and a higher priority beats the Gateway API precedence that would otherwise apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ask, EDGE_GATEWAY, servedResources } from './documents';

function routes(priorityOfPrefixRoute: string | undefined): string {
  const annotation = priorityOfPrefixRoute === undefined ? '' : `, annotations: {meshgate.io/priority: "${priorityOfPrefixRoute}"}`;
  return `${EDGE_GATEWAY}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: exact}
spec:
  parentRefs: [{name: edge}]
  hostnames: [shop.example.com]
  rules:
    - matches: [{path: {type: Exact, value: /api/users}}]
      backendRefs: [{name: app, port: 81}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wildcard-prefix${annotation}}
spec:
  parentRefs: [{name: edge}]
  hostnames: ["*.example.com"]
  rules:
    - matches: [{path: {type: PathPrefix, value: /api}}]
      backendRefs: [{name: app, port: 82}]
`;
}

test('without priorities, Gateway API precedence holds: the exact path on the exact hostname wins', () => {
  const r = ask(servedResources(routes(undefined)), { path: '/api/users' });
  assert.equal(r.decision, 'forward');
  assert.match(r.route?.name ?? '', /httproute\/default\/exact\//);
  assert.equal(r.upstream?.clusters[0]?.name, 'backend/default/app/81');
});

test('a higher meshgate.io/priority beats Gateway API precedence, even from a covering wildcard hostname', () => {
  const resources = servedResources(routes('5'));
  const r = ask(resources, { path: '/api/users' });
  assert.equal(r.decision, 'forward');
  assert.match(r.route?.name ?? '', /httproute\/default\/wildcard-prefix\//);
  assert.equal(r.route?.index, 0);
  assert.equal(r.upstream?.clusters[0]?.name, 'backend/default/app/82');
});

test('priority 0 written out is the same as no annotation', () => {
  const r = ask(servedResources(routes('0')), { path: '/api/users' });
  assert.match(r.route?.name ?? '', /httproute\/default\/exact\//);
});
