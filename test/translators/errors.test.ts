// Documents that are invalid on their own, and dangling references in meshgate's kinds, become
// DocumentErrors naming the document, the field path and the reason; invalid documents are left
// out of the translation while everything else is still translated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { translate, validateDocuments } from '../../translators';
import type { DocumentError, InputDocument } from '../../src/documents/types';

function docs(text: string): InputDocument[] {
  return yaml.loadAll(text) as InputDocument[];
}

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: meshgate
  listeners: [{name: http, port: 8080, protocol: HTTP}]
`;

function only(errors: readonly DocumentError[], path: string): DocumentError {
  const found = errors.filter((e) => e.path === path);
  assert.equal(found.length, 1, `expected one error at ${path}, got ${JSON.stringify(errors, null, 2)}`);
  return found[0]!;
}

test('a document that is not an object is reported by position', () => {
  const errors = validateDocuments(['just a string', [1, 2]]);
  assert.equal(errors.length, 2);
  assert.deepEqual(errors.map((e) => e.index), [0, 1]);
  assert.match(errors[0]!.reason, /must be an object with apiVersion, kind, metadata and spec/);
  assert.equal(errors[0]!.document, undefined);
});

test('an unknown kind names the kinds meshgate accepts', () => {
  const [e] = validateDocuments(docs('apiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w}\nspec: {}'));
  assert.equal(e!.path, 'kind');
  assert.deepEqual(e!.document, { kind: 'Widget', namespace: 'default', name: 'w' });
  assert.match(e!.reason, /unknown kind "Widget" \(meshgate accepts: .*HTTPRoute/);
});

test('a kind under the wrong apiVersion says which versions work', () => {
  const [e] = validateDocuments(docs('apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {gatewayClassName: x, listeners: [{name: a, port: 1, protocol: HTTP}]}'));
  assert.equal(e!.path, 'apiVersion');
  assert.match(e!.reason, /not supported for kind Gateway \(use gateway\.networking\.k8s\.io\/v1 or gateway\.networking\.k8s\.io\/v1beta1\)/);
});

test('an unknown field is reported at its full path with the known fields', () => {
  const errors = validateDocuments(
    docs(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  rules:
    - matches: [{pathh: {value: /}}]
`),
  );
  const e = only(errors, 'spec.rules[0].matches[0].pathh');
  assert.deepEqual(e.document, { kind: 'HTTPRoute', namespace: 'shop', name: 'web' });
  assert.match(e.reason, /unknown field "pathh" \(known fields: path, headers, queryParams, method\)/);
});

test('wrong types, missing required fields and bad enum values are schema errors', () => {
  const errors = validateDocuments(
    docs(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  listeners:
    - {name: http, port: eighty, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
    - filters: [{type: Bogus}]
      matches: [{method: FETCH}]
`),
  );
  assert.match(only(errors, 'spec.gatewayClassName').reason, /required field is missing/);
  assert.match(only(errors, 'spec.listeners[0].port').reason, /expected an integer, got the string "eighty"/);
  assert.match(only(errors, 'spec.rules[0].filters[0].type').reason, /must be one of "RequestHeaderModifier"/);
  assert.match(only(errors, 'spec.rules[0].matches[0].method').reason, /must be one of "GET"/);
});

test('metadata must be valid and kubectl output (status, managedFields) is accepted', () => {
  const errors = validateDocuments(
    docs(`
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: Bad_Name}
spec: {endpoints: [{address: 10.0.0.1, port: 80}]}
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata:
  name: fine
  namespace: apps
  uid: 1234
  resourceVersion: "77"
  creationTimestamp: "2024-01-01T00:00:00Z"
  managedFields: [{manager: kubectl}]
spec: {endpoints: [{address: 10.0.0.1, port: 80}]}
status: {anything: goes}
`),
  );
  assert.match(only(errors, 'metadata.name').reason, /is not a lower-case DNS subdomain name/);
  assert.match(only(errors, 'metadata.uid').reason, /expected a string/);
  assert.equal(errors.length, 2);
});

test('cross-field rules of the Gateway API CRDs (CEL) are schema errors', () => {
  const errors = validateDocuments(
    docs(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: meshgate
  listeners:
    - {name: https, port: 443, protocol: HTTPS}
    - {name: https, port: 444, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
    - matches: [{path: {type: Exact, value: /a}}]
      filters:
        - type: URLRewrite
          urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}
    - matches: [{path: {type: RegularExpression, value: "(?<=a)b"}}]
      filters:
        - type: RequestRedirect
          requestRedirect: {scheme: https}
      backendRefs: [{name: app, port: 80}]
    - matches: [{path: {type: PathPrefix, value: "/a//b"}}]
      timeouts: {request: 1s, backendRequest: 2s}
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: {set: [{name: X-A, value: "1"}], remove: [x-a]}
    - backendRefs: [{name: svc}]
`),
  );
  assert.match(only(errors, 'spec.listeners[0].tls').reason, /required for protocol HTTPS/);
  assert.match(only(errors, 'spec.listeners[1]').reason, /duplicate listener name "https"/);
  assert.match(only(errors, 'spec.rules[0].matches').reason, /ReplacePrefixMatch path modifier needs exactly one match with a PathPrefix path/);
  assert.match(only(errors, 'spec.rules[1].matches[0].path.value').reason, /not a valid RE2 regular expression/);
  assert.match(only(errors, 'spec.rules[1].filters').reason, /RequestRedirect filter cannot be used together with backendRefs/);
  assert.match(only(errors, 'spec.rules[2].matches[0].path.value').reason, /must not contain "\/\/"/);
  assert.match(only(errors, 'spec.rules[2].timeouts.backendRequest').reason, /cannot be longer than the request timeout/);
  assert.match(only(errors, 'spec.rules[2].filters[0].requestHeaderModifier.remove[0]').reason, /already changed by set/);
  assert.match(only(errors, 'spec.rules[3].backendRefs[0].port').reason, /required for a reference to a Service/);
});

