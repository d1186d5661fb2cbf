// The offline subcommands (validate, render, explain) and the dispatcher, run as the compiled CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TypeUrl } from '../../src/envoy/type-urls';
import { BASIC_FIXTURE, FIXTURES, runCli, writeTempFiles } from './helpers';

const GROUP_META = 'meshgate_group=gateway/default/edge';
const WEB_CLUSTER = 'backend/default/web/8000';
const BASIC = fs.readFileSync(BASIC_FIXTURE, 'utf8');
const TLS_CERT = fs.readFileSync(path.join(FIXTURES, 'tls', 'shop.example.com.crt'), 'utf8');
const TLS_KEY = fs.readFileSync(path.join(FIXTURES, 'tls', 'shop.example.com.key'), 'utf8');

function indent(pem: string): string {
  return pem.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
}

/** The fixture plus an HTTPS listener for shop.example.com with the test certificate. */
const WITH_TLS =
  BASIC.replace(
    '      protocol: HTTP\n',
    '      protocol: HTTP\n    - name: https\n      port: 8443\n      protocol: HTTPS\n      hostname: shop.example.com\n      tls:\n        certificateRefs: [{name: shop-tls}]\n',
  ) + `\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: shop-tls}\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n${indent(TLS_CERT)}\n  tls.key: |\n${indent(TLS_KEY)}\n`;

interface Rendered {
  group: string;
  listeners: { '@type': string; name: string }[];
  routes: { '@type': string; name: string; virtual_hosts?: { domains: string[] }[] }[];
  clusters: { '@type': string; name: string }[];
  endpoints: { '@type': string; cluster_name: string }[];
  secrets: { '@type': string; name: string }[];
}

