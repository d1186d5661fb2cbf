// HTTPRouteFilter as Envoy applies it, walked with explain over the configuration built from the
// documents: regex path rewrites, direct responses, header copies (absent → nothing), renames,
// add-if-absent, response headers, and literal "%" in Gateway API header values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ask, EDGE_GATEWAY, servedResources } from './documents';

const DOCS = `${EDGE_GATEWAY}
---
apiVersion: meshgate.io/v1alpha1
kind: HTTPRouteFilter
metadata: {name: strip-api}
spec:
  urlRewrite:
    path: {type: ReplaceRegexMatch, replaceRegexMatch: {pattern: "^/api/?", substitution: "/v1/"}}
    hostname: upstream.internal
---
apiVersion: meshgate.io/v1alpha1
kind: HTTPRouteFilter
metadata: {name: transform}
spec:
  requestHeaders:
    set: [{name: kong-request-id, fromHeader: x-request-id}]
    addIfAbsent: [{name: x-source, value: edge}]
    rename: [{from: x-old, to: x-new}]
    remove: [x-internal]
  responseHeaders:
    set: [{name: x-echo-id, fromRequestHeader: x-request-id}]
---
apiVersion: meshgate.io/v1alpha1
kind: HTTPRouteFilter
metadata: {name: https-only}
spec:
  directResponse: {statusCode: 426, body: "Please use HTTPS protocol", contentType: text/plain; charset=utf-8}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: edge}]
  hostnames: [shop.example.com]
  rules:
    - matches: [{path: {type: PathPrefix, value: /api}}]
      filters:
        - {type: ExtensionRef, extensionRef: {group: meshgate.io, kind: HTTPRouteFilter, name: strip-api}}
        - {type: ExtensionRef, extensionRef: {group: meshgate.io, kind: HTTPRouteFilter, name: transform}}
        - type: RequestHeaderModifier
          requestHeaderModifier: {set: [{name: x-discount, value: "100%"}, {name: x-literal, value: "%REQ(x-secret)%"}]}
      backendRefs: [{name: app, port: 80}]
    - matches: [{path: {type: PathPrefix, value: /insecure}}]
      filters:
        - {type: ExtensionRef, extensionRef: {group: meshgate.io, kind: HTTPRouteFilter, name: https-only}}
`;

const resources = servedResources(DOCS);

test('regex rewrite: the upstream sees the substituted path (query kept) and the rewritten host', () => {
  const r = ask(resources, { path: '/api/users?id=7' });
  assert.equal(r.decision, 'forward', r.steps.join('\n'));
  assert.equal(r.upstream?.rewrittenPath, '/v1/users?id=7');
  assert.equal(r.upstream?.rewrittenHost, 'upstream.internal');
});

test('direct response: 426 with its body and content type, without any upstream', () => {
  const r = ask(resources, { path: '/insecure/login' });
  assert.equal(r.decision, 'direct_response');
  assert.equal(r.status, 426);
  assert.deepEqual(r.directResponse, { status: 426, body: 'Please use HTTPS protocol', contentType: 'text/plain; charset=utf-8' });
  assert.equal(r.upstream, undefined);
});

test('rename: the value moves to the new name and the old header is gone', () => {
  const r = ask(resources, { path: '/api/x', headers: { 'x-old': 'tenant-7' } });
  assert.equal(r.upstream?.requestHeaders['x-new'], 'tenant-7');
  assert.equal(r.upstream?.requestHeaders['x-old'], undefined);
});

test('rename of an absent header adds nothing (no empty header)', () => {
  const r = ask(resources, { path: '/api/x' });
  assert.equal(r.upstream?.requestHeaders['x-new'], undefined);
  assert.ok(!Object.prototype.hasOwnProperty.call(r.upstream?.requestHeaders ?? {}, 'x-new'));
});

test('copied values: present header copied, absent header produces no header; addIfAbsent keeps a client value', () => {
  const withId = ask(resources, { path: '/api/x', headers: { 'x-request-id': 'abc-123', 'x-source': 'client', 'x-internal': 'secret' } });
  assert.equal(withId.upstream?.requestHeaders['kong-request-id'], 'abc-123');
  assert.equal(withId.upstream?.requestHeaders['x-source'], 'client');
  assert.equal(withId.upstream?.requestHeaders['x-internal'], undefined);
  assert.deepEqual(withId.responseHeadersAdded?.find((h) => h.name === 'x-echo-id'), { name: 'x-echo-id', value: 'abc-123', action: 'OVERWRITE_IF_EXISTS_OR_ADD', level: 'route', applied: true });
  const without = ask(resources, { path: '/api/x' });
  assert.ok(!Object.prototype.hasOwnProperty.call(without.upstream?.requestHeaders ?? {}, 'kong-request-id'));
  assert.equal(without.upstream?.requestHeaders['x-source'], 'edge');
  assert.equal(without.responseHeadersAdded?.find((h) => h.name === 'x-echo-id')?.applied, false);
});

test('Gateway API header values are literal: "%" and "%REQ(...)%" reach the upstream as written', () => {
  const r = ask(resources, { path: '/api/x', headers: { 'x-secret': 'should-not-leak' } });
  assert.equal(r.upstream?.requestHeaders['x-discount'], '100%');
  assert.equal(r.upstream?.requestHeaders['x-literal'], '%REQ(x-secret)%');
});
