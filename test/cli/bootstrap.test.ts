// `meshgate bootstrap` run as the compiled CLI: the bootstrap it prints or writes is the template
// with the proxy's node, its token proves the workload to the control plane that issued it, and it
// is a valid Envoy Bootstrap; bad input is refused with a reason and writes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/app';
import { bootstrapProblems } from '../../src/cli/bootstrap';
import type { JsonObject } from '../../src/envoy/resource';
import { TokenAuthority } from '../../src/identity';
import { runCli, writeTempFiles } from './helpers';

const ADMIN_TOKEN = 'bootstrap-test-admin-token-0123456789';

function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'envoy'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

const SIDECAR_TEMPLATE = path.join(repositoryRoot(), 'envoy', 'sidecar.yaml');
const template = yaml.load(fs.readFileSync(SIDECAR_TEMPLATE, 'utf8')) as JsonObject;

interface Node {
  id: string;
  cluster?: string;
  metadata: Record<string, string>;
}

function nodeOf(bootstrap: JsonObject): Node {
  return bootstrap['node'] as unknown as Node;
}

const SIDECAR_ARGS = ['--template', SIDECAR_TEMPLATE, '--node-id', 'catalog-v1', '--node-cluster', 'catalog', '--group', 'sidecar/demo/catalog-v1', '--namespace', 'demo', '--service-account', 'catalog', '--workload', 'catalog-v1'];

describe('meshgate bootstrap', { concurrency: true }, () => {
  it('offline: prints the template with the node, and a token the data dir\'s key verifies for that workload', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-bootstrap-'));
    try {
      const result = await runCli(['bootstrap', ...SIDECAR_ARGS, '--data-dir', dataDir]);
      assert.equal(result.code, 0, result.stderr);
      const bootstrap = yaml.load(result.stdout) as JsonObject;
      assert.deepEqual(bootstrapProblems(bootstrap), []);
      const node = nodeOf(bootstrap);
      assert.equal(node.id, 'catalog-v1');
      assert.equal(node.cluster, 'catalog');
      assert.equal(node.metadata['meshgate_group'], 'sidecar/demo/catalog-v1');
      const verdict = TokenAuthority.open(dataDir, { create: false }).verify(node.metadata['meshgate_token']!);
      assert.ok(verdict.ok, 'token verifies');
      assert.deepEqual([verdict.claims.namespace, verdict.claims.serviceAccount, verdict.claims.workload], ['demo', 'catalog', 'catalog-v1']);
      // Everything but the node is the template's.
      const { node: _n, ...rest } = bootstrap;
      const { node: _t, ...templateRest } = template;
      assert.deepEqual(rest, templateRest);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('without an identity there is no token, and a token in the template is not carried over', async () => {
    const files = writeTempFiles({
      'template.yaml': yaml.dump({ ...template, node: { id: 'x', cluster: 'edge', metadata: { meshgate_group: 'gateway/default/edge', meshgate_token: 'mgt1.someone-elses', team: 'web' } } }),
    });
    try {
      const result = await runCli(['bootstrap', '--template', files.file('template.yaml'), '--node-id', 'edge-1']);
      assert.equal(result.code, 0, result.stderr);
      const node = nodeOf(yaml.load(result.stdout) as JsonObject);
      assert.deepEqual(node, { id: 'edge-1', cluster: 'edge', metadata: { meshgate_group: 'gateway/default/edge', team: 'web' } });
    } finally {
      files.remove();
    }
  });

  it('refuses a template that would not make a valid Bootstrap, naming the field, and writes nothing', async () => {
    const files = writeTempFiles({ 'template.yaml': yaml.dump({ ...template, admin: { address: { socket_address: { address: '127.0.0.1', port_value: 70000 } } } }) });
    try {
      const out = files.file('out.yaml');
      const result = await runCli(['bootstrap', '--template', files.file('template.yaml'), '--node-id', 'edge-1', '--out', out]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /would not be a valid envoy\.config\.bootstrap\.v3\.Bootstrap/);
      assert.match(result.stderr, /port_value/);
      assert.equal(fs.existsSync(out), false);
    } finally {
      files.remove();
    }
  });

  it('usage errors: required flags, half an identity, --owner without --out, --data-dir with --server', async () => {
    const cases: [string[], RegExp][] = [
      [['--node-id', 'a'], /--template and --node-id are required/],
      [['--template', SIDECAR_TEMPLATE, '--node-id', 'a', '--namespace', 'demo'], /give both --namespace and --service-account/],
      [['--template', SIDECAR_TEMPLATE, '--node-id', 'a', '--workload', 'w'], /--workload and --ttl need --namespace and --service-account/],
      [['--template', SIDECAR_TEMPLATE, '--node-id', 'a', '--owner', '101:101'], /--owner needs --out/],
      [['--template', SIDECAR_TEMPLATE, '--node-id', 'a', '--out', '/tmp/x', '--owner', 'envoy'], /--owner takes UID:GID/],
      [['--template', SIDECAR_TEMPLATE, '--node-id', 'a', '--data-dir', '/tmp', '--server', 'http://127.0.0.1:1'], /not both/],
      [['--template', '/nonexistent/envoy.yaml', '--node-id', 'a'], /cannot read --template \/nonexistent\/envoy\.yaml/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['bootstrap', ...args]);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
    }
  });
});

describe('meshgate bootstrap --server (a running control plane issues the token)', () => {
  let dataDir: string;
  let plane: ControlPlane;
  let server: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-bootstrap-plane-'));
    plane = await startControlPlane(
      { xdsHost: '127.0.0.1', xdsPort: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir, logLevel: 'silent', identifier: 'test', adminToken: ADMIN_TOKEN },
      pino({ level: 'silent' }),
    );
    server = `http://127.0.0.1:${plane.adminPort}`;
  });
  after(async () => {
    await plane.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('--out writes the bootstrap owner-only (it holds the token) and prints where, never the token', async () => {
    const out = path.join(dataDir, 'catalog-v1.yaml');
    const owner = `${process.getuid!()}:${process.getgid!()}`;
    const result = await runCli(['bootstrap', ...SIDECAR_ARGS, '--server', server, '--out', out, '--owner', owner], { env: { MESHGATE_ADMIN_TOKEN: ADMIN_TOKEN } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `wrote ${out}: node catalog-v1, proxy group sidecar/demo/catalog-v1, token for demo/catalog (workload catalog-v1)\n`);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    const text = fs.readFileSync(out, 'utf8');
    assert.match(text, /^# Envoy bootstrap generated by `meshgate bootstrap`/);
    const token = nodeOf(yaml.load(text) as JsonObject).metadata['meshgate_token']!;
    assert.ok(!result.stderr.includes(token));
    const verdict = plane.tokens.verify(token);
    assert.ok(verdict.ok, 'the control plane accepts its token');
    assert.equal(verdict.claims.workload, 'catalog-v1');
  });

  it('a wrong admin token or an unreachable server exits 1 with the reason and writes nothing', async () => {
    const out = path.join(dataDir, 'refused.yaml');
    const refused = await runCli(['bootstrap', ...SIDECAR_ARGS, '--server', server, '--out', out], { env: { MESHGATE_ADMIN_TOKEN: 'not-the-token' } });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^meshgate bootstrap: /);
    const unreachable = await runCli(['bootstrap', ...SIDECAR_ARGS, '--server', 'http://127.0.0.1:1', '--out', out]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
    assert.equal(fs.existsSync(out), false);
  });
});
