// Gateway API and policy semantics asserted directly (the golden files show the whole output;
// these tests pin the rules that matter most, so a golden update cannot silently change them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { translate } from '../../translators';
import type { InputDocument, StatusCondition } from '../../src/documents/types';
import type { Route } from '../../src/ir/route';

const BASE = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: meshgate
  listeners:
    - {name: http, port: 8080, protocol: HTTP}
    - {name: wild, port: 9090, protocol: HTTP, hostname: "*.example.com"}
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: app}
spec: {endpoints: [{address: 10.0.0.1, port: 80}]}
`;

function run(extra: string): ReturnType<typeof translate> {
  return translate(yaml.loadAll(`${BASE}---\n${extra}`) as InputDocument[]);
}

function routesOf(result: ReturnType<typeof translate>, listener: string): Route[] {
  const l = result.ir.proxies[0]!.listeners.find((x) => x.name === listener)!;
  return l.virtualHosts.flatMap((v) => v.routes);
}

function parentConditions(result: ReturnType<typeof translate>, name: string): StatusCondition[][] {
  return (result.statuses.find((s) => s.document.name === name)?.parents ?? []).map((p) => [...p.conditions]);
}

test('matches are ordered Exact, regex, longest prefix, then method, headers, query parameters', () => {
  const result = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  rules:
    - matches: [{path: {value: /}}]
    - matches: [{path: {value: /a}, queryParams: [{name: q, value: "1"}]}]
    - matches: [{path: {value: /a}, headers: [{name: h, value: "1"}]}]
    - matches: [{path: {value: /a}, method: GET}]
    - matches: [{path: {value: /a/b}}]
    - matches: [{path: {type: RegularExpression, value: "/x+"}}]
    - matches: [{path: {type: Exact, value: /a}}]
`);
  assert.deepEqual(
    routesOf(result, 'http').map((r) => r.source.section),
    [6, 5, 4, 3, 2, 1, 0].map((i) => `rules[${i}].matches[0]`),
  );
});

test('route hostnames are narrowed to the listener hostname and grouped into virtual hosts', () => {
  const result = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: edge, sectionName: wild}]
  hostnames: [a.example.com, b.example.net, "*.com"]
  rules: [{backendRefs: [{name: app, port: 80}]}]
`);
  const l = result.ir.proxies[0]!.listeners.find((x) => x.name === 'wild')!;
  assert.deepEqual(l.virtualHosts.map((v) => v.domains), [['a.example.com'], ['*.example.com']]);
});

test('attachment failures carry the Gateway API reasons', () => {
  const result = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: other}
spec:
  parentRefs: [{name: edge, namespace: default}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h}
spec:
  parentRefs: [{name: edge, sectionName: wild}]
  hostnames: [example.org]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: p}
spec:
  parentRefs: [{name: edge, port: 1234}, {name: nope}]
`);
  const reason = (name: string, i = 0): string => parentConditions(result, name)[i]!.find((c) => c.type === 'Accepted')!.reason;
  assert.equal(reason('r'), 'NotAllowedByListeners');
  assert.equal(reason('h'), 'NoMatchingListenerHostname');
  assert.equal(reason('p', 0), 'NoMatchingParent');
  assert.equal(reason('p', 1), 'NoMatchingParent');
});

