// Clusters and endpoints: discovery types, defaults, LB policies, HTTP/2 and TLS upstreams, and
// the EDS assignment of static endpoints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import { buildCluster, buildLoadAssignment } from '../../src/xds/clusters';
import { source } from './fixtures';

const staticCluster = (extra: Partial<Cluster> = {}): Cluster => ({
  name: 'c',
  discovery: { type: 'static', endpoints: [{ address: '10.0.0.1', port: 80 }] },
  source,
  ...extra,
});

test('static endpoints are served over EDS; the cluster has a 5 s connect timeout by default', () => {
  assert.deepEqual(buildCluster(staticCluster()), {
    name: 'c',
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    connect_timeout: '5s',
  });
  assert.deepEqual(buildLoadAssignment(staticCluster()), {
    cluster_name: 'c',
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } } }] }],
  });
});

test('DNS backends resolve in Envoy and carry their endpoint inline (no EDS resource)', () => {
  const strict = buildCluster(staticCluster({ discovery: { type: 'dns', hostname: 'api.example', port: 443 }, connectTimeoutMs: 750 }));
  assert.equal(strict['type'], 'STRICT_DNS');
  assert.equal(strict['connect_timeout'], '0.750s');
  assert.deepEqual(((strict['load_assignment'] as JsonObject)['endpoints'] as JsonObject[]).length, 1);
  assert.equal(buildLoadAssignment(staticCluster({ discovery: { type: 'dns', hostname: 'api.example', port: 443 } })), undefined);
  assert.equal(buildCluster(staticCluster({ discovery: { type: 'dns', hostname: 'h', port: 1, logical: true } }))['type'], 'LOGICAL_DNS');
});

test('load-balancing policies', () => {
  const lb = (c: Cluster['lb']) => {
    const json = buildCluster(staticCluster({ lb: c }));
    return [json['lb_policy'], json['ring_hash_lb_config']];
  };
  assert.deepEqual(lb({ type: 'RoundRobin' }), [undefined, undefined]);
  assert.deepEqual(lb({ type: 'LeastRequest' }), ['LEAST_REQUEST', undefined]);
  assert.deepEqual(lb({ type: 'Random' }), ['RANDOM', undefined]);
  assert.deepEqual(lb({ type: 'RingHash' }), ['RING_HASH', { minimum_ring_size: '1024' }]);
  assert.deepEqual(lb({ type: 'Maglev' }), ['MAGLEV', undefined]);
});

test('HTTP/2 upstreams use HttpProtocolOptions and offer h2 over TLS', () => {
  const json = buildCluster(staticCluster({ http2: true, tls: { sni: 'up.example' } }));
  const options = (json['typed_extension_protocol_options'] as JsonObject)['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'] as JsonObject;
  assert.deepEqual(options['explicit_http_config'], { http2_protocol_options: {} });
  const tls = (json['transport_socket'] as JsonObject)['typed_config'] as JsonObject;
  assert.deepEqual(tls['common_tls_context'], { alpn_protocols: ['h2'] });
  assert.equal(tls['sni'], 'up.example');
});

test('endpoints are grouped by locality with weights and envoy.lb label metadata', () => {
  const assignment = buildLoadAssignment(
    staticCluster({
      discovery: {
        type: 'static',
        endpoints: [
          { address: '10.0.0.2', port: 80, locality: { zone: 'b' }, weight: 2, labels: { v: '2' } },
          { address: '10.0.0.1', port: 80, locality: { zone: 'a' } },
          { address: '10.0.0.3', port: 80, locality: { zone: 'b' } },
        ],
      },
    }),
  )!;
  const localities = assignment['endpoints'] as JsonObject[];
  assert.deepEqual(localities.map((l) => [(l['locality'] as JsonObject)['zone'], (l['lb_endpoints'] as JsonObject[]).length]), [
    ['a', 1],
    ['b', 2],
  ]);
  const weighted = (localities[1]!['lb_endpoints'] as JsonObject[])[0]!;
  assert.equal(weighted['load_balancing_weight'], 2);
  assert.deepEqual(weighted['metadata'], { filter_metadata: { 'envoy.lb': { v: '2' } } });
});
