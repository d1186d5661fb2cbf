import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { REDACTED } from '../../src/status/redact';
import { CERT_PEM } from '../status/fixtures';
import { LONG_ID, NACK_TEXT, buildTestAdmin, type TestAdmin } from './app';

// Response bodies are navigated loosely in assertions; a wrong path fails the assertion anyway.
type Obj = Record<string, any>;

describe('admin API: /v1/proxies', () => {
  let t: TestAdmin;
  before(() => {
    t = buildTestAdmin();
  });
  after(() => t.close());

  it('GET /v1/proxies lists connected proxies, then disconnected ones', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/proxies' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.json() as Obj;
    assert.deepEqual(body.proxies.map((p: Obj) => [p.id, p.state]), [
      ['gw-1', 'connected'],
      [LONG_ID, 'connected'],
      ['gone', 'disconnected'],
    ]);
    const gw = body.proxies[0];
    assert.equal(gw.cluster, 'gateways');
    assert.equal(gw.group, 'edge');
    assert.equal(gw.protocol, 'delta');
    assert.equal(gw.sync, 'nacked');
    assert.equal(gw.userAgentName, 'envoy');
    assert.equal(gw.connectedSince, new Date(Date.UTC(2024, 0, 1, 12)).toISOString());
    const listeners = gw.types.find((x: Obj) => x.type === 'listeners');
    assert.equal(listeners.state, 'nacked');
    assert.equal(listeners.nackedVersion, t.cache.getSnapshot('edge')!.typeVersions.get(TypeUrl.Listener));
    assert.equal(gw.types.find((x: Obj) => x.type === 'clusters').state, 'synced');
    assert.equal(body.proxies[1].sync, 'not_sent');
    assert.equal(body.proxies[2].disconnectReason, 'transport closed');
  });

  it('GET /v1/proxies/:id shows per type the version sent, ACKed and the last NACK', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/proxies/gw-1' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as Obj;
    assert.equal(body.id, 'gw-1');
    assert.deepEqual(body.node.metadata, { role: 'edge' });
    assert.equal(body.node.cluster, 'gateways');
    assert.equal(body.streams.length, 1);
    assert.equal(body.streams[0].protocol, 'delta');
    assert.deepEqual(body.types.map((x: Obj) => x.type), ['clusters', 'endpoints', 'listeners', 'routes', 'secrets']);
    const versions = t.cache.getSnapshot('edge')!.typeVersions;
    const clusters = body.types[0];
    assert.equal(clusters.state, 'synced');
    assert.equal(clusters.sent.version, versions.get(TypeUrl.Cluster));
    assert.equal(clusters.acked.version, versions.get(TypeUrl.Cluster));
    assert.equal(clusters.sent.bytes, 200);
    assert.equal(clusters.resourceCount, 1);
    assert.match(clusters.acked.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const listeners = body.types[2];
    assert.equal(listeners.state, 'nacked');
    assert.equal(listeners.acked, undefined);
    assert.equal(listeners.lastNack.errorMessage, NACK_TEXT);
    assert.equal(listeners.lastNack.rejectedVersion, versions.get(TypeUrl.Listener));
    assert.equal(listeners.lastNack.errorCode, 3);
    assert.equal(listeners.lastNack.resolved, false);
    assert.equal(body.types[4].resourceCount, 2);
  });

  it('finds proxies by URL-encoded ids longer than 100 characters', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/proxies/${encodeURIComponent(LONG_ID)}` });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as Obj).id, LONG_ID);
    const slash = await t.app.inject({ method: 'GET', url: `/v1/proxies/${encodeURIComponent('a/b')}` });
    assert.equal(slash.statusCode, 404);
    assert.deepEqual(slash.json(), { error: { code: 'not_found', message: 'no proxy with node id "a/b"' } });
  });

  it('answers 404 with the error shape for unknown proxies, on detail and config', async () => {
    for (const url of ['/v1/proxies/nope', '/v1/proxies/nope/config']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.deepEqual(res.json(), { error: { code: 'not_found', message: 'no proxy with node id "nope"' } });
    }
  });

  it('GET /v1/proxies/:id/config returns the resources the proxy receives, grouped, with "@type"', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/proxies/gw-1/config' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as Obj;
    assert.equal(body.id, 'gw-1');
    assert.equal(body.group, 'edge');
    assert.deepEqual(Object.keys(body).sort(), ['clusters', 'endpoints', 'group', 'id', 'listeners', 'routes', 'secrets', 'state']);
    assert.deepEqual(body.clusters.map((c: Obj) => [c['@type'], c.name]), [[TypeUrl.Cluster, 'backend']]);
    assert.deepEqual(body.endpoints.map((c: Obj) => c.cluster_name), ['backend']);
    assert.deepEqual(body.listeners.map((c: Obj) => c.name), ['http']);
    assert.deepEqual(body.routes.map((c: Obj) => [c['@type'], c.name]), [[TypeUrl.RouteConfiguration, 'local']]);
    const snapshotJson = t.cache.getSnapshot('edge')!.resources.get(TypeUrl.RouteConfiguration)!.get('local')!.json;
    assert.deepEqual({ ...body.routes[0], '@type': undefined }, { ...snapshotJson, '@type': undefined });
    // Nested Anys keep their "@type" too.
    assert.equal(body.listeners[0].filter_chains[0].filters[0].typed_config['@type'].endsWith('HttpConnectionManager'), true);
  });

  it('never echoes private keys, passwords or generic secret values', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/proxies/gw-1/config' });
    const secrets = (res.json() as Obj).secrets as Obj[];
    assert.deepEqual(secrets.map((s) => s.name), ['edge-cert', 'hmac']);
    const cert = secrets[0]!;
    assert.equal(cert['@type'], TypeUrl.Secret);
    assert.equal(cert.tls_certificate.private_key.inline_string, REDACTED);
    assert.equal(cert.tls_certificate.password.inline_string, REDACTED);
    assert.equal(cert.tls_certificate.certificate_chain.inline_string, CERT_PEM);
    assert.equal(secrets[1]!.generic_secret.secret.inline_bytes, REDACTED);
    assert.ok(!res.body.includes('PRIVATE KEY'));
    assert.ok(!res.body.includes('hunter2'));
    assert.ok(!res.body.includes(Buffer.from('s3cr3t-value').toString('base64')));
  });

  it('shows an empty config for a proxy that has been sent nothing', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/proxies/${encodeURIComponent(LONG_ID)}/config` });
    assert.equal(res.statusCode, 200);
    const body = res.json() as Obj;
    for (const group of ['listeners', 'routes', 'clusters', 'endpoints', 'secrets']) assert.deepEqual(body[group], [], group);
  });

  it('reflects new events on the next request', async () => {
    t.script.open('s9', 'late', { group: 'edge' });
    const res = await t.app.inject({ method: 'GET', url: '/v1/proxies/late' });
    assert.equal(res.statusCode, 200);
    t.script.close('s9');
    assert.equal(((await t.app.inject({ method: 'GET', url: '/v1/proxies/late' })).json() as Obj).state, 'disconnected');
  });
});
