// Listener semantics: one Envoy listener per address and port, SNI filter chains for HTTPS,
// transport_protocol when plain HTTP shares the port, merged plain-HTTP listeners, and the IR
// conflicts Envoy would reject.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/envoy/resource';
import { buildProxyResources, XdsBuildError } from '../../src/xds';
import { hcmOf, httpListener, httpsListener, only, plainOptions, proxy, route, secret, TypeUrl } from './fixtures';

const certs = ['api-cert', 'www-cert', 'any-cert'].map(secret);

test('HTTPS listeners sharing a port become one listener with one SNI filter chain each', () => {
  const resources = buildProxyResources(
    proxy([httpsListener('api', ['api.example.com']), httpsListener('www', ['www.example.com', 'example.com']), httpsListener('any', [])], { secrets: certs }),
  );
  const listeners = only(resources, TypeUrl.Listener);
  assert.equal(listeners.length, 1);
  const listener = listeners[0]!;
  assert.equal(listener['name'], '0.0.0.0_443');
  assert.deepEqual((listener['listener_filters'] as JsonObject[]).map((f) => f['name']), ['envoy.filters.listener.tls_inspector']);
  const chains = listener['filter_chains'] as JsonObject[];
  assert.deepEqual(
    chains.map((c) => [c['name'], c['filter_chain_match']]),
    [
      ['api', { server_names: ['api.example.com'] }],
      ['www', { server_names: ['www.example.com', 'example.com'] }],
      ['any', undefined],
    ],
  );
  // Each chain has its own route table and its own certificate over SDS.
  assert.deepEqual(chains.map((_, i) => ((hcmOf(listener, i)['rds'] as JsonObject)['route_config_name'])), ['api', 'www', 'any']);
  assert.deepEqual(only(resources, TypeUrl.RouteConfiguration).map((r) => r['name']), ['any', 'api', 'www']);
  const tls = (chains[0]!['transport_socket'] as JsonObject)['typed_config'] as JsonObject;
  const sds = ((tls['common_tls_context'] as JsonObject)['tls_certificate_sds_secret_configs'] as JsonObject[])[0]!;
  assert.deepEqual(sds, { name: 'api-cert', sds_config: { ads: {}, resource_api_version: 'V3' } });
});

test('plain HTTP and HTTPS on one port also match on transport_protocol', () => {
  const resources = buildProxyResources(proxy([httpListener('plain', [route('r')], { port: 443 }), httpsListener('tls', ['a.example.com'])], { secrets: [secret('tls-cert')] }));
  const chains = only(resources, TypeUrl.Listener)[0]!['filter_chains'] as JsonObject[];
  assert.deepEqual(
    chains.map((c) => c['filter_chain_match']),
    [{ transport_protocol: 'raw_buffer' }, { server_names: ['a.example.com'], transport_protocol: 'tls' }],
  );
});

test('plain-HTTP listeners on one port share a chain with all their hosts and combined options', () => {
  const blog = httpListener('blog', [route('blog')], { hostnames: ['blog.example.com'], options: { ...plainOptions, accessLog: true } });
  const docs = httpListener('docs', [route('docs')], { hostnames: ['docs.example.com'], options: { ...plainOptions, websocket: true } });
  const withDomains = (l: typeof blog, domain: string) => ({ ...l, virtualHosts: [{ ...l.virtualHosts[0]!, name: 'main', domains: [domain] }] });
  const resources = buildProxyResources(proxy([withDomains(blog, 'blog.example.com'), withDomains(docs, 'docs.example.com')]));
  const listener = only(resources, TypeUrl.Listener)[0]!;
  assert.equal((listener['filter_chains'] as JsonObject[]).length, 1);
  const hcm = hcmOf(listener);
  assert.ok(hcm['access_log'], 'access log asked by one listener is on');
  assert.deepEqual(hcm['upgrade_configs'], [{ upgrade_type: 'websocket' }]);
  const routeConfig = only(resources, TypeUrl.RouteConfiguration)[0]!;
  assert.equal(routeConfig['name'], 'blog+docs');
  // Both IR hosts are called "main": the second is prefixed with its listener's name.
  assert.deepEqual((routeConfig['virtual_hosts'] as JsonObject[]).map((h) => [h['name'], h['domains']]), [
    ['main', ['blog.example.com']],
    ['docs/main', ['docs.example.com']],
  ]);
});

test('two HTTPS listeners claiming the same server name on a port are rejected', () => {
  const ir = proxy([httpsListener('a', ['x.example.com', 'y.example.com']), httpsListener('b', ['y.example.com'])], { secrets: [secret('a-cert'), secret('b-cert')] });
  assert.throws(() => buildProxyResources(ir), (e: unknown) => e instanceof XdsBuildError && /both serve y\.example\.com/.test(e.message));
});

test('an HTTPS listener without a certificate is rejected', () => {
  const bare = { ...httpsListener('bare', ['a.example.com']), tls: { certificateSecrets: [] } };
  assert.throws(() => buildProxyResources(proxy([bare])), /has no certificate/);
});