test('meshgate kinds validate their values: durations, CIDRs, one-of fields, TLS verification', () => {
  const errors = validateDocuments(
    docs(`
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: both}
spec:
  endpoints: [{address: not-an-ip, port: 80}]
  dns: {hostname: x.example.com, port: 80}
  tls: {sni: x.example.com}
---
apiVersion: meshgate.io/v1alpha1
kind: SecurityPolicy
metadata: {name: p}
spec:
  targetRefs: [{kind: Gateway, name: edge}]
  ipAccess: {allow: [10.0.0.0/33]}
  extAuth: {protocol: grpc, backendRef: {name: a, port: 1}, timeout: 5 seconds}
---
apiVersion: meshgate.io/v1alpha1
kind: BackendPolicy
metadata: {name: bp}
spec:
  targetRefs: [{kind: HTTPRoute, name: r}]
  loadBalancer: {type: RoundRobin, hashOn: [{header: x-user}]}
---
apiVersion: meshgate.io/v1alpha1
kind: TrafficPolicy
metadata: {name: empty}
spec:
  targetRefs: [{kind: Gateway, name: edge}]
`),
  );
  assert.match(only(errors.filter((e) => e.document?.name === 'both'), 'spec').reason, /exactly one of endpoints, dns must be set \(endpoints and dns are\)/);
  assert.match(only(errors, 'spec.endpoints[0].address').reason, /"not-an-ip" is not an IPv4 or IPv6 address/);
  assert.match(only(errors, 'spec.tls.caCertificate').reason, /required to verify the upstream; set insecureSkipVerify: true/);
  assert.match(only(errors, 'spec.ipAccess.allow[0]').reason, /not an IP address or CIDR block/);
  assert.match(only(errors, 'spec.extAuth.timeout').reason, /is not a duration such as "500ms"/);
  assert.match(only(errors, 'spec.targetRefs[0].kind').reason, /must be one of "Backend", "Service"/);
  assert.match(only(errors, 'spec.loadBalancer.hashOn').reason, /only used with type RingHash or Maglev/);
  const empty = errors.find((e) => e.document?.name === 'empty');
  assert.match(empty!.reason, /a TrafficPolicy needs at least one of/);
});

test('a document defined twice is an error on the second one', () => {
  const errors = validateDocuments(docs(`${GATEWAY}---${GATEWAY}`));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.index, 1);
  assert.match(errors[0]!.reason, /Gateway default\/edge is defined twice \(also document 0\)/);
});

test('an invalid document is left out of the translation and the rest is served', () => {
  const result = translate(
    docs(`${GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{name: app, port: 80, weight: -1}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: good}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{group: meshgate.io, kind: Backend, name: app}]}]
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: app}
spec: {endpoints: [{address: 10.0.0.1, port: 80}]}
`),
  );
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.path, 'spec.rules[0].backendRefs[0].weight');
  assert.equal(result.errors[0]!.index, 1);
  const routes = result.ir.proxies[0]!.listeners[0]!.virtualHosts.flatMap((v) => v.routes);
  assert.deepEqual([...new Set(routes.map((r) => r.source.name))], ['good']);
  assert.ok(!result.statuses.some((s) => s.document.name === 'broken'), 'no status for a document that was not translated');
});

