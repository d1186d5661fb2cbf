// The xDS port over TLS: server-only TLS, and with a client CA, client certificates required and
// a client certificate's SPIFFE ID accepted as proof of the workload.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startControlPlane, type ControlPlane } from '../../src/app';
import type { CertificateAuthority, WorkloadCertificate } from '../../src/ca';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { ADS_SOTW, SotwClientStream } from '../server/raw-client';
import { gatewayDocuments, startMeshPlane, type MeshPlane } from './mesh-plane';

/** Workload certificates name no host: the tests check the chain, not a DNS name. */
const NO_HOSTNAME_CHECK = { checkServerIdentity: () => undefined };

function tlsClient(address: string, trust: string, clientCertificate?: WorkloadCertificate): grpc.Client {
  const credentials = clientCertificate
    ? grpc.credentials.createSsl(Buffer.from(trust), Buffer.from(clientCertificate.privateKeyPem), Buffer.from(clientCertificate.certificateChainPem), NO_HOSTNAME_CHECK)
    : grpc.credentials.createSsl(Buffer.from(trust), null, null, NO_HOSTNAME_CHECK);
  return new grpc.Client(address, credentials);
}

async function firstResponse(client: grpc.Client, node: JsonObject, typeUrl: string, names: string[] = []): Promise<{ names: string[] } | { error: string }> {
  const stream = new SotwClientStream(client, ADS_SOTW, node);
  stream.send({ typeUrl, resourceNames: names });
  try {
    const response = await stream.next(2000);
    stream.cancel();
    return { names: response.names };
  } catch (err) {
    stream.cancel();
    return { error: (err as Error).message };
  }
}

async function serverCredentials(ca: CertificateAuthority, clientCa: boolean): Promise<grpc.ServerCredentials> {
  const server = await ca.issue({ namespace: 'meshgate-system', serviceAccount: 'meshgate' }, 3600_000);
  return grpc.ServerCredentials.createSsl(clientCa ? Buffer.from(ca.trustBundlePem) : null, [{ cert_chain: Buffer.from(server.certificateChainPem), private_key: Buffer.from(server.privateKeyPem) }], clientCa);
}

describe('xDS over TLS with client certificates (--xds-tls-client-ca)', () => {
  let plane: MeshPlane;
  const clients: grpc.Client[] = [];
  before(async () => {
    plane = await startMeshPlane({ credentials: (ca) => serverCredentials(ca, true) });
  });
  after(async () => {
    for (const c of clients) c.close();
    await plane.stop();
  });
  const client = (cert?: WorkloadCertificate): grpc.Client => {
    const c = tlsClient(plane.address, plane.certificates.ca.trustBundlePem, cert);
    clients.push(c);
    return c;
  };
  const catalogNode = (id: string): JsonObject => ({ id, metadata: { meshgate_group: 'sidecar/demo/catalog-v1' } });

  it('a client without a certificate is refused in the handshake', async () => {
    const answer = await firstResponse(client(), catalogNode('no-cert'), TypeUrl.Listener);
    assert.ok('error' in answer, 'no response');
    assert.match(answer.error, /UNAVAILABLE/);
  });

  it('a client certificate with the workload\'s SPIFFE ID proves it: the Secrets are sent without a token', async () => {
    const cert = await plane.certificates.ca.issue({ namespace: 'demo', serviceAccount: 'catalog' }, 3600_000);
    const answer = await firstResponse(client(cert), catalogNode('cert-catalog'), TypeUrl.Secret, ['default', 'ROOTCA']);
    assert.deepEqual('names' in answer ? [...answer.names].sort() : answer, ['ROOTCA', 'default']);
  });

  it('a client certificate for another workload gets the group\'s listeners but no Secret', async () => {
    const cert = await plane.certificates.ca.issue({ namespace: 'demo', serviceAccount: 'frontend' }, 3600_000);
    const listeners = await firstResponse(client(cert), catalogNode('cert-frontend'), TypeUrl.Listener);
    assert.ok('names' in listeners && listeners.names.length > 0);
    const secrets = await firstResponse(client(cert), catalogNode('cert-frontend-2'), TypeUrl.Secret, ['default', 'ROOTCA']);
    assert.ok('error' in secrets, 'the Secret request is never answered');
    const warning = plane.logs.lines.find((l) => l['node'] === 'cert-frontend-2' && String(l['msg']).includes('Secrets are withheld'));
    assert.match(String(warning?.['reason']), /client certificate is for spiffe:\/\/cluster.local\/ns\/demo\/sa\/frontend/);
  });
});

