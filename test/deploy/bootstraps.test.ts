// No Envoy binary or Docker engine here: the bootstraps and the compose file are checked statically,
// the bootstraps with Envoy's own validation rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { validateMessage, formatIssue } from '../../src/validate';
import { encodeMessage } from '../../src/envoy/codec';
import type { JsonObject } from '../../src/envoy/resource';

const ROOT = path.join(__dirname, '..', '..', '..');
const read = (file: string): JsonObject => yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8')) as JsonObject;
const bootstraps = fs.readdirSync(path.join(ROOT, 'envoy')).filter((f) => f.endsWith('.yaml'));

test('envoy/ holds the gateway bootstrap', () => {
  assert.ok(bootstraps.includes('gateway.yaml'));
});

for (const file of bootstraps) {
  test(`envoy/${file} is a valid envoy.config.bootstrap.v3.Bootstrap`, () => {
    const bootstrap = read(`envoy/${file}`);
    const issues = validateMessage('envoy.config.bootstrap.v3.Bootstrap', bootstrap);
    assert.deepEqual(issues.map(formatIssue), []);
    encodeMessage('envoy.config.bootstrap.v3.Bootstrap', bootstrap); // throws on anything Envoy's JSON parser would refuse
  });

  test(`envoy/${file} reaches meshgate over ADS at the compose service's xDS port`, () => {
    const bootstrap = read(`envoy/${file}`) as any;
    assert.equal(bootstrap.dynamic_resources.ads_config.api_type, 'GRPC');
    assert.equal(bootstrap.dynamic_resources.ads_config.transport_api_version, 'V3');
    const clusterName = bootstrap.dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name;
    const cluster = bootstrap.static_resources.clusters.find((c: { name: string }) => c.name === clusterName);
    assert.ok(cluster, `static cluster ${clusterName}`);
    const address = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    assert.deepEqual([address.address, address.port_value], ['meshgate', 18000]);
    // gRPC needs HTTP/2 to the control plane
    assert.ok(cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config.http2_protocol_options);
    assert.ok(bootstrap.node.id && (bootstrap.node.metadata?.meshgate_group || bootstrap.node.cluster), 'node selects a proxy group');
  });
}

test('docker-compose.yml runs meshgate and an Envoy gateway wired to each other', () => {
  const compose = read('docker-compose.yml') as any;
  const services = compose.services;
  assert.ok(services.meshgate && services.gateway);
  assert.match(services.gateway.image, /^envoyproxy\/envoy:v1\.33\.\d+$/);
  // every bootstrap mounted into a service exists
  for (const [name, service] of Object.entries<any>(services)) {
    for (const volume of service.volumes ?? []) {
      const source = String(volume).split(':')[0]!;
      if (source.startsWith('./')) assert.ok(fs.existsSync(path.join(ROOT, source)), `${name} mounts ${source}`);
    }
    for (const dep of Object.keys(service.depends_on ?? {})) assert.ok(services[dep], `${name} depends on ${dep}`);
  }
  const mounted = services.gateway.volumes.map((v: string) => v.split(':')[1]);
  assert.ok(services.gateway.command.includes(mounted[0]), 'gateway starts with the mounted bootstrap');
  assert.equal(services.meshgate.environment.MESHGATE_XDS_PORT, '18000');
  assert.ok(services.meshgate.environment.MESHGATE_ADMIN_TOKEN, 'admin API on 0.0.0.0 needs a token');
});
