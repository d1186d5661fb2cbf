// The CLI with Kong files, run as the compiled `meshgate` binary: convert (stdout, -o, one line
// per error and exit 1, --lenient warnings on stderr), validate/render with --lenient, and the
// .proto file a grpc-gateway plugin names inlined from beside the Kong file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { runCli, writeTempFiles } from '../cli/helpers';

const GOOD = `_format_version: "3.0"
services:
  - name: web
    url: http://10.6.0.1:8080
    routes: [{name: web, paths: [/web]}]
consumers:
  - username: u1
    keyauth_credentials: [{key: u1-secret-key-value}]
`;
const TWO_ERRORS = `_format_version: "3.0"
services:
  - name: web
    url: http://10.6.0.1:8080
    routes:
      - name: web
        paths: [/web]
        hosts: [web.example.*]
        plugins: [{name: key-auth, config: {key_nam: [x]}}]
`;
const CANNOT = `_format_version: "3.0"
services:
  - name: web
    url: http://10.6.0.1:8080
    routes: [{name: web, paths: [/web], hosts: [web.example.*, web.example.com]}]
`;
const PROTO = `syntax = "proto3";
package hello;
import "google/api/annotations.proto";
service Hello {
  rpc Say (SayRequest) returns (SayReply) { option (google.api.http) = { get: "/v1/say/{name}" }; }
}
message SayRequest { string name = 1; }
message SayReply { string message = 1; }
`;
const GRPC_GATEWAY = `_format_version: "3.0"
services:
  - name: hello
    protocol: grpc
    host: 10.6.0.2
    port: 50051
    routes:
      - name: hello
        protocols: [http]
        paths: [/]
        strip_path: false
        plugins: [{name: grpc-gateway, config: {proto: protos/hello.proto}}]
`;

describe('meshgate convert and --lenient', { concurrency: 4 }, () => {
  let files: ReturnType<typeof writeTempFiles>;
  before(() => {
    files = writeTempFiles({ 'good.yaml': GOOD, 'two-errors.yaml': TWO_ERRORS, 'cannot.yaml': CANNOT, 'grpc.yaml': GRPC_GATEWAY });
    fs.mkdirSync(`${files.dir}/protos`);
    fs.writeFileSync(`${files.dir}/protos/hello.proto`, PROTO);
  });
  after(() => files.remove());

  it('prints Gateway API + meshgate documents, each naming its Kong origin', async () => {
    const r = await runCli(['convert', '-f', files.file('good.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const docs = yaml.loadAll(r.stdout) as { kind: string; metadata: { name: string; annotations: Record<string, string> } }[];
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['GatewayClass', 'Gateway', 'Backend', 'BackendPolicy', 'TrafficPolicy', 'HTTPRouteFilter', 'HTTPRoute', 'Secret', 'Consumer'],
    );
    assert.equal(docs.find((d) => d.kind === 'HTTPRoute')?.metadata.annotations['meshgate.io/kong-source'], 'services[0].routes[0]');
  });

  it('-o writes the file', async () => {
    const out = files.file('out.yaml');
    const r = await runCli(['convert', '-f', files.file('good.yaml'), '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(fs.readFileSync(out, 'utf8'), /kind: Gateway\n/);
  });

  it('exits 1 with one line per error, naming file, KongConfiguration and Kong path, and prints nothing', async () => {
    const r = await runCli(['convert', '-f', files.file('two-errors.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.ok(lines.some((l) => /^error: .*two-errors\.yaml: KongConfiguration default\/kong: services\[0\]\.routes\[0\]\.plugins\[0\]\.config\.key_nam: unknown field/.test(l)), r.stderr);
    assert.ok(lines.some((l) => /^error: .*two-errors\.yaml: KongConfiguration default\/kong: services\[0\]\.routes\[0\]\.hosts\[0\]: cannot be honoured/.test(l)), r.stderr);
  });

  it('--lenient turns what cannot be honoured into warnings on stderr and converts the rest', async () => {
    const strict = await runCli(['convert', '-f', files.file('cannot.yaml')]);
    assert.equal(strict.code, 1);
    const lenient = await runCli(['convert', '--lenient', '-f', files.file('cannot.yaml')]);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(lenient.stderr, /^warning: KongConfiguration default\/kong: services\[0\]\.routes\[0\]\.hosts\[0\]: .*dropped: lenient/m);
    const route = (yaml.loadAll(lenient.stdout) as { kind: string; spec: { hostnames?: string[] } }[]).find((d) => d.kind === 'HTTPRoute');
    assert.deepEqual(route?.spec.hostnames, ['web.example.com']);
  });

  it('validate and render take --lenient too', async () => {
    assert.equal((await runCli(['validate', '-f', files.file('cannot.yaml')])).code, 1);
    const v = await runCli(['validate', '--lenient', '-f', files.file('cannot.yaml')]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /gateway\/default\/kong/);
    assert.match(v.stderr, /warning: KongConfiguration default\/kong: services\[0\]\.routes\[0\]\.hosts\[0\]/);
    const r = await runCli(['render', '--lenient', '-f', files.file('cannot.yaml'), '--node-id', 'kong-1', '--meta', 'meshgate_group=gateway/default/kong']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { group: string }).group, 'gateway/default/kong');
  });

  it('a grpc-gateway config.proto file name is read from beside the Kong file and inlined', async () => {
    const r = await runCli(['convert', '-f', files.file('grpc.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const policy = (yaml.loadAll(r.stdout) as { kind: string; spec: { grpcJsonTranscoder?: { proto: string } } }[]).find((d) => d.spec?.grpcJsonTranscoder);
    assert.equal(policy?.spec.grpcJsonTranscoder?.proto, PROTO);
    fs.renameSync(`${files.dir}/protos/hello.proto`, `${files.dir}/protos/gone.proto`);
    try {
      const missing = await runCli(['validate', '-f', files.file('grpc.yaml')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /services\[0\]\.routes\[0\]\.plugins\[0\]\.config\.proto: cannot read .*hello\.proto: ENOENT/);
    } finally {
      fs.renameSync(`${files.dir}/protos/gone.proto`, `${files.dir}/protos/hello.proto`);
    }
  });
});
