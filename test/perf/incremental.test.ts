// Incremental compilation (issue 3, Performance): a one-route change re-translates only that route,
// and the stages after translation see every unchanged part as the very same object. Memoisation
// must never change an answer: for every translator golden case, compiling frozen documents that
// were compiled before (memo hits), and the same set with each document removed in turn (memo
// invalidation), gives exactly what a fresh compile of unfrozen copies gives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { goldenCases, goldenPath } from '../golden-helper';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { compile, type CompileOutcome } from '../../src/pipeline/compile';
import { routeCompileStats } from '../../translators/translate';
import type { Route } from '../../src/ir/route';
import type { IR } from '../../src/ir/types';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function doc(apiVersion: string, kind: string, name: string, spec: JsonObject): InputDocument {
  return deepFreeze({ apiVersion, kind, metadata: { name, namespace: 'default' }, spec });
}

function tenant(i: number, prefix = '/'): InputDocument[] {
  return [
    doc('gateway.networking.k8s.io/v1', 'HTTPRoute', `route-${i}`, {
      parentRefs: [{ name: 'edge' }],
      hostnames: [`r${i}.example.com`],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: prefix } }], backendRefs: [{ group: 'meshgate.io', kind: 'Backend', name: `svc-${i}` }] }],
    }),
    doc('meshgate.io/v1alpha1', 'Backend', `svc-${i}`, { endpoints: [{ address: `10.0.${i >> 8}.${i & 0xff}`, port: 8080 }] }),
  ];
}

function gatewayDocuments(routes: number): InputDocument[] {
  const docs = [
    doc('gateway.networking.k8s.io/v1', 'GatewayClass', 'meshgate', { controllerName: 'meshgate.io/gateway-controller' }),
    doc('gateway.networking.k8s.io/v1', 'Gateway', 'edge', { gatewayClassName: 'meshgate', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] }),
  ];
  for (let i = 0; i < routes; i++) docs.push(...tenant(i));
  return docs;
}

function compiled(outcome: CompileOutcome): { ir: IR; groups: ReadonlyMap<string, readonly EnvoyResource[]> } {
  if (!outcome.ok) assert.fail(`compile failed: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
  return outcome.config;
}

function routesByName(ir: IR): Map<string, Route> {
  const out = new Map<string, Route>();
  for (const p of ir.proxies) for (const l of p.listeners) for (const vh of l.virtualHosts) for (const r of vh.routes) out.set(r.name, r);
  return out;
}

function virtualHostsOf(resources: readonly EnvoyResource[], table: string): JsonObject[] {
  const rc = resources.find((r) => r.typeUrl.endsWith('RouteConfiguration') && r.name === table);
  assert.ok(rc, `route table ${table}`);
  return rc.json['virtual_hosts'] as JsonObject[];
}

/** What a compile answers, as plain data (object identity and frozenness do not count). */
function plain(outcome: CompileOutcome): unknown {
  return JSON.parse(JSON.stringify(outcome.ok ? { ok: true, ir: outcome.config.ir, statuses: outcome.config.statuses, groups: [...outcome.config.groups] } : outcome)) as unknown;
}

function fresh(docs: readonly InputDocument[]): unknown {
  return plain(compile(structuredClone(docs) as InputDocument[]));
}

describe('a one-route change', () => {
  const ROUTES = 200;
  const before = gatewayDocuments(ROUTES);
  const first = compiled(compile(before));
  const stats0 = routeCompileStats();
  const changed = before.map((d) => (d.kind === 'HTTPRoute' && d.metadata.name === 'route-7' ? tenant(7, '/v2')[0]! : d));
  const second = compiled(compile(changed));
  const stats1 = routeCompileStats();

  it('compiles that route again and reuses every other one', () => {
    assert.equal(stats1.compiled - stats0.compiled, 1);
    assert.equal(stats1.reused - stats0.reused, ROUTES - 1);
  });

  it('hands out unchanged IR routes as the same objects, and the changed one anew', () => {
    const a = routesByName(first.ir);
    const b = routesByName(second.ir);
    assert.equal(a.size, ROUTES);
    let same = 0;
    for (const [name, route] of b) if (a.get(name) === route) same++;
    assert.equal(same, ROUTES - 1);
    const changedRoute = [...b.values()].find((r) => r.source?.name === 'route-7');
    assert.deepEqual(changedRoute?.match.path, { type: 'PathPrefix', value: '/v2' });
  });

  it('hands out the clusters of unchanged routes as the same IR objects', () => {
    const clusters = (ir: IR): Map<string, unknown> => new Map(ir.proxies.flatMap((p) => p.clusters.map((c) => [c.name, c] as const)));
    const a = clusters(first.ir);
    const b = clusters(second.ir);
    assert.equal(b.size, ROUTES);
    assert.equal([...b].filter(([name, c]) => a.get(name) === c).length, ROUTES - 1);
  });

  it('rebuilds one Envoy virtual host; the others are the same frozen objects', () => {
    const group = 'gateway/default/edge';
    const a = virtualHostsOf(first.groups.get(group)!, 'http');
    const b = virtualHostsOf(second.groups.get(group)!, 'http');
    assert.equal(b.length, ROUTES);
    const rebuilt = b.filter((vh) => !a.includes(vh));
    assert.deepEqual(rebuilt.map((vh) => vh['domains']), [['r7.example.com']]);
    assert.ok(b.every((vh) => Object.isFrozen(vh)));
  });

  it('answers exactly what a fresh compile of unfrozen copies answers', () => {
    assert.deepEqual(plain(compile(changed)), fresh(changed));
  });

  it('a changed Backend recompiles the route that uses it', () => {
    const base = routeCompileStats();
    const moved = changed.map((d) => (d.kind === 'Backend' && d.metadata.name === 'svc-3' ? doc('meshgate.io/v1alpha1', 'Backend', 'svc-3', { endpoints: [{ address: '10.9.9.9', port: 9090 }] }) : d));
    const outcome = compile(moved);
    assert.equal(routeCompileStats().compiled - base.compiled, 1);
    assert.deepEqual(plain(outcome), fresh(moved));
  });
});

describe('memoised compiles equal fresh ones (translator golden inputs)', () => {
  const cases = goldenCases('translators');
  it('covers the golden suite', () => assert.ok(cases.length >= 40, `${cases.length} cases`));
  for (const name of cases) {
    it(name, () => {
      const text = fs.readFileSync(goldenPath(`translators/${name}/input.yaml`), 'utf8');
      const docs = deepFreeze(yaml.loadAll(text).filter((d) => d !== null && d !== undefined) as InputDocument[]);
      compile(docs);
      assert.deepEqual(plain(compile(docs)), fresh(docs), 'the same documents again');
      // Each document removed in turn: whatever depended on it must be compiled again.
      for (let i = 0; i < docs.length; i++) {
        const without = docs.filter((_, j) => j !== i);
        assert.deepEqual(plain(compile(without)), fresh(without), `without document ${i} (${docs[i]?.kind} ${docs[i]?.metadata?.name})`);
        compile(docs);
      }
    });
  }
});