describe('startControlPlane: xDS TLS flags, the CA on the result, tokens from the admin API, the root kept across restarts', () => {
  let dataDir: string;
  let plane: ControlPlane | undefined;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-cp-'));
  });
  after(async () => {
    await plane?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves xDS over TLS only, issues tokens on POST /v1/tokens, and reuses its root on restart', async () => {
    // Bootstrap: a first start creates the root; its certificate then serves the xDS port.
    const base = { xdsHost: '127.0.0.1', xdsPort: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir, logLevel: 'silent', identifier: 'cp-test' };
    plane = await startControlPlane(base);
    const root = plane.ca.ca.trustBundlePem;
    const serverCert = await plane.ca.ca.issue({ namespace: 'meshgate-system', serviceAccount: 'meshgate' }, 3600_000);
    await plane.close();
    plane = undefined;
    const certFile = path.join(dataDir, 'xds-cert.pem');
    const keyFile = path.join(dataDir, 'xds-key.pem');
    fs.writeFileSync(certFile, serverCert.certificateChainPem);
    fs.writeFileSync(keyFile, serverCert.privateKeyPem, { mode: 0o600 });

    plane = await startControlPlane({ ...base, xdsTlsCertFile: certFile, xdsTlsKeyFile: keyFile });
    assert.equal(plane.ca.ca.trustBundlePem, root, 'the root in the data dir is reused');
    await plane.config.apply(gatewayDocuments(['edge']));
    plane.cache.flush();

    const node = { id: 'edge-1', metadata: { meshgate_group: 'gateway/demo/edge' } };
    const secure = tlsClient(`127.0.0.1:${plane.xdsPort}`, root);
    const plain = new grpc.Client(`127.0.0.1:${plane.xdsPort}`, grpc.credentials.createInsecure());
    try {
      const overTls = await firstResponse(secure, node, TypeUrl.Listener);
      assert.ok('names' in overTls && overTls.names.length > 0, 'a gateway needs no token');
      const overPlain = await firstResponse(plain, node, TypeUrl.Listener);
      assert.ok('error' in overPlain, 'plain text is refused');
    } finally {
      secure.close();
      plain.close();
    }

    const issued = await plane.admin.inject({ method: 'POST', url: '/v1/tokens', payload: { namespace: 'demo', serviceAccount: 'catalog', workload: 'catalog-v1' } });
    assert.equal(issued.statusCode, 201);
    assert.equal(issued.headers['cache-control'], 'no-store');
    const body = issued.json() as { token: string; spiffeId: string };
    assert.equal(body.spiffeId, 'spiffe://cluster.local/ns/demo/sa/catalog');
    const verdict = plane.tokens.verify(body.token);
    assert.ok(verdict.ok && verdict.claims.workload === 'catalog-v1');
    const bad = await plane.admin.inject({ method: 'POST', url: '/v1/tokens', payload: { namespace: 'Demo!', serviceAccount: 'catalog' } });
    assert.equal(bad.statusCode, 400);

    const bundle = await plane.admin.inject({ method: 'GET', url: '/v1/ca' });
    assert.equal((bundle.json() as { trustBundle: string }).trustBundle, root);
    const cert = await plane.admin.inject({ method: 'POST', url: '/v1/certificates', payload: { namespace: 'demo', serviceAccount: 'frontend', ttlSeconds: 600 } });
    assert.equal(cert.statusCode, 201);
    assert.match((cert.json() as { certificateChain: string }).certificateChain, /BEGIN CERTIFICATE/);
  });
});