test('dangling references in meshgate kinds are errors on the referring document', () => {
  const result = translate(
    docs(`${GATEWAY}---
apiVersion: meshgate.io/v1alpha1
kind: Consumer
metadata: {name: alice}
spec:
  credentials:
    apiKeys: [{secretRef: {name: alice-keys}}]
---
apiVersion: meshgate.io/v1alpha1
kind: Consumer
metadata: {name: bob}
spec:
  credentials:
    apiKeys: [{key: shared-key-123}]
---
apiVersion: meshgate.io/v1alpha1
kind: Consumer
metadata: {name: eve}
spec:
  credentials:
    apiKeys: [{key: shared-key-123}]
---
apiVersion: meshgate.io/v1alpha1
kind: SecurityPolicy
metadata: {name: keys}
spec:
  targetRefs: [{kind: Gateway, name: edge}]
  apiKeyAuth:
    sources: [{header: x-api-key}]
    consumers: {names: [bob, eve, mallory]}
  extAuth: {protocol: http, backendRef: {name: authz, port: 8080}}
  authorization: {allowConsumers: [trent]}
`),
  );
  const byPath = (p: string): DocumentError => only(result.errors, p);
  const secret = byPath('spec.credentials.apiKeys[0].secretRef');
  assert.deepEqual(secret.document, { kind: 'Consumer', namespace: 'default', name: 'alice' });
  assert.match(secret.reason, /Secret default\/alice-keys does not exist/);
  assert.match(byPath('spec.apiKeyAuth.consumers.names[2]').reason, /Consumer mallory does not exist in this namespace/);
  assert.match(byPath('spec.apiKeyAuth.consumers').reason, /Consumers bob and eve share an API key/);
  assert.match(byPath('spec.extAuth.backendRef').reason, /Service default\/authz has no Backend of the same name/);
  assert.match(byPath('spec.authorization.allowConsumers[0]').reason, /Consumer trent does not exist/);
  for (const e of result.errors) assert.notEqual(e.index, undefined, 'errors carry the document position');
});

test('listeners that the CRD would refuse (same port, protocol and hostname) are an error and Conflicted', () => {
  const result = translate(
    docs(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: meshgate
  listeners:
    - {name: a, port: 80, protocol: HTTP}
    - {name: b, port: 80, protocol: HTTP}
`),
  );
  const e = only(result.errors, 'spec.listeners[1]');
  assert.deepEqual(e.document, { kind: 'Gateway', namespace: 'default', name: 'edge' });
  assert.match(e.reason, /conflicts with listener a/);
  const status = result.statuses.find((s) => s.document.kind === 'Gateway') as { listeners?: { conditions: { type: string; status: string; reason: string }[] }[] };
  for (const l of status.listeners ?? []) assert.ok(l.conditions.some((c) => c.type === 'Conflicted' && c.status === 'True' && c.reason === 'HostnameConflict'));
});

test('clear-text passwords never reach the IR; they are {SHA} hashes', () => {
  const result = translate(
    docs(`${GATEWAY}---
apiVersion: meshgate.io/v1alpha1
kind: Consumer
metadata: {name: ops}
spec: {credentials: {basicAuth: {password: "p4ssw0rd!"}}}
---
apiVersion: meshgate.io/v1alpha1
kind: SecurityPolicy
metadata: {name: basic}
spec:
  targetRefs: [{kind: Gateway, name: edge}]
  basicAuth: {}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{group: meshgate.io, kind: Backend, name: app}]}]
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: app}
spec: {endpoints: [{address: 10.0.0.1, port: 80}]}
`),
  );
  assert.deepEqual(result.errors, []);
  const rendered = JSON.stringify(result.ir);
  assert.ok(!rendered.includes('p4ssw0rd!'));
  const route = result.ir.proxies[0]!.listeners[0]!.virtualHosts[0]!.routes[0]!;
  // echo -n 'p4ssw0rd!' | openssl sha1 -binary | base64
  assert.deepEqual(route.policy?.basicAuth?.users, [{ consumer: 'ops', sha1Base64: 'HoMCJo18B2cKTJcW2iKlTruaNhs=' }]);
});

test('an HTTPRouteFilter direct response body over 4096 bytes is refused with its size', () => {
  const errors = validateDocuments(
    docs(`
apiVersion: meshgate.io/v1alpha1
kind: HTTPRouteFilter
metadata: {name: big}
spec:
  directResponse: {statusCode: 200, body: "${'é'.repeat(2049)}"}
`),
  );
  const e = only(errors, 'spec.directResponse.body');
  assert.deepEqual(e.document, { kind: 'HTTPRouteFilter', namespace: 'default', name: 'big' });
  assert.equal(e.reason, 'must be at most 4096 bytes (got 4098)');
});

test('a route priority that is not a decimal integer names the annotation', () => {
  const errors = validateDocuments(docs(`${GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, annotations: {meshgate.io/priority: "+5"}}
spec: {parentRefs: [{name: edge}]}
`));
  const e = only(errors, 'metadata.annotations["meshgate.io/priority"]');
  assert.match(e.reason, /"\+5" is not a decimal integer/);
});
