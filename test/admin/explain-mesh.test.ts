// POST /v1/explain with a mesh request (`from` instead of `group`) against a whole control plane
// serving the demo's Istio policy: the caller's outbound route and cluster, each destination
// endpoint's inbound authorization, and 400/404 answers that name the field at fault.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/app';
import { goldenPath } from '../golden-helper';

const EXAMPLES = path.join(path.dirname(goldenPath('x')), '..', '..', 'examples', 'istio');
const POLICY = ['registry.yaml', 'traffic.yaml', 'security.yaml'].map((f) => fs.readFileSync(path.join(EXAMPLES, f), 'utf8')).join('\n---\n');

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly body: Record<string, unknown>;
}

interface MeshAnswer {
  kind: string;
  from: { group: string; principal: string };
  route?: string;
  decision: string;
  authorization: string;
  destinations: { cluster: string; subset?: string; percent: number; mtls: boolean; inbound: { endpoint: string; group?: string; decision: string; status?: number; decidedBy?: string }[] }[];
  steps: string[];
}

interface ErrorAnswer {
  error: { code: string; message: string; details?: { field: string }[] };
}

describe('POST /v1/explain: mesh requests', () => {
  let plane: ControlPlane;
  let dataDir: string;

  async function call(method: string, url: string, body?: string, type = 'application/json'): Promise<Answer> {
    const response = await fetch(`http://127.0.0.1:${plane.adminPort}${url}`, { method, headers: body !== undefined ? { 'content-type': type } : {}, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    return { status: response.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const explain = (body: unknown): Promise<Answer> => call('POST', '/v1/explain', JSON.stringify(body));

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-explain-mesh-'));
    plane = await startControlPlane(
      { xdsHost: '127.0.0.1', xdsPort: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir, logLevel: 'silent', identifier: 'test' },
      pino({ level: 'silent' }),
      { debounceMs: 5, maxDelayMs: 50 },
    );
    const applied = await call('POST', '/v1/apply', POLICY, 'application/yaml');
    assert.equal(applied.status, 200, applied.text);
  });

  after(async () => {
    await plane.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('frontend → catalog: the canary route to subset v2 over mTLS, allowed by the catalog policy', async () => {
    const answer = await explain({ from: { namespace: 'demo', serviceAccount: 'frontend' }, host: 'catalog', port: 8080, path: '/items', headers: { 'x-canary': 'true' } });
    assert.equal(answer.status, 200, answer.text);
    const r = answer.body as unknown as MeshAnswer;
    assert.equal(r.kind, 'mesh');
    assert.equal(r.from.group, 'sidecar/demo/frontend');
    assert.equal(r.route, 'demo/catalog/canary@catalog.demo.svc.cluster.local:8080');
    assert.equal(r.decision, 'forward');
    assert.deepEqual(
      r.destinations.map((d) => [d.cluster, d.percent, d.mtls]),
      [['outbound|8080|v2|catalog.demo.svc.cluster.local', 100, true]],
    );
    assert.deepEqual(r.destinations[0]!.inbound.map((i) => [i.endpoint, i.group, i.decision, i.decidedBy]), [['10.77.0.12:9080', 'sidecar/demo/catalog-v2', 'allowed', 'demo/catalog[rules[0]]']]);
    assert.equal(r.authorization, 'allowed');
  });

  it('catalog-v1 → catalog: routed, but the destination denies it (403)', async () => {
    const answer = await explain({ from: { workload: 'demo/catalog-v1' }, host: 'catalog', port: 8080, method: 'GET', path: '/' });
    assert.equal(answer.status, 200, answer.text);
    const r = answer.body as unknown as MeshAnswer;
    assert.equal(r.decision, 'forward');
    assert.equal(r.authorization, 'denied');
    const inbound = r.destinations.flatMap((d) => d.inbound);
    assert.ok(inbound.length > 0);
    for (const i of inbound) assert.deepEqual([i.decision, i.status], ['denied', 403]);
  });

  it('a bad mesh request is 400 naming the field', async () => {
    const bad = async (body: unknown, field: RegExp): Promise<void> => {
      const answer = await explain(body);
      assert.equal(answer.status, 400, answer.text);
      const e = answer.body as unknown as ErrorAnswer;
      assert.equal(e.error.code, 'bad_request');
      assert.match(e.error.message, field);
    };
    await bad({ from: { namespace: 'demo' }, host: 'catalog', port: 8080 }, /from\.serviceAccount|from needs/);
    await bad({ from: { namespace: 'demo', serviceAccount: '' }, host: 'catalog', port: 8080 }, /from\/serviceAccount must NOT have fewer than 1 characters/);
    await bad({ from: {}, host: 'catalog', port: 8080 }, /from needs group, workload, or namespace with serviceAccount/);
    await bad({ from: { workload: 'demo/frontend' }, group: 'sidecar/demo/frontend', host: 'catalog', port: 8080 }, /group .* or from .*not both/);
    await bad({ from: { workload: 'demo/frontend' }, host: 'catalog', port: 8080, sni: 'x' }, /body\.sni does not apply to a mesh request/);
    await bad({ from: { workload: 'demo/frontend' }, host: 'catalog' }, /port/);
    await bad({ host: 'catalog', port: 8080, path: '/' }, /must have group .* or from/);
    // catalog-v1 and catalog-v2 both run as demo/catalog: the caller must say which.
    await bad({ from: { namespace: 'demo', serviceAccount: 'catalog' }, host: 'catalog', port: 8080 }, /several sidecars run as demo\/catalog \(sidecar\/demo\/catalog-v1, sidecar\/demo\/catalog-v2\): name one with from\.workload/);
  });

  it('an unknown caller is 404 naming the field and the known sidecars', async () => {
    const answer = await explain({ from: { workload: 'demo/nobody' }, host: 'catalog', port: 8080 });
    assert.equal(answer.status, 404, answer.text);
    const e = answer.body as unknown as ErrorAnswer;
    assert.deepEqual(e.error.details, [{ field: 'from.workload' }]);
    assert.match(e.error.message, /sidecar\/demo\/frontend/);
  });

  it('gateway requests keep their shape: path is still required', async () => {
    const answer = await explain({ group: 'sidecar/demo/frontend', host: 'catalog', port: 8080 });
    assert.equal(answer.status, 400, answer.text);
    assert.match((answer.body as unknown as ErrorAnswer).error.message, /'path'/);
  });
});
