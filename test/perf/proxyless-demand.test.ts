// Proxyless gRPC views (grpc:<group>) are served only while a proxyless node reads them
// (src/pipeline/proxyless-demand.ts): absent from the cache until such a node connects, kept up to
// date while it stays, and freed when the last one leaves. Their notes are status warnings while
// they are served.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startControlPlane, type ControlPlane } from '../../src/app';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { AdsProxy } from '../../bench/ads-proxy';

const GROUP = 'gateway/default/edge';
const VIEW = `grpc:${GROUP}`;

function doc(apiVersion: string, kind: string, name: string, spec: JsonObject): InputDocument {
  return { apiVersion, kind, metadata: { name, namespace: 'default' }, spec };
}

function route(i: number): InputDocument[] {
  return [
    doc('gateway.networking.k8s.io/v1', 'HTTPRoute', `route-${i}`, {
      parentRefs: [{ name: 'edge' }],
      hostnames: [`r${i}.example.com`],
      // Header changes are left out for gRPC (a note on the route's status).
      rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-a', value: '1' }] } }], backendRefs: [{ group: 'meshgate.io', kind: 'Backend', name: `svc-${i}` }] }],
    }),
    doc('meshgate.io/v1alpha1', 'Backend', `svc-${i}`, { endpoints: [{ address: `10.0.0.${i + 1}`, port: 8080 }] }),
  ];
}

const gateway: InputDocument[] = [
  doc('gateway.networking.k8s.io/v1', 'GatewayClass', 'meshgate', { controllerName: 'meshgate.io/gateway-controller' }),
  doc('gateway.networking.k8s.io/v1', 'Gateway', 'edge', { gatewayClassName: 'meshgate', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] }),
];

async function eventually(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('proxyless gRPC views served on demand', () => {
  let plane: ControlPlane;
  let dataDir: string;
  const proxies: AdsProxy[] = [];
  const connect = (id: string, proxyless: boolean): AdsProxy => {
    const proxy = new AdsProxy(`127.0.0.1:${plane.xdsPort}`, { id, cluster: 'c', metadata: { meshgate_group: GROUP, ...(proxyless ? { meshgate_proxyless: true } : {}) } });
    proxies.push(proxy);
    return proxy;
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-proxyless-demand-'));
    plane = await startControlPlane(
      { xdsHost: '127.0.0.1', xdsPort: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir, logLevel: 'silent', identifier: 'test' },
      undefined,
      { debounceMs: 5, maxDelayMs: 50 },
    );
    await plane.config.apply([...gateway, ...route(0)]);
  });

  after(async () => {
    for (const p of proxies) p.close();
    await plane.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const viewWarnings = (): string[] => (plane.config.get({ kind: 'HTTPRoute', namespace: 'default', name: 'route-0' })?.status?.warnings ?? []).filter((w) => w.startsWith(`proxyless gRPC view ${VIEW}: `));

  it('is neither built nor held while no proxyless node reads it; explain and render still see it', async () => {
    const envoy = connect('envoy-1', false);
    await envoy.until((s) => s.listeners.size > 0, 10_000);
    assert.ok(plane.cache.groups().includes(GROUP));
    assert.ok(!plane.cache.groups().includes(VIEW), `groups: ${plane.cache.groups().join(', ')}`);
    // What gRPC could not be given is only said of views that are served.
    assert.deepEqual(viewWarnings(), []);
    assert.ok(plane.config.groupNames().includes(VIEW));
    assert.ok((plane.config.groupResources(VIEW) ?? []).some((r) => r.name === 'r0.example.com'));
  });

  it('appears when a proxyless node connects, and follows changes while it reads it', async () => {
    const grpcNode = connect('grpc-1', true);
    await grpcNode.until((s) => s.listeners.has('r0.example.com') && s.clusters.has('backend/default/svc-0'), 10_000);
    assert.ok(plane.cache.groups().includes(VIEW));
    assert.ok(viewWarnings().length > 0, 'the served view\'s notes are warnings on the route');
    await plane.config.apply(route(1));
    await grpcNode.until((s) => s.listeners.has('r1.example.com') && s.clusters.has('backend/default/svc-1'), 10_000);
  });

  it('stays while one proxyless node remains, and is freed when the last one leaves', async () => {
    const second = connect('grpc-2', true);
    await second.until((s) => s.listeners.has('r1.example.com'), 10_000);
    proxies.find((p) => p === second)!.close();
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(plane.cache.groups().includes(VIEW), 'grpc-1 still reads the view');
    for (const p of proxies) p.close();
    await eventually('the view to be freed', () => !plane.cache.groups().includes(VIEW));
    assert.deepEqual(viewWarnings(), [], 'its notes go with it');
    assert.ok(plane.cache.groups().includes(GROUP), 'the Envoy group is served regardless');
  });

  it('a change applied while nobody reads the view is served to the next proxyless node', async () => {
    await plane.config.apply(route(2));
    assert.ok(!plane.cache.groups().includes(VIEW));
    const late = connect('grpc-3', true);
    await late.until((s) => s.listeners.has('r2.example.com') && s.listeners.has('r0.example.com'), 10_000);
  });
});
