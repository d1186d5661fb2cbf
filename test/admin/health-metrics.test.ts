import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildTestAdmin, type TestAdmin } from './app';

describe('admin API: health, readiness, metrics, errors', () => {
  let t: TestAdmin;
  let xdsBound = false;
  before(() => {
    t = buildTestAdmin({ readiness: { xds: () => xdsBound, cache: () => true } });
  });
  after(() => t.close());

  it('GET /healthz answers 200 while the process runs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as { status: string }).status, 'ok');
  });

  it('GET /readyz answers 503 until every check passes, then 200', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), {
      status: 'not_ready',
      checks: { xds: false, cache: true },
      error: { code: 'not_ready', message: 'waiting for: xds' },
    });
    xdsBound = true;
    res = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ready', checks: { xds: true, cache: true } });
  });

  it('a readiness check that throws counts as not ready', async () => {
    const failing = buildTestAdmin({ readiness: { cache: () => { throw new Error('boom'); } } });
    try {
      const res = await failing.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
    } finally {
      await failing.close();
    }
  });

  it('GET /metrics serves the Prometheus text format', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    assert.ok(text.startsWith('# HELP '), 'raw text, not a JSON string');
    assert.ok(text.includes('# TYPE meshgate_connected_proxies gauge\n'));
    assert.ok(text.includes('meshgate_connected_proxies{protocol="delta"} 1\n'));
    assert.ok(text.includes('meshgate_connected_proxies{protocol="sotw"} 1\n'));
    assert.ok(text.includes(`meshgate_xds_pushes_total{type_url="${TypeUrl.Secret}"} 1\n`));
    assert.ok(text.includes(`meshgate_xds_push_bytes_total{type_url="${TypeUrl.Cluster}"} 200\n`));
    assert.ok(text.includes(`meshgate_xds_acks_total{type_url="${TypeUrl.Cluster}"} 1\n`));
    assert.ok(text.includes(`meshgate_xds_nacks_total{type_url="${TypeUrl.Listener}"} 1\n`));
    assert.ok(text.includes('# TYPE meshgate_convergence_seconds histogram\n'));
    assert.ok(/\nprocess_resident_memory_bytes \d+\n/.test(text));
  });

  it('unknown routes answer 404 in the error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nope?x=1' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { error: { code: 'not_found', message: 'no route for GET /nope' } });
  });
});
