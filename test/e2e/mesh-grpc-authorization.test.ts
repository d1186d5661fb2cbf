// End to end (issue 4, proxyless gRPC), through the real translator: ServiceEntry, WorkloadEntry,
// Sidecar, PeerAuthentication STRICT and AuthorizationPolicy YAML go through POST /v1/apply and
// translators/istio. The xDS-enabled gRPC server of demo/catalog-v1 gets its server listener (STRICT
// mTLS, RBAC from the policy); a client of demo/frontend with a certificate from meshgate's CA is
// answered, a client presenting demo/other's certificate gets PERMISSION_DENIED. The clients'
// cluster (auto mTLS, catalog's SPIFFE ID expected) comes from the same documents. The policy names
// a host and a path as Istio users write them, which gRPC's RBAC evaluates on every call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { CERTIFICATE_PROVIDER_INSTANCE, proxylessGroupOf, serverListenerName } from '../../src/xds/proxyless';
import { typeStatusOf } from './harness/admin-client';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { eventually } from './harness/eventually';
import { XdsClientProcess } from './harness/xds-client';
import { freePort, XdsServerProcess } from './harness/xds-server';

const SERVER_GROUP = 'sidecar/demo/catalog-v1';
const CLIENT_GROUP = 'sidecar/demo/frontend';
const CATALOG_HOST = 'catalog.demo.svc.cluster.local';
const CATALOG_PORT = 8080;

function documents(serverPort: number): string {
  return `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: catalog, namespace: demo}
spec:
  hosts: [${CATALOG_HOST}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: ${CATALOG_PORT}, name: grpc, protocol: GRPC, targetPort: ${serverPort}}]
  workloadSelector: {labels: {app: catalog}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: catalog-v1, namespace: demo}
spec: {address: 127.0.0.1, ports: {grpc: ${serverPort}}, labels: {app: catalog, version: v1}, serviceAccount: catalog}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: catalog, namespace: demo}
spec:
  workloadSelector: {labels: {app: catalog}}
  ingress:
  - port: {number: ${serverPort}, protocol: GRPC, name: grpc}
    defaultEndpoint: 127.0.0.1:${serverPort}
    captureMode: NONE
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: frontend, namespace: demo}
spec:
  hosts: [frontend.demo.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9090, name: grpc, protocol: GRPC}]
  workloadSelector: {labels: {app: frontend}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: frontend, namespace: demo}
spec: {address: 127.0.0.2, ports: {grpc: 9090}, labels: {app: frontend}, serviceAccount: frontend}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: frontend, namespace: demo}
spec:
  workloadSelector: {labels: {app: frontend}}
  egress:
  - port: {number: ${CATALOG_PORT}, protocol: GRPC, name: grpc}
    captureMode: NONE
    hosts: ["./${CATALOG_HOST}"]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: demo}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: catalog-readers, namespace: demo}
spec:
  selector: {matchLabels: {app: catalog}}
  action: ALLOW
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/demo/sa/frontend"]}
    # gRPC sets :authority to the channel's target, "${CATALOG_HOST}:${CATALOG_PORT}"; Istio's host
    # form matches it with or without the port.
    to:
    - operation: {hosts: [${CATALOG_HOST}], paths: ["/meshgate.test.Echo/*"]}
`;
}

