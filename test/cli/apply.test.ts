// `meshgate apply` run as the compiled CLI against a control plane started in this process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/app';
import { BASIC_FIXTURE, runCli, writeTempFiles } from './helpers';

const GROUP = 'gateway/default/edge';
const TOKEN = 'cli-apply-test-token-0123456789';
const BASIC = fs.readFileSync(BASIC_FIXTURE, 'utf8');

async function startPlane(dataDir: string, adminToken?: string): Promise<ControlPlane> {
  return startControlPlane(
    { xdsHost: '127.0.0.1', xdsPort: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir, logLevel: 'silent', identifier: 'test', ...(adminToken ? { adminToken } : {}) },
    pino({ level: 'silent' }),
    { debounceMs: 5, maxDelayMs: 50 },
  );
}

function endpointAddresses(plane: ControlPlane): string[] {
  const text = JSON.stringify([...(plane.cache.getSnapshot(GROUP)?.resources.values() ?? [])].flatMap((m) => [...m.values()].map((r) => r.json)));
  return [...text.matchAll(/"address":"(10\.\d+\.\d+\.\d+)"/g)].map((m) => m[1]!);
}

describe('meshgate apply (CLI → admin API)', () => {
  let dir: string;
  let plane: ControlPlane;
  let files: ReturnType<typeof writeTempFiles>;
  let env: Record<string, string>;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-cli-apply-'));
    plane = await startPlane(dir, TOKEN);
    env = { MESHGATE_ADMIN_URL: `http://127.0.0.1:${plane.adminPort}/`, MESHGATE_ADMIN_TOKEN: TOKEN };
    files = writeTempFiles({
      'moved.yaml': BASIC.replace('address: 10.0.0.1', 'address: 10.0.0.9'),
      'bad-port.yaml': BASIC.replace('port: 8080', 'port: abc'),
      'extra-backend.yaml': 'apiVersion: meshgate.io/v1alpha1\nkind: Backend\nmetadata: {name: billing}\nspec:\n  endpoints: [{address: 10.0.0.5, port: 80}]\n',
    });
  });
  after(async () => {
    files.remove();
    await plane.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies a file: prints each document "created" and the revision, exit 0, and the proxy group is served', async () => {
    const result = await runCli(['apply', '-f', BASIC_FIXTURE], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^HTTPRoute\.gateway\.networking\.k8s\.io default\/web created$/m);
    assert.match(result.stdout, /^Backend\.meshgate\.io default\/web created$/m);
    assert.match(result.stdout, /^revision 1$/m);
    assert.equal(plane.store.revision, 1);
    assert.deepEqual(endpointAddresses(plane), ['10.0.0.1']);
  });

  it('applying the same file again prints "unchanged" and keeps the revision', async () => {
    const result = await runCli(['apply', '-f', BASIC_FIXTURE], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^HTTPRoute\.gateway\.networking\.k8s\.io default\/web unchanged$/m);
    assert.doesNotMatch(result.stdout, / (created|configured)$/m);
    assert.match(result.stdout, /^revision 1$/m);
  });

  it('--dry-run prints the outcome and the per-group diff and stores nothing', async () => {
    const result = await runCli(['apply', '--dry-run', '-f', files.file('moved.yaml')], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Backend\.meshgate\.io default\/web configured \(dry run\)$/m);
    assert.match(result.stdout, /^proxy group gateway\/default\/edge: 0 added, 1 changed, 0 removed$/m);
    assert.match(result.stdout, /^dry run against revision 1: nothing stored$/m);
    assert.equal(plane.store.revision, 1);
    assert.deepEqual(endpointAddresses(plane), ['10.0.0.1']);
  });

  it('several -f files make one revision', async () => {
    const result = await runCli(['apply', '-f', files.file('moved.yaml'), '-f', files.file('extra-backend.yaml'), '--message', 'move web'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Backend\.meshgate\.io default\/web configured$/m);
    assert.match(result.stdout, /^Backend\.meshgate\.io default\/billing created$/m);
    assert.match(result.stdout, /^revision 2$/m);
    assert.equal(plane.store.revision, 2);
    assert.deepEqual(endpointAddresses(plane), ['10.0.0.9']);
  });

  it('refused policy exits 1 and prints the document, path and reason; nothing is stored', async () => {
    const result = await runCli(['apply', '-f', files.file('bad-port.yaml')], { env });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^error: /m);
    assert.match(result.stderr, /Gateway default\/edge: spec\.listeners\[0\]\.port: .*integer/);
    assert.equal(plane.store.revision, 2);
  });

  it('without the admin token (or with a wrong one) it exits 1 and stores nothing', async () => {
    for (const token of [undefined, 'wrong-token']) {
      const result = await runCli(['apply', '-f', BASIC_FIXTURE], { env: { MESHGATE_ADMIN_URL: env['MESHGATE_ADMIN_URL']!, MESHGATE_ADMIN_TOKEN: token ?? '' } });
      assert.equal(result.code, 1, String(token));
      assert.match(result.stderr, /^error: /m);
    }
    assert.equal(plane.store.revision, 2);
  });

  it('--server overrides MESHGATE_ADMIN_URL; an unreachable server exits 1', async () => {
    const result = await runCli(['apply', '-f', BASIC_FIXTURE, '--server', 'http://127.0.0.1:1'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^meshgate: /m);
  });

  it('a directory sends its .yaml files in name order as one revision', async () => {
    const policy = writeTempFiles({
      'a-route.yaml': BASIC.replace('address: 10.0.0.1', 'address: 10.0.0.7'),
      'b-backend.yaml': 'apiVersion: meshgate.io/v1alpha1\nkind: Backend\nmetadata: {name: ledger}\nspec:\n  endpoints: [{address: 10.0.0.6, port: 80}]\n',
      'notes.txt': 'not policy',
    });
    try {
      const result = await runCli(['apply', '-f', policy.dir], { env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Backend\.meshgate\.io default\/web configured$/m);
      assert.match(result.stdout, /^Backend\.meshgate\.io default\/ledger created$/m);
      assert.match(result.stdout, /^revision 3$/m);
      assert.deepEqual(endpointAddresses(plane), ['10.0.0.7']);
    } finally {
      policy.remove();
    }
  });

  it('apply without -f is a usage error', async () => {
    const result = await runCli(['apply'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /give at least one -f/);
    assert.match(result.stderr, /usage: meshgate apply/);
  });
});
