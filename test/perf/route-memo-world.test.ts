// The route memo skips re-resolving backends while every document other than routes is the very
// same frozen object as in the last translation (translators/gateway-api/route-memo.ts); any
// change among them (a Backend edited, a ReferenceGrant removed) makes every route check again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import { compile } from '../../src/pipeline/compile';
import { routeCompileStats } from '../../translators/translate';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function doc(apiVersion: string, kind: string, name: string, spec: JsonObject, namespace = 'default'): InputDocument {
  return deepFreeze({ apiVersion, kind, metadata: { name, namespace }, spec });
}

const base = [
  doc('gateway.networking.k8s.io/v1', 'GatewayClass', 'meshgate', { controllerName: 'meshgate.io/gateway-controller' }),
  doc('gateway.networking.k8s.io/v1', 'Gateway', 'edge', { gatewayClassName: 'meshgate', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] }),
];
const route = (i: number, backendNamespace = 'default'): InputDocument =>
  doc('gateway.networking.k8s.io/v1', 'HTTPRoute', `route-${i}`, {
    parentRefs: [{ name: 'edge', namespace: 'default' }],
    hostnames: [`r${i}.example.com`],
    rules: [{ backendRefs: [{ group: 'meshgate.io', kind: 'Backend', name: `svc-${i}`, namespace: backendNamespace }] }],
  });
const backend = (i: number, address: string, namespace = 'default'): InputDocument => doc('meshgate.io/v1alpha1', 'Backend', `svc-${i}`, { endpoints: [{ address, port: 8080 }] }, namespace);

function clusterOf(docs: readonly InputDocument[], name: string): Cluster | undefined {
  const out = compile(docs);
  if (!out.ok) assert.fail(JSON.stringify(out.errors));
  return out.config.ir.proxies[0]!.clusters.find((c) => c.name === name);
}

test('an edited Backend is resolved again although no route changed', () => {
  const docs = [...base, route(0), backend(0, '10.0.0.1'), route(1), backend(1, '10.0.0.2')];
  assert.ok(JSON.stringify(clusterOf(docs, 'backend/default/svc-0')).includes('10.0.0.1'));
  const before = routeCompileStats();
  const edited = docs.map((d) => (d.kind === 'Backend' && d.metadata.name === 'svc-0' ? backend(0, '10.9.9.9') : d));
  assert.ok(JSON.stringify(clusterOf(edited, 'backend/default/svc-0')).includes('10.9.9.9'));
  const after = routeCompileStats();
  assert.equal(after.compiled - before.compiled, 1, 'route-0 is compiled again, route-1 reused');
});

test('a removed ReferenceGrant is noticed by a route that needed it', () => {
  const grant = doc('gateway.networking.k8s.io/v1beta1', 'ReferenceGrant', 'allow', {
    from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }],
    to: [{ group: 'meshgate.io', kind: 'Backend' }],
  }, 'other');
  const docs = [...base, route(0, 'other'), backend(0, '10.0.0.1', 'other'), grant];
  assert.ok(clusterOf(docs, 'backend/other/svc-0'));
  const out = compile(docs.filter((d) => d !== grant));
  const statuses = (out.ok ? out.config.statuses : out.statuses).find((s) => s.document.name === 'route-0');
  assert.ok(JSON.stringify(statuses).includes('RefNotPermitted'), JSON.stringify(statuses));
});

test('a one-route change reuses every other route', () => {
  const docs = [...base, route(0), backend(0, '10.0.0.1'), route(1), backend(1, '10.0.0.2'), route(2), backend(2, '10.0.0.3')];
  clusterOf(docs, 'backend/default/svc-0');
  const before = routeCompileStats();
  const changed = docs.map((d) => (d.kind === 'HTTPRoute' && d.metadata.name === 'route-1' ? doc('gateway.networking.k8s.io/v1', 'HTTPRoute', 'route-1', { ...(route(1).spec as JsonObject), hostnames: ['other.example.com'] }) : d));
  clusterOf(changed, 'backend/default/svc-1');
  const after = routeCompileStats();
  assert.deepEqual({ compiled: after.compiled - before.compiled, reused: after.reused - before.reused }, { compiled: 1, reused: 2 });
});