test('a cross-namespace backendRef needs a ReferenceGrant in the target namespace', () => {
  const route = (ns: string): string => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  rules: [{backendRefs: [{group: meshgate.io, kind: Backend, name: svc, namespace: ${ns}}]}]
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: svc, namespace: ${ns}}
spec: {endpoints: [{address: 10.9.9.9, port: 80}]}`;
  const denied = run(route('team'));
  const resolved = (r: ReturnType<typeof translate>): StatusCondition => parentConditions(r, 'r')[0]!.find((c) => c.type === 'ResolvedRefs')!;
  assert.equal(resolved(denied).reason, 'RefNotPermitted');
  assert.deepEqual(routesOf(denied, 'http')[0]!.action, { type: 'direct', status: 500 });
  const granted = run(`${route('team')}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: team}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
  to: [{group: meshgate.io, kind: Backend}]`);
  assert.equal(resolved(granted).status, 'True');
  const action = routesOf(granted, 'http')[0]!.action;
  assert.equal(action.type, 'forward');
  assert.deepEqual(action.type === 'forward' ? action.backends : [], [{ cluster: 'backend/team/svc', weight: 1 }]);
});

test('an unresolved backend keeps its share of traffic; all-zero weights answer 500', () => {
  const result = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  rules:
    - matches: [{path: {value: /half}}]
      backendRefs: [{name: app, port: 80, weight: 3}, {name: missing, port: 80, weight: 1}]
    - matches: [{path: {value: /zero}}]
      backendRefs: [{name: app, port: 80, weight: 0}]
`);
  const [half, zero] = routesOf(result, 'http');
  assert.deepEqual(half!.action.type === 'forward' ? half!.action.backends : [], [
    { cluster: 'backend/default/app/80', weight: 3 },
    { cluster: 'meshgate/unresolved-backend', weight: 1 },
  ]);
  assert.ok(result.ir.proxies[0]!.clusters.some((c) => c.name === 'meshgate/unresolved-backend' && c.discovery.type === 'static' && c.discovery.endpoints.length === 0));
  assert.deepEqual(zero!.action, { type: 'direct', status: 500 });
});

test('policies resolve per feature: the most specific target wins, other features are inherited', () => {
  const result = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  rules:
    - name: special
      matches: [{path: {value: /special}}]
      backendRefs: [{name: app, port: 80}]
    - matches: [{path: {value: /plain}}]
      backendRefs: [{name: app, port: 80}]
---
apiVersion: meshgate.io/v1alpha1
kind: TrafficPolicy
metadata: {name: gw}
spec:
  targetRefs: [{kind: Gateway, name: edge}]
  timeout: 30s
  rateLimit: {local: {requests: 100, per: 1s}}
---
apiVersion: meshgate.io/v1alpha1
kind: TrafficPolicy
metadata: {name: listener}
spec:
  targetRefs: [{kind: Gateway, name: edge, sectionName: http}]
  timeout: 20s
---
apiVersion: meshgate.io/v1alpha1
kind: TrafficPolicy
metadata: {name: rule}
spec:
  targetRefs: [{kind: HTTPRoute, name: r, sectionName: special}]
  rateLimit: {local: {requests: 5, per: 1s}}
`);
  const [special, plain] = routesOf(result, 'http');
  assert.equal(special!.action.type === 'forward' ? special!.action.timeoutMs : undefined, 20_000);
  assert.equal(special!.policy?.localRateLimit?.requests, 5);
  assert.equal(plain!.action.type === 'forward' ? plain!.action.timeoutMs : undefined, 20_000);
  assert.equal(plain!.policy?.localRateLimit?.requests, 100);
});

test('GRPCRoute methods become gRPC paths', () => {
  const result = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  rules:
    - matches: [{method: {service: pkg.Svc, method: Get}}, {method: {service: pkg.Other}}, {method: {type: RegularExpression, method: "List.*"}}]
      backendRefs: [{name: app, port: 80}]
`);
  const paths = routesOf(result, 'http').map((r) => [r.match.path.type, r.match.path.value, r.match.grpc]);
  assert.deepEqual(paths, [
    ['Exact', '/pkg.Svc/Get', true],
    ['RegularExpression', '/[^/]+/(?:List.*)', true],
    ['PathPrefix', '/pkg.Other', true],
  ]);
});

test('a redirect without a port uses the scheme port, or the listener port without a scheme', () => {
  const result = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: edge}]
  hostnames: [x.example.com]
  rules:
    - matches: [{path: {value: /s}}]
      filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
    - matches: [{path: {value: /h}}]
      filters: [{type: RequestRedirect, requestRedirect: {hostname: y.example.com}}]
`);
  for (const [listener, port] of [['http', 8080], ['wild', 9090]] as const) {
    const [s, h] = routesOf(result, listener);
    assert.deepEqual(s!.action, { type: 'redirect', scheme: 'https', port: 443, statusCode: 302 });
    assert.deepEqual(h!.action, { type: 'redirect', hostname: 'y.example.com', port, statusCode: 302 });
  }
});
