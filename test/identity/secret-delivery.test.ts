// Secrets over a real ADS stream: who gets a sidecar group's workload certificate, and how a
// renewed certificate reaches a connected proxy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildAdminServer } from '../../src/admin/server';
import { RawXdsClient, type SotwClientStream, type SotwResponse } from '../server/raw-client';
import { startMeshPlane, type MeshPlane } from './mesh-plane';

const HOUR = 3600_000;

function sidecarNode(id: string, workload: string, token?: string): JsonObject {
  return { id, cluster: 'mesh', metadata: { meshgate_group: `sidecar/demo/${workload}`, ...(token !== undefined ? { meshgate_token: token } : {}) } };
}

async function requestSecrets(plane: MeshPlane, clients: RawXdsClient[], node: JsonObject): Promise<{ stream: SotwClientStream; first: SotwResponse }> {
  const client = new RawXdsClient(plane.address);
  clients.push(client);
  const stream = client.sotw({ node });
  stream.send({ typeUrl: TypeUrl.Secret, resourceNames: ['default', 'ROOTCA'] });
  return { stream, first: await stream.next() };
}

function leafOf(response: SotwResponse): X509Certificate {
  const secret = response.resources.find((r) => r.name === 'default')!;
  const tls = secret.json['tls_certificate'] as { certificate_chain: { inline_string: string } };
  return new X509Certificate(tls.certificate_chain.inline_string);
}