test('two hosts of one route table claiming the same domain are rejected', () => {
  const a = httpListener('a', [route('a')], { hostnames: ['x.example.com'] });
  const b = httpListener('b', [route('b')], { hostnames: ['x.example.com'] });
  assert.throws(() => buildProxyResources(proxy([a, b])), /both claim domain \*/);
});

test('the HCM carries the listener options and always sets internal_address_config', () => {
  const options = { ...plainOptions, accessLog: true, requestId: { generate: false, preserveExternal: true, returnInResponse: true }, http2: true, websocket: true };
  const hcm = hcmOf(only(buildProxyResources(proxy([httpListener('h', [route('r')], { options })])), TypeUrl.Listener)[0]!);
  assert.equal(hcm['codec_type'], undefined, 'AUTO is the zero value');
  assert.ok(hcm['http2_protocol_options']);
  assert.equal(hcm['generate_request_id'], false);
  assert.equal(hcm['preserve_external_request_id'], true);
  assert.equal(hcm['always_set_request_id_in_response'], true);
  assert.deepEqual(hcm['upgrade_configs'], [{ upgrade_type: 'websocket' }]);
  const log = (hcm['access_log'] as JsonObject[])[0]!;
  assert.equal(log['name'], 'envoy.access_loggers.stdout');
  assert.ok(((log['typed_config'] as JsonObject)['log_format'] as JsonObject)['json_format']);
  assert.deepEqual((hcm['internal_address_config'] as JsonObject)['cidr_ranges'], [
    { address_prefix: '127.0.0.1', prefix_len: 32 },
    { address_prefix: '::1', prefix_len: 128 },
  ]);
  const http1 = hcmOf(only(buildProxyResources(proxy([httpListener('h', [route('r')])])), TypeUrl.Listener)[0]!);
  assert.equal(http1['codec_type'], 'HTTP1', 'a plain listener without http2 refuses h2c');
});

test('an HTTPS redirect listener answers every request with the redirect and nothing else', () => {
  const redirecting = httpListener('http', [route('ignored')], { hostnames: ['example.com'], httpsRedirect: { port: 443, statusCode: 308 } });
  const routeConfig = only(buildProxyResources(proxy([redirecting])), TypeUrl.RouteConfiguration)[0]!;
  assert.deepEqual(routeConfig['virtual_hosts'], [
    {
      name: 'http/https_redirect',
      domains: ['example.com'],
      routes: [{ name: 'http/https_redirect', match: { prefix: '/' }, redirect: { https_redirect: true, port_redirect: 443, response_code: 'PERMANENT_REDIRECT' } }],
    },
  ]);
});

test('Prometheus stats: a stats route in every host, a catch-all host, and the admin cluster', () => {
  const listener = httpListener('h', [route('r')], { options: { ...plainOptions, prometheusStatsPath: '/metrics' } });
  const scoped = { ...listener, virtualHosts: [{ ...listener.virtualHosts[0]!, domains: ['app.example.com'] }] };
  const resources = buildProxyResources(proxy([scoped]));
  const hosts = only(resources, TypeUrl.RouteConfiguration)[0]!['virtual_hosts'] as JsonObject[];
  assert.deepEqual(hosts.map((h) => [h['domains'], (h['routes'] as JsonObject[])[0]!['name']]), [
    [['app.example.com'], 'prometheus_stats'],
    [['*'], 'prometheus_stats'],
  ]);
  const stats = (hosts[0]!['routes'] as JsonObject[])[0]!['route'] as JsonObject;
  assert.deepEqual(stats, { cluster: 'meshgate_envoy_admin', prefix_rewrite: '/stats/prometheus' });
  const admin = only(resources, TypeUrl.Cluster).find((c) => c['name'] === 'meshgate_envoy_admin');
  assert.ok(admin, 'the admin cluster is generated');
  assert.equal(admin['type'], undefined, 'STATIC is the zero value');
});

test('resources come sorted by push order, then name, and the same IR gives the same output', () => {
  const ir = proxy([httpsListener('b', ['b.example.com'], 8443), httpListener('a', [route('r')])], { secrets: [secret('b-cert')] });
  const resources = buildProxyResources(ir);
  assert.deepEqual(
    resources.map((r) => `${r.typeUrl.split('.').pop()}:${r.name}`),
    ['Cluster:backend', 'ClusterLoadAssignment:backend', 'Listener:0.0.0.0_8080', 'Listener:0.0.0.0_8443', 'RouteConfiguration:a', 'RouteConfiguration:b', 'Secret:b-cert'],
  );
  assert.deepEqual(buildProxyResources(ir), resources);
});

test('duplicate listener or cluster names are IR errors', () => {
  assert.throws(() => buildProxyResources(proxy([httpListener('x', []), httpListener('x', [], { port: 9090 })])), /two listeners are named "x"/);
  const ir = proxy([httpListener('x', [])]);
  assert.throws(() => buildProxyResources({ ...ir, clusters: [...ir.clusters, ...ir.clusters] }), /two clusters are named "backend"/);
});
