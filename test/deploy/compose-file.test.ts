// docker-compose.yml checked without Docker: it parses as compose reads it, every service it refers
// to exists, every file it mounts is in the repository, the ports and addresses it wires agree with
// meshgate's settings, the Envoy bootstrap templates and the demo policy, and its images are public
// tags. Node identities are taken from the compose file itself (the bootstrap jobs' command lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { compile } from '../../src/pipeline/compile';
import {
  commandOf,
  containerPortOf,
  controlPlaneService,
  dependenciesOf,
  envoyServices,
  flagValue,
  interpolate,
  ipv4Of,
  loadCompose,
  meshgateCliArgs,
  mountsOf,
  rawCompose,
  readEnvFile,
  repoPathOf,
  ROOT,
  type ComposeService,
} from './compose';
import { applyJob, demoFormat, documentsOf, EXAMPLES, formatNames, workloadEntriesOf } from './demo-sets';

const compose = loadCompose();
const services = compose.services;
const [cpName, cp] = controlPlaneService(compose);
const cpEnv = cp.environment ?? {};
const envoys = envoyServices(compose);

function template(envoy: (typeof envoys)[number]): JsonObject {
  const file = repoPathOf(envoy.job.service, flagValue(envoy.job.args, '--template')!)!;
  return yaml.load(fs.readFileSync(file, 'utf8')) as JsonObject;
}

function xdsAddress(bootstrap: JsonObject): { address: string; port_value: number } {
  const b = bootstrap as unknown as {
    dynamic_resources: { ads_config: { grpc_services: { envoy_grpc: { cluster_name: string } }[] } };
    static_resources: { clusters: { name: string; load_assignment: { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string; port_value: number } } } }[] }[] } }[] };
  };
  const name = b.dynamic_resources.ads_config.grpc_services[0]!.envoy_grpc.cluster_name;
  const cluster = b.static_resources.clusters.find((c) => c.name === name)!;
  return cluster.load_assignment.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address;
}

test('interpolation follows compose: defaults for unset and empty variables, $$ for a literal $', () => {
  assert.equal(interpolate('${A:-x}/${B-y}/${C}/$D/$$', { B: '', D: 'd' }), 'x//' + '/d/$');
  assert.equal(interpolate('${A:-x}', { A: 'set' }), 'set');
  assert.throws(() => interpolate('${A:?required}', {}), /unsupported interpolation/);
});

test('docker-compose.yml without variables is the Gateway API demo (examples/gateway-api/demo.env)', () => {
  assert.deepEqual(loadCompose(), loadCompose(readEnvFile(path.join(EXAMPLES, 'gateway-api', 'demo.env'))));
});

test('every service runs a public image tag (Docker Hub, a pinned tag, never "latest") and nothing is built', () => {
  for (const [name, s] of Object.entries(services)) {
    assert.equal(s.build, undefined, `${name} builds an image`);
    const match = /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)?):([A-Za-z0-9_][A-Za-z0-9._-]*)$/.exec(s.image ?? '');
    assert.ok(match, `${name}: image "${s.image}" is name:tag on Docker Hub`);
    assert.notEqual(match[2], 'latest', `${name} pins a tag`);
  }
  for (const envoy of envoys) assert.equal(envoy.service.image, 'envoyproxy/envoy:v1.33.2', `${envoy.name} is the validated Envoy`);
});

test('every service named in depends_on and network_mode exists, and every condition can be met', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, condition] of Object.entries(dependenciesOf(s))) {
      const target = services[dep];
      assert.ok(target, `${name} depends on ${dep}`);
      if (condition === 'service_healthy') assert.ok(target.healthcheck?.test, `${name} waits for ${dep} to be healthy: ${dep} has a health check`);
      if (condition === 'service_completed_successfully') assert.ok(meshgateCliArgs(target), `${name} waits for ${dep} to complete: ${dep} is a one-shot meshgate job`);
    }
    if (s.network_mode !== undefined) {
      const mode = /^service:(.+)$/.exec(s.network_mode);
      assert.ok(mode && services[mode[1]!], `${name}: network_mode ${s.network_mode} names a service`);
      assert.equal(s.networks, undefined, `${name} joins its app's network namespace, not a network`);
    }
  }
});