describe('Secrets for sidecar groups over ADS', () => {
  let plane: MeshPlane;
  const clients: RawXdsClient[] = [];
  before(async () => {
    plane = await startMeshPlane({ ttlMs: 2 * HOUR });
  });
  after(async () => {
    for (const c of clients) c.close();
    await plane.stop();
  });

  it('a node with its workload\'s token receives "default" (its SPIFFE ID, chained to ROOTCA) and "ROOTCA"', async () => {
    const { token } = plane.tokens.issue({ namespace: 'demo', serviceAccount: 'catalog', workload: 'catalog-v1' });
    const { first } = await requestSecrets(plane, clients, sidecarNode('catalog-v1-a', 'catalog-v1', token));
    assert.equal(first.typeUrl, TypeUrl.Secret);
    assert.deepEqual([...first.names].sort(), ['ROOTCA', 'default']);
    const leaf = leafOf(first);
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/demo/sa/catalog');
    const bundle = first.resources.find((r) => r.name === 'ROOTCA')!.json['validation_context'] as { trusted_ca: { inline_string: string } };
    assert.ok(leaf.verify(new X509Certificate(bundle.trusted_ca.inline_string).publicKey));
    const tls = first.resources.find((r) => r.name === 'default')!.json['tls_certificate'] as { private_key: { inline_string: string } };
    assert.match(tls.private_key.inline_string, /BEGIN PRIVATE KEY/);
  });

  it('a token for the service account without a workload name is valid for every workload of it', async () => {
    const { token } = plane.tokens.issue({ namespace: 'demo', serviceAccount: 'catalog' });
    const { first } = await requestSecrets(plane, clients, sidecarNode('catalog-v2-a', 'catalog-v2', token));
    assert.deepEqual([...first.names].sort(), ['ROOTCA', 'default']);
  });

  for (const [title, token] of [
    ['no token', undefined],
    ['a forged token', 'mgt1.eyJucyI6ImRlbW8iLCJzYSI6ImNhdGFsb2cifQ.AAAA'],
    ['another workload\'s token', 'frontend'],
    ['a token for another workload of the same service account', 'catalog-v2'],
  ] as const) {
    it(`a node claiming sidecar/demo/catalog-v1 with ${title} receives no Secret, and the attempt is logged without the token`, async () => {
      const value =
        token === 'frontend'
          ? plane.tokens.issue({ namespace: 'demo', serviceAccount: 'frontend' }).token
          : token === 'catalog-v2'
            ? plane.tokens.issue({ namespace: 'demo', serviceAccount: 'catalog', workload: 'catalog-v2' }).token
            : token;
      const nodeId = `forged-${title.replace(/\W+/g, '-')}`;
      const client = new RawXdsClient(plane.address);
      clients.push(client);
      const stream = client.sotw({ node: sidecarNode(nodeId, 'catalog-v1', value) });
      // The rest of the group is served: listeners.
      stream.send({ typeUrl: TypeUrl.Listener });
      const listeners = await stream.next();
      assert.equal(listeners.typeUrl, TypeUrl.Listener);
      assert.ok(listeners.resources.length > 0);
      stream.ack(listeners);
      // The Secrets are not: for this proxy they do not exist, so a named request is never answered.
      stream.send({ typeUrl: TypeUrl.Secret, resourceNames: ['default', 'ROOTCA'] });
      await stream.expectNone(300);
      const warning = plane.logs.lines.find((l) => l['node'] === nodeId && l['level'] === 40 && String(l['msg']).includes('Secrets are withheld'));
      assert.ok(warning, 'a warning names the node');
      assert.equal(warning['group'], 'sidecar/demo/catalog-v1');
      assert.equal(warning['spiffeId'], 'spiffe://cluster.local/ns/demo/sa/catalog');
      if (value) assert.ok(!plane.logs.raw.some((line) => line.includes(value)), 'the token never reaches the log');
    });
  }

  it('Delta xDS applies the same rule: Secrets for the proven workload, none for a forged claim', async () => {
    const honest = plane.tokens.issue({ namespace: 'demo', serviceAccount: 'frontend' }).token;
    for (const [id, token, expected] of [['delta-honest', honest, ['ROOTCA', 'default']], ['delta-forged', undefined, []]] as const) {
      const client = new RawXdsClient(plane.address);
      clients.push(client);
      const stream = client.delta({ node: sidecarNode(id, 'frontend', token) });
      stream.send({ typeUrl: TypeUrl.Secret, subscribe: ['default', 'ROOTCA'] });
      const response = await stream.next();
      assert.deepEqual(response.resources.map((r) => r.name).sort(), expected);
      // Delta tells a proxy that a subscribed resource does not exist: for the forged node, neither does.
      if (expected.length === 0) assert.deepEqual([...response.removed].sort(), ['ROOTCA', 'default']);
    }
  });

  it('/v1/proxies/{id} shows a forged node as unauthenticated and an honest one as authenticated, never the token', async () => {
    const honest = plane.tokens.issue({ namespace: 'demo', serviceAccount: 'catalog', workload: 'catalog-v1' }).token;
    const forged = plane.tokens.issue({ namespace: 'demo', serviceAccount: 'frontend' }).token;
    for (const [id, token] of [['status-honest', honest], ['status-forged', forged]] as const) {
      const client = new RawXdsClient(plane.address);
      clients.push(client);
      const stream = client.sotw({ node: sidecarNode(id, 'catalog-v1', token) });
      stream.send({ typeUrl: TypeUrl.Listener });
      await stream.next();
    }
    const admin = buildAdminServer({ registry: plane.status.registry, snapshots: plane.cache, metrics: plane.status.metrics, readiness: {} });
    try {
      const forgedView = await admin.inject({ method: 'GET', url: '/v1/proxies/status-forged' });
      assert.equal(forgedView.statusCode, 200);
      assert.ok(!forgedView.body.includes(forged), 'the token is not echoed');
      const forgedNode = (forgedView.json() as { node: { metadata: Record<string, unknown> } }).node;
      assert.equal(forgedNode.metadata['meshgate_token'], '[redacted]');
      const identity = forgedNode.metadata['meshgate_identity'] as { authenticated: boolean; spiffe_id: string; reason: string };
      assert.equal(identity.authenticated, false);
      assert.equal(identity.spiffe_id, 'spiffe://cluster.local/ns/demo/sa/catalog');
      assert.match(identity.reason, /token is for namespace "demo" service account "frontend"/);

      const honestView = await admin.inject({ method: 'GET', url: '/v1/proxies/status-honest' });
      assert.ok(!honestView.body.includes(honest));
      const honestIdentity = (honestView.json() as { node: { metadata: Record<string, unknown> } }).node.metadata['meshgate_identity'];
      assert.deepEqual(honestIdentity, { authenticated: true, spiffe_id: 'spiffe://cluster.local/ns/demo/sa/catalog', via: 'token' });
    } finally {
      await admin.close();
    }
  });

  it('a renewed certificate is pushed under the same name with a new version before the old one expires', async () => {
    const { token } = plane.tokens.issue({ namespace: 'demo', serviceAccount: 'frontend' });
    const { stream, first } = await requestSecrets(plane, clients, sidecarNode('frontend-a', 'frontend', token));
    stream.ack(first, ['default', 'ROOTCA']);
    const before = leafOf(first);
    // The same stream also holds the group's clusters and listeners (wildcard), as an Envoy's ADS stream does.
    stream.send({ typeUrl: TypeUrl.Cluster });
    const clusters = await stream.next();
    assert.equal(clusters.typeUrl, TypeUrl.Cluster);
    stream.ack(clusters);
    stream.send({ typeUrl: TypeUrl.Listener });
    const listeners = await stream.next();
    assert.equal(listeners.typeUrl, TypeUrl.Listener);
    assert.ok(listeners.resources.length > 0, 'the sidecar group has listeners');
    stream.ack(listeners);

    plane.clock.advance(HOUR - 1000);
    assert.deepEqual(await plane.certificates.renewDue(), [], 'nothing is due before half life');
    plane.clock.advance(2000);
    const renewed = await plane.certificates.renewDue();
    assert.ok(renewed.includes('spiffe://cluster.local/ns/demo/sa/frontend'));
    plane.cache.flush();

    const pushed = await stream.next();
    assert.equal(pushed.typeUrl, TypeUrl.Secret);
    assert.deepEqual([...pushed.names].sort(), ['ROOTCA', 'default']);
    assert.notEqual(pushed.versionInfo, first.versionInfo);
    const after = leafOf(pushed);
    assert.notEqual(after.serialNumber, before.serialNumber);
    assert.equal(after.subjectAltName, before.subjectAltName);
    assert.ok(new Date(before.validTo).getTime() > plane.clock.now(), 'renewed while the old certificate was still valid');
    assert.ok(new Date(after.validTo).getTime() > new Date(before.validTo).getTime());
    // Only the Secrets moved: no Listener or Cluster push follows the renewal on this stream
    // (expectNone fails on any response, whatever its type), and the versions are the same.
    stream.ack(pushed, ['default', 'ROOTCA']);
    await stream.expectNone(300);
    const snapshot = plane.cache.getSnapshot('sidecar/demo/frontend')!;
    assert.equal(snapshot.typeVersions.get(TypeUrl.Cluster), clusters.versionInfo);
    assert.equal(snapshot.typeVersions.get(TypeUrl.Listener), listeners.versionInfo);
  });

  it('unchanged certificates are not pushed again when the configuration is re-applied', async () => {
    const { token } = plane.tokens.issue({ namespace: 'demo', serviceAccount: 'catalog' });
    const { stream, first } = await requestSecrets(plane, clients, sidecarNode('catalog-v1-b', 'catalog-v1', token));
    stream.ack(first, ['default', 'ROOTCA']);
    const before = plane.cache.getSnapshot('sidecar/demo/catalog-v1');
    await plane.config.rollback(plane.config.revision);
    plane.cache.flush();
    assert.equal(plane.cache.getSnapshot('sidecar/demo/catalog-v1'), before);
    await stream.expectNone(150);
  });
});