// Every case is its own process and reads only its own files: run them side by side.
describe('meshgate CLI (offline commands)', { concurrency: 4 }, () => {
  let files: ReturnType<typeof writeTempFiles>;
  before(() => {
    files = writeTempFiles({
      'bad-port.yaml': BASIC.replace('port: 8080', 'port: abc'),
      'malformed.yaml': `${BASIC}\n---\nkind: [unclosed\n`,
      'with-tls.yaml': WITH_TLS,
      'dangling.yaml': BASIC.replace('          name: web\n          port: 8000', '          name: web-missing\n          port: 8000'),
    });
  });
  after(() => files.remove());

  it('validate: good policy exits 0 and names the proxy group', async () => {
    const result = await runCli(['validate', '-f', BASIC_FIXTURE]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^valid: 2 proxy group\(s\): gateway\/default\/edge \(\d+ resources\), grpc:gateway\/default\/edge \(\d+ resources\)$/m);
  });

  it('validate: reads standard input with -f -', async () => {
    const result = await runCli(['validate', '-f', '-'], { stdin: BASIC });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /gateway\/default\/edge/);
  });

  it('validate: a schema violation exits 1 naming the file, document, path and reason', async () => {
    const file = files.file('bad-port.yaml');
    const result = await runCli(['validate', '-f', file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    const line = result.stderr.split('\n').find((l) => l.includes('spec.listeners[0].port'));
    assert.ok(line, result.stderr);
    assert.ok(line.includes(file), `no file name in: ${line}`);
    assert.match(line, /Gateway default\/edge/);
    assert.match(line, /integer/);
  });

  it('validate: malformed YAML exits 1 naming the file and the line', async () => {
    const file = files.file('malformed.yaml');
    const result = await runCli(['validate', '-f', file]);
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(file), result.stderr);
    assert.match(result.stderr, /line \d+, column \d+: malformed YAML/);
  });

  it('validate: a reference to a missing Backend exits 1 naming the file, the route and the backend', async () => {
    const file = files.file('dangling.yaml');
    const result = await runCli(['validate', '-f', file]);
    assert.equal(result.code, 1);
    const line = result.stderr.split('\n').find((l) => l.includes('web-missing'));
    assert.ok(line, result.stderr);
    assert.ok(line.includes(file), line);
    assert.match(line, /HTTPRoute default\/web/);
    assert.match(line, /BackendNotFound/);
  });

  it('render: prints the listeners, routes, clusters, endpoints and secrets the node would receive', async () => {
    const result = await runCli(['render', '-f', BASIC_FIXTURE, '--node-id', 'x', '--meta', GROUP_META]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as Rendered;
    assert.equal(out.group, 'gateway/default/edge');
    assert.deepEqual(out.listeners.map((l) => l.name), ['0.0.0.0_8080']);
    assert.equal(out.listeners[0]!['@type'], TypeUrl.Listener);
    assert.deepEqual(out.routes.map((r) => r.name), ['http']);
    assert.deepEqual(out.routes[0]!.virtual_hosts?.flatMap((v) => v.domains), ['shop.example.com']);
    assert.ok(out.clusters.some((c) => c.name === WEB_CLUSTER), JSON.stringify(out.clusters.map((c) => c.name)));
    const endpoints = out.endpoints.find((e) => e.cluster_name === WEB_CLUSTER);
    assert.ok(endpoints);
    assert.match(JSON.stringify(endpoints), /10\.0\.0\.1/);
    assert.deepEqual(out.secrets, []);
  });

  it('render: TLS secrets are listed by name with the private key redacted', async () => {
    const result = await runCli(['render', '-f', files.file('with-tls.yaml'), '--node-id', 'x', '--meta', GROUP_META]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as Rendered;
    assert.equal(out.secrets.length, 1);
    assert.equal(out.secrets[0]!['@type'], TypeUrl.Secret);
    assert.equal(out.listeners.length, 2);
    assert.ok(!result.stdout.includes('PRIVATE KEY'));
    for (const line of TLS_KEY.split('\n').filter((l) => l && !l.startsWith('-----'))) assert.ok(!result.stdout.includes(line), 'private key printed');
  });

  it('render: a node of a group without resources gets empty lists and a warning', async () => {
    const result = await runCli(['render', '-f', BASIC_FIXTURE, '--node-id', 'x', '--meta', 'meshgate_group=gateway/default/nope']);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /has no resources \(groups: gateway\/default\/edge, grpc:gateway\/default\/edge\)/);
    const out = JSON.parse(result.stdout) as Rendered;
    assert.deepEqual([out.listeners, out.routes, out.clusters, out.endpoints, out.secrets], [[], [], [], [], []]);
  });

  it('render: --node-id is required', async () => {
    const result = await runCli(['render', '-f', BASIC_FIXTURE]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--node-id is required/);
  });

  it('explain: a request to shop.example.com:8080/ is forwarded to the web backend', async () => {
    const result = await runCli(['explain', '-f', BASIC_FIXTURE, '--node-id', 'x', '--meta', GROUP_META, '--port', '8080', '--host', 'shop.example.com', '--path', '/']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^proxy group: gateway\/default\/edge$/m);
    assert.match(result.stdout, /^decision: forward$/m);
    assert.ok(result.stdout.includes(`cluster: ${WEB_CLUSTER}`), result.stdout);
  });

  it('explain --json: the decision and upstream cluster as JSON; an unknown host is not forwarded', async () => {
    const base = ['explain', '-f', BASIC_FIXTURE, '--node-id', 'x', '--meta', GROUP_META, '--port', '8080', '--path', '/', '--json'];
    const hit = await runCli([...base, '--host', 'shop.example.com']);
    assert.equal(hit.code, 0, hit.stderr);
    const forwarded = JSON.parse(hit.stdout) as { decision: string; upstream?: { clusters: { name: string }[] } };
    assert.equal(forwarded.decision, 'forward');
    assert.deepEqual(forwarded.upstream?.clusters.map((c) => c.name), [WEB_CLUSTER]);
    const miss = await runCli([...base, '--host', 'other.example.com']);
    assert.equal(miss.code, 0, miss.stderr);
    const refused = JSON.parse(miss.stdout) as { decision: string; status?: number };
    assert.equal(refused.decision, 'no_route');
    assert.equal(refused.status, 404);
  });

  it('explain: a port that is not a number is a usage error', async () => {
    const result = await runCli(['explain', '-f', BASIC_FIXTURE, '--node-id', 'x', '--port', 'http', '--host', 'shop.example.com']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--port must be a port number/);
    assert.match(result.stderr, /usage: meshgate explain/);
  });

  it('an unknown command exits 1 with the usage', async () => {
    const result = await runCli(['frobnicate']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown command "frobnicate"/);
    assert.match(result.stderr, /usage: meshgate <command>/);
  });

  it('no command exits 1 with the usage; --help exits 0', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /usage: meshgate <command>/);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /validate/);
  });

  it('an unknown option exits 1 naming it', async () => {
    const result = await runCli(['validate', '-f', BASIC_FIXTURE, '--bogus']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown option --bogus/);
  });
});
