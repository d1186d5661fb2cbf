// The bootstrap templates in envoy/ checked without Envoy: each is a valid
// envoy.config.bootstrap.v3.Bootstrap under Envoy's own validation rules (and its JSON parser), and
// reaches meshgate over ADS. docker-compose.yml's jobs fill in each proxy's node with
// `meshgate bootstrap`; those results are validated in demo-stack.test.ts, and the compose wiring
// (service name, ports) in compose-file.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { bootstrapProblems } from '../../src/cli/bootstrap';
import type { JsonObject } from '../../src/envoy/resource';
import { ROOT } from './compose';

/** The parts of a bootstrap these tests read. */
interface AdsBootstrap {
  node: { id?: string; cluster?: string; metadata?: Record<string, string> };
  dynamic_resources: {
    ads_config: { api_type: string; transport_api_version: string; set_node_on_first_message_only?: boolean; grpc_services: { envoy_grpc: { cluster_name: string } }[] };
    cds_config: unknown;
    lds_config: unknown;
  };
  static_resources: { clusters: { name: string; typed_extension_protocol_options: Record<string, { explicit_http_config: { http2_protocol_options?: unknown } }> }[] };
  admin: { address: { socket_address: { address: string; port_value: number } } };
}

const read = (file: string): JsonObject => yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8')) as JsonObject;
const bootstraps = fs.readdirSync(path.join(ROOT, 'envoy')).filter((f) => f.endsWith('.yaml'));

test('envoy/ holds the gateway and sidecar bootstraps', () => {
  assert.deepEqual(bootstraps.filter((f) => f === 'gateway.yaml' || f === 'sidecar.yaml').sort(), ['gateway.yaml', 'sidecar.yaml']);
});

for (const file of bootstraps) {
  test(`envoy/${file} is a valid envoy.config.bootstrap.v3.Bootstrap`, () => {
    assert.deepEqual(bootstrapProblems(read(`envoy/${file}`)), []);
  });

  test(`envoy/${file} gets everything over ADS (gRPC, v3, HTTP/2 to the control plane) and names a proxy group`, () => {
    const bootstrap = read(`envoy/${file}`) as unknown as AdsBootstrap;
    assert.equal(bootstrap.dynamic_resources.ads_config.api_type, 'GRPC');
    assert.equal(bootstrap.dynamic_resources.ads_config.transport_api_version, 'V3');
    assert.equal(bootstrap.dynamic_resources.ads_config.set_node_on_first_message_only, true);
    assert.deepEqual(bootstrap.dynamic_resources.cds_config, { ads: {}, resource_api_version: 'V3' });
    assert.deepEqual(bootstrap.dynamic_resources.lds_config, { ads: {}, resource_api_version: 'V3' });
    const clusterName = bootstrap.dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name;
    const cluster = bootstrap.static_resources.clusters.find((c) => c.name === clusterName);
    assert.ok(cluster, `static cluster ${clusterName}`);
    assert.ok(cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']?.explicit_http_config.http2_protocol_options);
    assert.ok(bootstrap.node.id && (bootstrap.node.metadata?.meshgate_group || bootstrap.node.cluster), 'node selects a proxy group');
    assert.equal(bootstrap.node.metadata?.meshgate_token, undefined, 'a template carries no token');
  });
}

test('a sidecar\'s admin interface is on loopback: only its own network namespace reaches it', () => {
  const admin = (read('envoy/sidecar.yaml') as unknown as AdsBootstrap).admin.address.socket_address;
  assert.equal(admin.address, '127.0.0.1');
});
