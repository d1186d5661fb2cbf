// examples/demo-app/server.js, the docker-compose demo's services, run under node on ephemeral
// ports: catalog answers with who it is and what it saw; frontend also calls catalog (as it calls
// its sidecar's egress listener in the demo) with Host "catalog", forwarding the canary switch,
// the request id and the caller's token, and reports catalog's answer or its refusal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from './compose';

const SERVER = path.join(ROOT, 'examples', 'demo-app', 'server.js');

interface RunningApp {
  readonly port: number;
  readonly child: ChildProcess;
}

function startApp(env: Record<string, string>): Promise<RunningApp> {
  const child = spawn(process.execPath, [SERVER], { env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo app did not say it listens within 10 s')), 10_000);
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const started = JSON.parse(line) as { msg: string; port: number; address: string };
      assert.equal(started.msg, 'listening');
      assert.equal(started.address, '127.0.0.1', 'binds loopback by default: only its sidecar reaches it');
      resolve({ port: started.port, child });
    });
    child.once('exit', (code) => reject(new Error(`the demo app exited with ${code}`)));
  });
}

function stopApp(app: RunningApp | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    app.child.once('exit', () => resolve());
    app.child.kill('SIGTERM');
  });
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function get(port: number, pathName: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathName, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

/** A catalog stand-in that refuses every request, as catalog's sidecar does without a JWT. */
function refusingCatalog(): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('RBAC: access denied');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the demo app', () => {
  let catalog: RunningApp;
  let frontend: RunningApp;
  before(async () => {
    catalog = await startApp({ SERVICE_NAME: 'catalog', SERVICE_VERSION: 'v2' });
    frontend = await startApp({ SERVICE_NAME: 'frontend', SERVICE_VERSION: 'v1', CATALOG_URL: `http://127.0.0.1:${catalog.port}` });
  });
  after(async () => {
    await stopApp(frontend);
    await stopApp(catalog);
  });

  it('catalog answers any path with its service, version, method, path and the headers proxies set, never a credential', async () => {
    const answer = await get(catalog.port, '/catalog/items?page=2', { 'x-request-id': 'r-1', 'x-user': 'alice', 'x-forwarded-client-cert': 'By=spiffe://cluster.local/ns/demo/sa/catalog', authorization: 'Bearer secret-token' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body['service'], 'catalog');
    assert.equal(answer.body['version'], 'v2');
    assert.equal(answer.body['method'], 'GET');
    assert.equal(answer.body['path'], '/catalog/items?page=2');
    const headers = answer.body['headers'] as Record<string, string>;
    assert.equal(headers['x-request-id'], 'r-1');
    assert.equal(headers['x-user'], 'alice');
    assert.equal(headers['x-forwarded-client-cert'], 'By=spiffe://cluster.local/ns/demo/sa/catalog');
    assert.ok(!JSON.stringify(answer.body).includes('secret-token'));
  });

  it('frontend calls catalog with Host "catalog", forwarding x-canary, x-request-id and Authorization, and includes its answer', async () => {
    const answer = await get(frontend.port, '/', { 'x-canary': 'true', 'x-request-id': 'r-2', authorization: 'Bearer secret-token' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body['service'], 'frontend');
    const called = answer.body['catalog'] as { status: number; body: { service: string; version: string; path: string; headers: Record<string, string> } };
    assert.equal(called.status, 200);
    assert.deepEqual([called.body.service, called.body.version, called.body.path], ['catalog', 'v2', '/items']);
    assert.equal(called.body.headers['host'], 'catalog');
    assert.equal(called.body.headers['x-canary'], 'true');
    assert.equal(called.body.headers['x-request-id'], 'r-2');
  });

  it('/healthz answers without calling catalog', async () => {
    const answer = await get(frontend.port, '/healthz');
    assert.deepEqual(answer, { status: 200, body: { status: 'ok' } });
  });

  it('frontend passes catalog\'s refusal on, and answers 502 when catalog cannot be reached', async () => {
    const refusing = await refusingCatalog();
    const address = refusing.address() as { port: number };
    const guarded = await startApp({ SERVICE_NAME: 'frontend', CATALOG_URL: `http://127.0.0.1:${address.port}` });
    try {
      const refused = await get(guarded.port, '/');
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.body['catalog'], { status: 403, body: 'RBAC: access denied' });
    } finally {
      await stopApp(guarded);
      await new Promise((r) => refusing.close(r));
    }
    const unreachable = await startApp({ SERVICE_NAME: 'frontend', CATALOG_URL: `http://127.0.0.1:${address.port}` });
    try {
      const answer = await get(unreachable.port, '/');
      assert.equal(answer.status, 502);
      assert.match(String((answer.body['catalog'] as { error: string }).error), /ECONNREFUSED/);
    } finally {
      await stopApp(unreachable);
    }
  });

  it('stops on SIGTERM (it is PID 1 in its container)', async () => {
    const app = await startApp({ SERVICE_NAME: 'catalog' });
    const exited = new Promise<number | null>((resolve) => app.child.once('exit', (code) => resolve(code)));
    app.child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
