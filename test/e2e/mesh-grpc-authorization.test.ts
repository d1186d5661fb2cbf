// End to end (issue 4, proxyless gRPC): an AuthorizationPolicy enforced by an xDS-enabled gRPC
// server (grpc-js-xds XdsServer with RBAC) over mTLS, with workload certificates issued by
// meshgate's own CA. The server's group (sidecar/demo/catalog-v1) gets a server listener with
// STRICT mTLS and an ALLOW rule for the frontend service account; clients present certificates
// of demo/frontend (allowed) and demo/other (denied: PERMISSION_DENIED). Both verify the server's
// SPIFFE ID. The mesh IR is built directly (harness/mesh-ir.ts) and injected into the cache; the
// variant through /v1/apply and translators/istio is mesh-grpc-authorization-istio.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { Authorization } from '../../src/ir/mesh';
import { buildProxylessResources, CERTIFICATE_PROVIDER_INSTANCE, proxylessGroupOf } from '../../src/xds/proxyless';
import { typeStatusOf } from './harness/admin-client';
import { startTestControlPlane, type TestControlPlane } from './harness/control-plane';
import { eventually } from './harness/eventually';
import { CATALOG_HOST, CATALOG_PORT, catalogServerProxy, frontendProxy, subsetCluster } from './harness/mesh-ir';
import { XdsClientProcess } from './harness/xds-client';
import { freePort, XdsServerProcess } from './harness/xds-server';

const SERVER_GROUP = 'sidecar/demo/catalog-v1';
const CLIENT_GROUP = 'sidecar/demo/frontend';
const CATALOG_SPIFFE_ID = 'spiffe://cluster.local/ns/demo/sa/catalog';

const ALLOW_FRONTEND: Authorization = {
  deny: [],
  allow: [
    {
      name: 'demo/catalog-readers[rules[0]]',
      from: [{ principals: ['cluster.local/ns/demo/sa/frontend'] }],
      to: [{ paths: ['/meshgate.test.Echo/*'] }],
      source: { kind: 'AuthorizationPolicy', namespace: 'demo', name: 'catalog-readers' },
    },
  ],
};

describe('e2e: AuthorizationPolicy enforced by an xDS-enabled gRPC server over mTLS from meshgate\'s CA', () => {
  let cp: TestControlPlane;
  let server: XdsServerProcess;
  let allowed: XdsClientProcess;
  let denied: XdsClientProcess;
  let certDir: string;

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
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-e2e-certs-'));
    cp = await startTestControlPlane();
    const port = await freePort();
    cp.cache.setSnapshot(proxylessGroupOf(SERVER_GROUP), buildProxylessResources(catalogServerProxy(port, 'STRICT', ALLOW_FRONTEND)));
    // The caller's view: catalog at the server's port, ISTIO_MUTUAL expecting catalog's identity.
    // Every subset the frontend's routes name points at the one server here.
    const endpoint = { name: 'catalog-v1', host: '127.0.0.1', port, served: () => 0 };
    const mtls = { expectedSpiffeIds: [CATALOG_SPIFFE_ID] };
    const clusters = ['v1', 'v2', 'flaky'].map((subset) => subsetCluster(subset, endpoint, mtls));
    cp.cache.setSnapshot(proxylessGroupOf(CLIENT_GROUP), buildProxylessResources(frontendProxy(clusters, { split: [100, 0], faultPercent: 0 })));

    server = new XdsServerProcess({
      name: 'catalog-v1',
      port,
      xdsPort: cp.xdsPort,
      nodeId: 'e2e-catalog-v1-server',
      metadata: { meshgate_group: SERVER_GROUP, meshgate_proxyless: true },
      certificateProviders: await certificateProviders('catalog'),
    });
    const clientOptions = {
      target: `${CATALOG_HOST}:${CATALOG_PORT}`,
      xdsPort: cp.xdsPort,
      cluster: 'frontend',
      metadata: { meshgate_group: CLIENT_GROUP, meshgate_proxyless: true },
    };
    allowed = new XdsClientProcess({ ...clientOptions, nodeId: 'e2e-frontend-client', certificateProviders: await certificateProviders('frontend') });
    denied = new XdsClientProcess({ ...clientOptions, nodeId: 'e2e-other-client', certificateProviders: await certificateProviders('other') });
  });

  after(async () => {
    await allowed?.stop();
    await denied?.stop();
    await server?.stop();
    await cp?.close();
    if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('the xDS-enabled server receives its server listener, ACKs it and serves', async () => {
    const port = await server.waitUntilServing(30_000);
    assert.equal(port, server.options.port);
    const lds = await eventually('server LDS ACKed', async () => {
      const t = typeStatusOf(await cp.admin.proxy('e2e-catalog-v1-server'), TypeUrl.Listener);
      return t?.state === 'synced' ? t : undefined;
    });
    assert.equal(lds.nacks, 0);
  });

  it('the allowed principal (demo/frontend) gets answers over mTLS', async () => {
    const reached = await allowed.waitFor({ timeoutMs: 10_000, batch: 20, reach: ['catalog-v1'], noErrors: true });
    assert.ok(reached.ok, `frontend never got an answer: ${JSON.stringify(reached.last)}\n${allowed.stderr}`);
    const tally = await allowed.calls(100);
    assert.deepEqual(tally.errors, {}, tally.errorSamples.join('; '));
    assert.deepEqual(tally.counts, { 'catalog-v1': 100 });
  });

  it('another principal (demo/other) gets PERMISSION_DENIED', async () => {
    const settled = await denied.waitFor({ timeoutMs: 10_000, batch: 20, avoid: ['catalog-v1'] });
    const tally = await denied.calls(50);
    assert.deepEqual(tally.counts, {}, `demo/other was answered: ${JSON.stringify(tally)}; first batch ${JSON.stringify(settled.last)}`);
    assert.deepEqual(tally.errors, { PERMISSION_DENIED: 50 }, tally.errorSamples.join('; '));
  });
});