describe('e2e: Istio AuthorizationPolicy applied through /v1/apply, enforced by an xDS-enabled gRPC server over mTLS', () => {
  let cp: TestControlPlane;
  let server: XdsServerProcess;
  let allowed: XdsClientProcess;
  let denied: XdsClientProcess;
  let certDir: string;
  let serverPort: number;

  /** The workload's certificate, key and trust bundle from meshgate's CA as a file_watcher provider. */
  async function certificateProviders(serviceAccount: string): Promise<JsonObject> {
    const cert = await cp.ca.certificateFor({ namespace: 'demo', serviceAccount });
    const dir = path.join(certDir, serviceAccount);
    fs.mkdirSync(dir, { recursive: true });
    const file = (name: string, pem: string): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, pem, { mode: 0o600 });
      return p;
    };
    return {
      [CERTIFICATE_PROVIDER_INSTANCE]: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: file('cert-chain.pem', cert.certificateChainPem),
          private_key_file: file('key.pem', cert.privateKeyPem),
          ca_certificate_file: file('root-cert.pem', cert.trustBundlePem),
          refresh_interval: '60s',
        },
      },
    };
  }

  before(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-e2e-istio-certs-'));
    cp = await startTestControlPlane();
    serverPort = await freePort();
    await cp.admin.apply(documents(serverPort));

    server = new XdsServerProcess({
      name: 'catalog-v1',
      port: serverPort,
      xdsPort: cp.xdsPort,
      nodeId: 'e2e-istio-catalog-v1-server',
      metadata: { meshgate_group: SERVER_GROUP, meshgate_proxyless: true },
      certificateProviders: await certificateProviders('catalog'),
    });
    const clientOptions = {
      target: `${CATALOG_HOST}:${CATALOG_PORT}`,
      xdsPort: cp.xdsPort,
      cluster: 'frontend',
      metadata: { meshgate_group: CLIENT_GROUP, meshgate_proxyless: true },
    };
    allowed = new XdsClientProcess({ ...clientOptions, nodeId: 'e2e-istio-frontend-client', certificateProviders: await certificateProviders('frontend') });
    denied = new XdsClientProcess({ ...clientOptions, nodeId: 'e2e-istio-other-client', certificateProviders: await certificateProviders('other') });
  });

  after(async () => {
    await allowed?.stop();
    await denied?.stop();
    await server?.stop();
    await cp?.close();
    if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('the translator produced the server listener (STRICT mTLS, RBAC)', async () => {
    // Proxyless views are served once a node reads them: the server started above connects on its own time.
    const server = await eventually('the server listener is served', () => cp.cache.getSnapshot(proxylessGroupOf(SERVER_GROUP))?.resources.get(TypeUrl.Listener)?.get(serverListenerName(serverPort)), { timeoutMs: 30_000 });
    const text = JSON.stringify(server.json);
    assert.ok(text.includes('"require_client_certificate":true'), 'STRICT: client certificates required');
    assert.ok(text.includes('spiffe://cluster.local/ns/demo/sa/frontend'), 'the ALLOW rule names frontend');
  });

  it('the xDS-enabled server receives its server listener, ACKs it and serves', async () => {
    assert.equal(await server.waitUntilServing(30_000), serverPort);
    const lds = await eventually('server LDS ACKed', async () => {
      const t = typeStatusOf(await cp.admin.proxy('e2e-istio-catalog-v1-server'), TypeUrl.Listener);
      return t?.state === 'synced' ? t : undefined;
    });
    assert.equal(lds.nacks, 0);
  });

  it('the allowed principal (demo/frontend, certificate from meshgate\'s CA) gets answers', async () => {
    const reached = await allowed.waitFor({ timeoutMs: 20_000, batch: 20, reach: ['catalog-v1'], noErrors: true });
    assert.ok(reached.ok, `frontend never got an answer: ${JSON.stringify(reached.last)}\n${allowed.stderr}`);
    const tally = await allowed.calls(100);
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    assert.deepEqual(tally.counts, { 'catalog-v1': 100 });
  });

  it('the clients read their view, with the catalog cluster expecting catalog\'s identity (auto mTLS)', () => {
    // Served since the allowed client connected (gRPC clients connect on their first call).
    const clusters = [...(cp.cache.getSnapshot(proxylessGroupOf(CLIENT_GROUP))?.resources.get(TypeUrl.Cluster)?.values() ?? [])];
    const catalog = clusters.find((c) => c.name === `outbound|${CATALOG_PORT}||${CATALOG_HOST}`);
    assert.ok(catalog, `the catalog cluster among ${clusters.map((c) => c.name).join(', ')}`);
    assert.ok(JSON.stringify(catalog.json).includes('spiffe://cluster.local/ns/demo/sa/catalog'), 'auto mTLS expects catalog\'s identity');
  });

  it('another principal (demo/other) gets PERMISSION_DENIED', async () => {
    const settled = await denied.waitFor({ timeoutMs: 20_000, batch: 20, avoid: ['catalog-v1'] });
    const tally = await denied.calls(50);
    assert.deepEqual(tally.counts, {}, `demo/other was answered: ${JSON.stringify(tally)}; first batch ${JSON.stringify(settled.last)}`);
    assert.deepEqual(tally.errors, { PERMISSION_DENIED: 50 }, tally.errorSamples.join('; '));
  });
});