test('every mounted file is in the repository, every named volume and network is declared', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const m of mountsOf(s)) {
      if (m.bind) assert.ok(fs.existsSync(path.join(ROOT, m.source)), `${name} mounts ${m.source}`);
      else assert.ok(compose.volumes && m.source in compose.volumes, `${name} mounts the declared volume ${m.source}`);
    }
    const networks = s.networks === undefined ? [] : Array.isArray(s.networks) ? s.networks : Object.keys(s.networks);
    for (const n of networks) assert.ok(compose.networks && n in compose.networks, `${name} joins the declared network ${n}`);
  }
  // The one-shot jobs read files they name from the mounted repository.
  for (const [name, s] of Object.entries(services)) {
    const args = meshgateCliArgs(s);
    if (!args) continue;
    assert.equal(s.working_dir, '/app');
    assert.ok(mountsOf(s).some((m) => m.bind && m.target === '/app' && m.readOnly), `${name} mounts the repository read-only`);
    for (const flag of ['-f', '--template']) {
      args.forEach((a, i) => {
        if (args[i - 1] === flag) assert.ok(fs.existsSync(repoPathOf(s, a)!), `${name}: ${flag} ${a} exists`);
      });
    }
  }
});

test('meshgate: the xDS and admin ports of its environment are the ones published, probed, and used by every job and bootstrap', () => {
  const xdsPort = Number(cpEnv['MESHGATE_XDS_PORT']);
  const adminPort = Number(cpEnv['MESHGATE_ADMIN_PORT']);
  assert.ok(xdsPort > 0 && adminPort > 0);
  assert.equal(cpEnv['MESHGATE_ADMIN_HOST'], '0.0.0.0');
  assert.ok(cpEnv['MESHGATE_ADMIN_TOKEN'], 'the admin API on 0.0.0.0 needs a token');
  const written = (rawCompose()['services'] as Record<string, ComposeService>)[cpName]!.environment!['MESHGATE_ADMIN_TOKEN'];
  assert.match(String(written), /^\$\{MESHGATE_ADMIN_TOKEN:-[^}]+\}$/, 'the token comes from the environment, with a default');
  assert.deepEqual(cp.ports, [`127.0.0.1:${adminPort}:${adminPort}`], 'the admin API is published on the host\'s loopback only');
  assert.match(JSON.stringify(cp.healthcheck?.test), new RegExp(`http://127\\.0\\.0\\.1:${adminPort}/readyz`));
  for (const [name, s] of Object.entries(services)) {
    const args = meshgateCliArgs(s);
    if (!args) continue;
    assert.equal(s.environment?.['MESHGATE_ADMIN_URL'], `http://${cpName}:${adminPort}`, `${name} calls the admin API of ${cpName}`);
    assert.equal(s.environment?.['MESHGATE_ADMIN_TOKEN'], cpEnv['MESHGATE_ADMIN_TOKEN'], `${name} has the admin token`);
    const server = flagValue(args, '--server');
    if (server) assert.equal(server, `http://${cpName}:${adminPort}`);
    assert.equal(dependenciesOf(s)[cpName], 'service_healthy', `${name} waits for ${cpName}`);
  }
  for (const envoy of envoys) {
    assert.deepEqual(xdsAddress(template(envoy)), { address: cpName, port_value: xdsPort }, `${envoy.name}'s bootstrap reaches ${cpName}:${xdsPort}`);
  }
});

