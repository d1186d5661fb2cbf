import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError, decodeAny, decodeMessage, encodeAny, encodeMessage } from '../../src/envoy/codec';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

const listener: JsonObject = {
  name: 'http',
  address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
  filter_chains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type': HCM,
            stat_prefix: 'http',
            codec_type: 'HTTP2',
            rds: { route_config_name: 'http', config_source: { ads: {}, resource_api_version: 'V3' } },
            http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
            stream_idle_timeout: '300s',
            request_timeout: '1.500s',
          },
        },
      ],
    },
  ],
  per_connection_buffer_limit_bytes: 32768,
  metadata: { filter_metadata: { meshgate: { owner: 'gateway/default', weight: 3, tags: ['a', 'b'], on: true, nothing: null } } },
};

test('a listener with an Any-packed filter round-trips through binary unchanged', () => {
  const bytes = encodeAny(TypeUrl.Listener, listener);
  const back = decodeAny(bytes);
  assert.equal(back.typeUrl, TypeUrl.Listener);
  assert.deepEqual(back.json, listener);
});

test('encoding is deterministic: key order and default values do not change the bytes', () => {
  const a = encodeMessage('envoy.config.cluster.v3.Cluster', { name: 'c', connect_timeout: '1s', type: 'EDS', lb_policy: 'ROUND_ROBIN' });
  const b = encodeMessage('envoy.config.cluster.v3.Cluster', { lb_policy: 'ROUND_ROBIN', connect_timeout: '1s', name: 'c', type: 'EDS' });
  assert.deepEqual(Buffer.from(a), Buffer.from(b));
  // ROUND_ROBIN is the enum's zero value: proto3 leaves it out, so writing it or not is the same config.
  const c = encodeMessage('envoy.config.cluster.v3.Cluster', { name: 'c', connect_timeout: '1s', type: 'EDS' });
  assert.deepEqual(Buffer.from(a), Buffer.from(c));
});

test('map entries are encoded in sorted key order', () => {
  const a = encodeMessage('envoy.config.core.v3.Metadata', { filter_metadata: { b: { x: 1 }, a: { y: 2 } } });
  const b = encodeMessage('envoy.config.core.v3.Metadata', { filter_metadata: { a: { y: 2 }, b: { x: 1 } } });
  assert.deepEqual(Buffer.from(a), Buffer.from(b));
});

test('well-known types use their proto3 JSON forms', () => {
  const cluster: JsonObject = {
    name: 'web',
    type: 'STRICT_DNS',
    connect_timeout: '0.250s',
    per_connection_buffer_limit_bytes: 1024, // UInt32Value as a plain number
    ignore_health_on_host_removal: true,
    circuit_breakers: { thresholds: [{ priority: 'HIGH', max_connections: 10, max_retries: 0 }] },
    lb_policy: 'LEAST_REQUEST',
    max_requests_per_connection: 7,
    cleanup_interval: '5.000001s',
    load_assignment: {
      cluster_name: 'web',
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'web.local', port_value: 80 } } } }] }],
    },
  };
  const json = decodeMessage('envoy.config.cluster.v3.Cluster', encodeMessage('envoy.config.cluster.v3.Cluster', cluster));
  assert.deepEqual(json, { ...cluster, cleanup_interval: '5.000001s' });
  // a wrapper that holds zero is still present
  assert.deepEqual(((json as JsonObject)['circuit_breakers'] as JsonObject)['thresholds'], [{ priority: 'HIGH', max_connections: 10, max_retries: 0 }]);
});

test('64-bit integers keep full precision and print as strings', () => {
  const json = decodeMessage('envoy.type.v3.Int64Range', encodeMessage('envoy.type.v3.Int64Range', { start: '-9007199254740993', end: '9223372036854775807' }));
  assert.deepEqual(json, { start: '-9007199254740993', end: '9223372036854775807' });
});

test('lowerCamelCase field names are accepted on input', () => {
  const json = decodeMessage('envoy.config.cluster.v3.Cluster', encodeMessage('envoy.config.cluster.v3.Cluster', { name: 'x', connectTimeout: '2s' }));
  assert.deepEqual(json, { name: 'x', connect_timeout: '2s' });
});

test('an Any of a well-known type carries its value in "value"', () => {
  const md: JsonObject = { typed_filter_metadata: { k: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'hello' } } };
  assert.deepEqual(decodeMessage('envoy.config.core.v3.Metadata', encodeMessage('envoy.config.core.v3.Metadata', md)), md);
});

test('bad input names the field path and the reason', () => {
  const cases: Array<[JsonObject, RegExp, string]> = [
    [{ name: 'c', connect_timeout: 5 }, /duration/, 'connect_timeout'],
    [{ name: 'c', nope: 1 }, /unknown field "nope"/, 'nope'],
    [{ name: 'c', type: 'BANANA' }, /not a value of enum/, 'type'],
    [{ name: 'c', load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { port_value: 5000000000 } } } }] }] } }, /out of range/, 'load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value'],
    [{ name: 'c', typed_extension_protocol_options: { x: { '@type': 'type.googleapis.com/no.such.Type' } } }, /unknown type/, 'typed_extension_protocol_options["x"].@type'],
    [{ name: 'c', load_assignment: { cluster_name: 'c', endpoints: {} } }, /expected a list/, 'load_assignment.endpoints'],
  ];
  for (const [json, reason, path] of cases) {
    assert.throws(
      () => encodeMessage('envoy.config.cluster.v3.Cluster', json),
      (err: unknown) => err instanceof CodecError && err.path === path && reason.test(err.reason),
      `${path} should fail with ${reason}`,
    );
  }
});

test('two members of one oneof are refused', () => {
  assert.throws(
    () => encodeMessage('envoy.config.route.v3.RouteAction', { cluster: 'a', cluster_header: 'x' }),
    (err: unknown) => err instanceof CodecError && /oneof "cluster_specifier"/.test(err.reason),
  );
});
