// explain through a sidecar's outbound side: a request from workload A to service B takes the
// route, subset and cluster the Istio documents say, in explicit (127.0.0.1:<port>) and transparent
// (virtualOutbound → 0.0.0.0:<port>) capture.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import { explainMeshRequest, parseOutboundCluster } from '../../src/explain/mesh-routing';
import type { Proxy } from '../../src/ir/types';
import { buildProxyResources } from '../../src/xds';
import { translate } from '../../translators';
import { goldenPath } from '../golden-helper';

function load(file: string): InputDocument[] {
  return yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((d) => d !== null && d !== undefined) as InputDocument[];
}

function repoFile(...parts: string[]): string {
  return path.join(path.dirname(goldenPath('x')), '..', '..', ...parts);
}

function sidecar(docs: readonly InputDocument[], group: string): Proxy {
  const result = translate(docs);
  assert.deepEqual(result.errors, []);
  const proxy = result.ir.proxies.find((p) => p.name === group);
  assert.ok(proxy, `no proxy group ${group}`);
  return proxy;
}

const demo = [...load(repoFile('examples', 'istio', 'registry.yaml')), ...load(repoFile('examples', 'istio', 'traffic.yaml'))];

test('demo: frontend → catalog with x-canary takes the canary route to subset v2 over 127.0.0.1:8080', () => {
  const proxy = sidecar(demo, 'sidecar/demo/frontend');
  const r = explainMeshRequest(proxy, buildProxyResources(proxy), { service: 'catalog', port: 8080, headers: { 'x-canary': 'true' } });
  assert.equal(r.captureMode, 'explicit');
  assert.equal(r.listener, '127.0.0.1_8080');
  assert.equal(r.explain.decision, 'forward');
  assert.equal(r.route, 'demo/catalog/canary@catalog.demo.svc.cluster.local:8080');
  assert.deepEqual(
    r.destinations.map((d) => [d.host, d.port, d.subset, d.percent]),
    [['catalog.demo.svc.cluster.local', 8080, 'v2', 100]],
  );
  assert.deepEqual(r.destinations[0]!.endpoints, ['10.77.0.12:9080']);
});

test('demo: frontend → catalog without the header takes the split (v1 100%, v2 0%)', () => {
  const proxy = sidecar(demo, 'sidecar/demo/frontend');
  const r = explainMeshRequest(proxy, buildProxyResources(proxy), { service: 'catalog.demo.svc.cluster.local:8080', port: 8080 });
  assert.equal(r.route, 'demo/catalog/split@catalog.demo.svc.cluster.local:8080');
  assert.deepEqual(
    r.destinations.map((d) => [d.subset, d.percent]),
    [
      ['v1', 100],
      ['v2', 0],
    ],
  );
  assert.equal(r.explain.upstream?.timeout, '5s');
  assert.equal(r.explain.upstream?.retry?.numRetries, 2);
});

test('demo: a service the egress port does not serve gets 404 from the outbound route table', () => {
  const proxy = sidecar(demo, 'sidecar/demo/frontend');
  const r = explainMeshRequest(proxy, buildProxyResources(proxy), { service: 'orders', port: 8080 });
  assert.equal(r.explain.decision, 'no_route');
  assert.deepEqual(r.destinations, []);
});

test('demo: changing the split to 90/10 changes what explain reports', () => {
  const shifted = demo.map((d) =>
    d.kind === 'VirtualService'
      ? ({
          ...d,
          spec: {
            ...d.spec,
            http: [
              (d.spec['http'] as unknown[])[0],
              { name: 'split', route: [{ destination: { host: 'catalog', subset: 'v1' }, weight: 90 }, { destination: { host: 'catalog', subset: 'v2' }, weight: 10 }] },
            ],
          },
        } as InputDocument)
      : d,
  );
  const proxy = sidecar(shifted as InputDocument[], 'sidecar/demo/frontend');
  const r = explainMeshRequest(proxy, buildProxyResources(proxy), { service: 'catalog', port: 8080 });
  assert.deepEqual(r.destinations.map((d) => [d.subset, d.percent]), [['v1', 90], ['v2', 10]]);
});

test('fault injection task: jason gets the 7s delay on ratings v1, others the plain route', () => {
  const docs = load(goldenPath('istio/task-fault-delay/input.yaml'));
  const proxy = sidecar(docs, 'sidecar/default/reviews-v2');
  const resources = buildProxyResources(proxy);
  const jason = explainMeshRequest(proxy, resources, { service: 'ratings', port: 9080, headers: { 'end-user': 'jason' } });
  assert.equal(jason.route, 'default/ratings/http[0]@ratings.default.svc.cluster.local:9080');
  assert.equal(jason.destinations[0]!.subset, 'v1');
  assert.equal((jason.fault?.['delay'] as { fixed_delay?: string } | undefined)?.fixed_delay, '7s');
  const other = explainMeshRequest(proxy, resources, { service: 'ratings', port: 9080, headers: { 'end-user': 'alice' } });
  assert.equal(other.route, 'default/ratings/http[1]@ratings.default.svc.cluster.local:9080');
  assert.equal(other.fault, undefined);
});

test('mirroring task: httpbin v1 takes the traffic and v2 gets the mirror', () => {
  const proxy = sidecar(load(goldenPath('istio/task-mirroring/input.yaml')), 'sidecar/default/sleep');
  const r = explainMeshRequest(proxy, buildProxyResources(proxy), { service: 'httpbin:8000', port: 8000 });
  assert.equal(r.captureMode, 'transparent');
  assert.deepEqual(r.destinations.map((d) => [d.subset, d.percent]), [['v1', 100]]);
  assert.deepEqual(r.mirrors.map((m) => [m.subset, m.percent]), [['v2', 100]]);
  assert.ok(r.explain.steps[0]!.startsWith('virtualOutbound (15001)'));
});

test('transparent capture: productpage → details through the 0.0.0.0:9080 virtual listener, not the inbound one', () => {
  const proxy = sidecar(load(goldenPath('istio/transparent-default/input.yaml')), 'sidecar/default/productpage-v1');
  const r = explainMeshRequest(proxy, buildProxyResources(proxy), { service: 'details', port: 9080 });
  assert.equal(r.listener, '0.0.0.0_9080');
  assert.equal(r.explain.decision, 'forward');
  assert.deepEqual(r.destinations.map((d) => [d.host, d.subset, d.endpoints]), [['details.default.svc.cluster.local', undefined, ['10.0.0.40:9081']]]);
});

test('cluster names parse as Istio destinations', () => {
  assert.deepEqual(parseOutboundCluster('outbound|8080|v1|catalog.demo.svc.cluster.local'), { port: 8080, host: 'catalog.demo.svc.cluster.local', subset: 'v1' });
  assert.deepEqual(parseOutboundCluster('outbound|9080||details.default.svc.cluster.local'), { port: 9080, host: 'details.default.svc.cluster.local' });
  assert.equal(parseOutboundCluster('inbound|9080||'), undefined);
});