test('meshgate keeps rate limit counters in the compose file\'s Redis', () => {
  const url = /--redis-url (redis:\/\/[^\s"]+)/.exec(commandOf(cp).join(' '))?.[1];
  assert.ok(url, 'meshgate runs with --redis-url');
  const { hostname, port } = new URL(url);
  const redis = services[hostname];
  assert.ok(redis && redis.image?.startsWith('redis:'), `${hostname} is a Redis service`);
  assert.equal(port || '6379', '6379', 'the Redis image listens on 6379');
  assert.equal(dependenciesOf(cp)[hostname], 'service_healthy');
});

test('every Envoy starts with the bootstrap its own job writes from a template in envoy/, after that job and the demo policy', () => {
  assert.ok(envoys.length >= 4, 'a gateway and at least three sidecars');
  const policyJob = applyJob(compose).name;
  const volumes = new Set<string>();
  for (const envoy of envoys) {
    assert.deepEqual(commandOf(envoy.service), ['envoy', '-c', envoy.bootstrapPath]);
    const templateFile = repoPathOf(envoy.job.service, flagValue(envoy.job.args, '--template')!)!;
    assert.equal(path.dirname(templateFile), path.join(ROOT, 'envoy'));
    assert.ok(mountsOf(envoy.service).find((m) => m.source === envoy.volume)?.readOnly, `${envoy.name} mounts its bootstrap read-only`);
    assert.equal(dependenciesOf(envoy.service)[envoy.job.name], 'service_completed_successfully');
    assert.equal(dependenciesOf(envoy.service)[policyJob], 'service_completed_successfully');
    // Written owner-only for the user the envoyproxy/envoy entrypoint runs Envoy as (uid/gid 101).
    assert.equal(flagValue(envoy.job.args, '--owner'), '101:101');
    assert.ok(!volumes.has(envoy.volume), `${envoy.name} has a volume of its own: no Envoy reads another's token`);
    volumes.add(envoy.volume);
    assert.equal(Object.entries(services).filter(([, s]) => mountsOf(s).some((m) => m.source === envoy.volume)).length, 2, `only ${envoy.job.name} and ${envoy.name} mount ${envoy.volume}`);
  }
  const ids = envoys.map((e) => flagValue(e.job.args, '--node-id'));
  assert.equal(new Set(ids).size, ids.length, 'node ids are unique');
});

test('each sidecar runs in the network namespace of the app its WorkloadEntry describes, and the app listens where the Sidecar resource forwards', () => {
  const files = applyJob(compose).files;
  const entries = workloadEntriesOf(files);
  const sidecarResource = documentsOf(files).find((d) => d.kind === 'Sidecar')!.spec as {
    ingress: { port: { number: number }; defaultEndpoint: string }[];
    egress: { port: { number: number }; bind: string }[];
  };
  const sidecars = envoys.filter((e) => flagValue(e.job.args, '--group')!.startsWith('sidecar/'));
  assert.deepEqual(sidecars.map((e) => flagValue(e.job.args, '--group')).sort(), entries.map((w) => `sidecar/demo/${w.name}`).sort(), 'one sidecar per WorkloadEntry');
  for (const envoy of sidecars) {
    const args = envoy.job.args;
    const workload = entries.find((w) => `sidecar/demo/${w.name}` === flagValue(args, '--group'))!;
    assert.deepEqual([flagValue(args, '--namespace'), flagValue(args, '--service-account'), flagValue(args, '--workload')], ['demo', workload.serviceAccount, workload.name], `${envoy.job.name}'s token is for ${workload.name}'s identity`);
    const appName = /^service:(.+)$/.exec(envoy.service.network_mode ?? '')?.[1];
    assert.ok(appName, `${envoy.name} shares an app's network namespace`);
    const app = services[appName]!;
    assert.equal(ipv4Of(app), workload.address, `${appName} has ${workload.name}'s address`);
    assert.equal(app.ports, undefined, `${appName} publishes nothing: it is reached through its sidecar`);
    assert.equal(dependenciesOf(envoy.service)[appName], 'service_healthy');
    const env = app.environment ?? {};
    assert.equal(`${env['LISTEN_HOST']}:${env['PORT']}`, sidecarResource.ingress[0]!.defaultEndpoint, `${appName} listens where the sidecar forwards`);
    assert.equal(sidecarResource.ingress[0]!.port.number, workload.ports['http']);
    if (env['CATALOG_URL']) {
      const egress = new URL(env['CATALOG_URL']);
      assert.equal(`${egress.hostname}:${egress.port}`, `${sidecarResource.egress[0]!.bind}:${sidecarResource.egress[0]!.port.number}`, `${appName} calls catalog through the egress listener`);
    }
    assert.deepEqual(mountsOf(app).map((m) => [m.source, m.readOnly]), [['./examples/demo-app', true]]);
    assert.equal(commandOf(app)[1], '/demo/server.js');
  }
});

test('fixed addresses lie in the network\'s subnet, outside its dynamic range, and are unique', () => {
  const [network] = Object.values(compose.networks ?? {});
  const { subnet, ip_range: range } = network!.ipam!.config![0]!;
  const toInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const inCidr = (ip: string, cidr: string): boolean => {
    const [base, bits] = cidr.split('/');
    const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
    return ((toInt(ip) & mask) >>> 0) === ((toInt(base!) & mask) >>> 0);
  };
  const fixed = Object.entries(services).flatMap(([name, s]) => (ipv4Of(s) ? [[name, ipv4Of(s)!] as const] : []));
  assert.ok(fixed.length >= 6);
  for (const [name, ip] of fixed) {
    assert.ok(inCidr(ip, subnet!), `${name} ${ip} in ${subnet}`);
    assert.ok(!inCidr(ip, range!), `${name} ${ip} outside the dynamic range ${range}`);
  }
  assert.equal(new Set(fixed.map(([, ip]) => ip)).size, fixed.length);
});

test('the mesh admits plain text from the edge gateway\'s address, and that is the gateway\'s address', () => {
  const gateway = envoys.find((e) => !flagValue(e.job.args, '--group')!.startsWith('sidecar/'))!;
  const ip = ipv4Of(gateway.service);
  const policies = documentsOf([path.join(EXAMPLES, 'istio', 'security.yaml')]).filter((d) => d.kind === 'AuthorizationPolicy');
  const blocks = new Set(JSON.stringify(policies).match(/\d+\.\d+\.\d+\.\d+\/32/g));
  assert.deepEqual([...blocks], [`${ip}/32`]);
});

for (const name of formatNames()) {
  test(`${name}: demo.yaml exists, demo.env (if any) names this format and its edge group, and the gateway publishes exactly the edge's listener ports`, () => {
    const format = demoFormat(name);
    assert.ok(fs.existsSync(format.demoFile), `examples/${name}/demo.yaml`);
    if (format.envFile) {
      const env = readEnvFile(format.envFile);
      assert.equal(env['MESHGATE_DEMO'], name);
      assert.equal(env['MESHGATE_EDGE_GROUP'], format.edgeGroup, `examples/${name}/demo.env: the group ${name}'s demo.yaml is served as`);
    }
    const gateway = envoyServices(format.compose).find((e) => flagValue(e.job.args, '--group') === format.edgeGroup);
    assert.ok(gateway, `an Envoy reads ${format.edgeGroup}`);
    const outcome = compile(documentsOf(format.startFiles));
    assert.ok(outcome.ok);
    const listenerPorts = (outcome.config.groups.get(format.edgeGroup) ?? [])
      .filter((r) => r.typeUrl === TypeUrl.Listener)
      .map((r) => (r.json['address'] as { socket_address: { port_value: number } }).socket_address.port_value);
    const admin = ((template(gateway)['admin'] as JsonObject)['address'] as { socket_address: { port_value: number } }).socket_address.port_value;
    const published = (gateway.service.ports ?? []).map(containerPortOf);
    assert.deepEqual(published.filter((p) => p !== admin).sort(), [...new Set(listenerPorts)].sort(), 'published traffic ports = edge listeners');
    assert.ok(published.includes(admin), 'the admin port is published');
    assert.ok((gateway.service.ports ?? []).some((p) => p === `127.0.0.1:${admin}:${admin}`), 'Envoy\'s admin interface on the host\'s loopback only');
  });
}

test('every Envoy has a health check on its admin port\'s /ready, and the gateway waits for the sidecars', () => {
  for (const envoy of envoys) {
    const admin = ((template(envoy)['admin'] as JsonObject)['address'] as { socket_address: { port_value: number } }).socket_address.port_value;
    assert.match(JSON.stringify(envoy.service.healthcheck?.test), new RegExp(`/dev/tcp/127\\.0\\.0\\.1/${admin} .*GET /ready HTTP/1\\.1.*LIVE`));
  }
  const gateway = envoys.find((e) => !flagValue(e.job.args, '--group')!.startsWith('sidecar/'))!;
  for (const sidecar of envoys.filter((e) => e !== gateway)) assert.equal(dependenciesOf(gateway.service)[sidecar.name], 'service_healthy');
});
