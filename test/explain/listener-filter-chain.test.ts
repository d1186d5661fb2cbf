import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainRequest } from '../../src/explain';
import { edsCluster, endpoints, fwd, hcmChain, listener, req, routeConfig, secret, tlsInspector, vhost } from './builders';

const anyHost = routeConfig('rc', [vhost('all', ['*'], [fwd('r', { prefix: '/' }, 'backend')])]);
const backend = [edsCluster('backend'), endpoints('backend', [{ address: '10.0.0.1', port: 80 }])];

/** HTTPS listener on 8443 with SNI chains, each chain with its own route table named after it. */
function sniGateway(withDefault: boolean) {
  const chain = (name: string, serverNames: string[]) => hcmChain({ name, match: { server_names: serverNames, transport_protocol: 'tls' }, rds: name, tlsSecret: `cert-${name}` });
  const table = (name: string) => routeConfig(name, [vhost(name, ['*'], [fwd(name, { prefix: '/' }, 'backend')])]);
  return [
    listener('https', 8443, [chain('exact', ['www.example.com']), chain('wild', ['*.example.com']), chain('deep', ['*.api.example.com'])], {
      listenerFilters: [tlsInspector],
      ...(withDefault ? { defaultChain: hcmChain({ name: 'fallback', rds: 'fallback', tlsSecret: 'cert-fallback' }) } : {}),
    }),
    ...['exact', 'wild', 'deep', 'fallback'].flatMap((n) => [table(n), secret(`cert-${n}`)]),
    ...backend,
  ];
}

test('no listener on the port: decision no_listener', () => {
  const r = explainRequest([listener('http', 8080, [hcmChain()]), anyHost, ...backend], req({ port: 9090 }));
  assert.equal(r.decision, 'no_listener');
  assert.equal(r.listener, undefined);
  assert.match(r.steps.join('\n'), /nothing listens on port 9090 \(listeners are on 8080\)/);
});

test('listener: one bound to the exact destination IP wins over the wildcard one', () => {
  const resources = [
    listener('wild', 8080, [hcmChain()]),
    listener('exact', 8080, [hcmChain()], { address: '192.168.1.10' }),
    anyHost,
    ...backend,
  ];
  assert.equal(explainRequest(resources, req({ destinationIp: '192.168.1.10' })).listener?.name, 'exact');
  assert.equal(explainRequest(resources, req({ destinationIp: '192.168.1.11' })).listener?.name, 'wild');
  assert.equal(explainRequest(resources, req()).listener?.name, 'wild');
});

test('SNI: the exact server name wins over a wildcard that also matches', () => {
  const r = explainRequest(sniGateway(false), req({ port: 8443, tls: true, host: 'www.example.com' }));
  assert.equal(r.filterChain?.name, 'exact');
  assert.equal(r.routeConfig?.name, 'exact');
  assert.deepEqual(r.filterChain?.secrets, [{ name: 'cert-exact', found: true }]);
  assert.equal(r.decision, 'forward');
});

test('SNI: among wildcards the longest suffix wins', () => {
  assert.equal(explainRequest(sniGateway(false), req({ port: 8443, tls: true, host: 'v1.api.example.com' })).filterChain?.name, 'deep');
  assert.equal(explainRequest(sniGateway(false), req({ port: 8443, tls: true, host: 'shop.example.com' })).filterChain?.name, 'wild');
  // A wildcard covers several labels.
  assert.equal(explainRequest(sniGateway(false), req({ port: 8443, tls: true, host: 'a.b.example.com' })).filterChain?.name, 'wild');
});

test('SNI: sni overrides the host, and an unmatched name falls to the default chain', () => {
  const r = explainRequest(sniGateway(true), req({ port: 8443, tls: true, host: 'www.example.com', sni: 'other.org' }));
  assert.equal(r.filterChain?.index, 'default');
  assert.equal(r.filterChain?.name, 'fallback');
  assert.equal(r.routeConfig?.name, 'fallback');
});

test('SNI: no chain and no default chain: the connection is closed', () => {
  const r = explainRequest(sniGateway(false), req({ port: 8443, tls: true, host: 'other.org' }));
  assert.equal(r.decision, 'connection_closed');
  assert.match(r.steps.join('\n'), /no default_filter_chain/);
});

test('transport protocol: plaintext goes to the raw_buffer chain, TLS to the tls chain', () => {
  const resources = [
    listener('mixed', 8080, [hcmChain({ name: 'tls', match: { transport_protocol: 'tls' }, tlsSecret: 'c' }), hcmChain({ name: 'plain', match: { transport_protocol: 'raw_buffer' } })], { listenerFilters: [tlsInspector] }),
    anyHost,
    secret('c'),
    ...backend,
  ];
  assert.equal(explainRequest(resources, req()).filterChain?.name, 'plain');
  assert.equal(explainRequest(resources, req({ tls: true })).filterChain?.name, 'tls');
});

test('without tls_inspector Envoy sees no SNI: chains with server_names never match', () => {
  const resources = [
    listener('https', 8443, [hcmChain({ name: 'named', match: { server_names: ['www.example.com'] }, tlsSecret: 'c' }), hcmChain({ name: 'any', tlsSecret: 'c' })]),
    anyHost,
    secret('c'),
    ...backend,
  ];
  const r = explainRequest(resources, req({ port: 8443, tls: true, host: 'www.example.com' }));
  assert.equal(r.filterChain?.name, 'any');
  assert.match(r.steps.join('\n'), /no tls_inspector/);
});

test('no backtracking: the most specific SNI chain failing a later criterion does not fall back to a less specific chain', () => {
  const resources = [
    listener('l', 8443, [
      hcmChain({ name: 'sni-h2-only', match: { server_names: ['www.example.com'], application_protocols: ['h2'] }, tlsSecret: 'c' }),
      hcmChain({ name: 'catch-all', tlsSecret: 'c' }),
    ], { listenerFilters: [tlsInspector] }),
    anyHost,
    secret('c'),
    ...backend,
  ];
  assert.equal(explainRequest(resources, req({ port: 8443, tls: true, host: 'www.example.com', alpn: ['h2', 'http/1.1'] })).filterChain?.name, 'sni-h2-only');
  assert.equal(explainRequest(resources, req({ port: 8443, tls: true, host: 'www.example.com', alpn: ['http/1.1'] })).decision, 'connection_closed');
  assert.equal(explainRequest(resources, req({ port: 8443, tls: true, host: 'other.example.com', alpn: ['http/1.1'] })).filterChain?.name, 'catch-all');
});

test('source prefix ranges: the longest matching prefix wins, chains without one catch the rest', () => {
  const resources = [
    listener('l', 8080, [
      hcmChain({ name: 'wide', match: { source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }] } }),
      hcmChain({ name: 'narrow', match: { source_prefix_ranges: [{ address_prefix: '10.1.0.0', prefix_len: 16 }] } }),
      hcmChain({ name: 'rest' }),
    ]),
    anyHost,
    ...backend,
  ];
  assert.equal(explainRequest(resources, req({ sourceIp: '10.1.2.3' })).filterChain?.name, 'narrow');
  assert.equal(explainRequest(resources, req({ sourceIp: '10.200.0.1' })).filterChain?.name, 'wide');
  assert.equal(explainRequest(resources, req({ sourceIp: '172.16.0.1' })).filterChain?.name, 'rest');
});

test('destination port is decided before source IP: a port-specific chain shadows the others', () => {
  const resources = [
    listener('l', 8080, [
      hcmChain({ name: 'port', match: { destination_port: 8080, source_prefix_ranges: [{ address_prefix: '192.168.0.0', prefix_len: 16 }] } }),
      hcmChain({ name: 'rest' }),
    ]),
    anyHost,
    ...backend,
  ];
  assert.equal(explainRequest(resources, req({ sourceIp: '192.168.3.4' })).filterChain?.name, 'port');
  assert.equal(explainRequest(resources, req({ sourceIp: '10.1.2.3' })).decision, 'connection_closed');
});

test('TLS chain with a missing SDS secret is reported; plaintext to a TLS chain closes the connection', () => {
  const resources = [listener('https', 8443, [hcmChain({ tlsSecret: 'absent' })]), anyHost, ...backend];
  const ok = explainRequest(resources, req({ port: 8443, tls: true }));
  assert.deepEqual(ok.filterChain?.secrets, [{ name: 'absent', found: false }]);
  assert.match(ok.steps.join('\n'), /NOT in this proxy's secrets/);
  const plain = explainRequest(resources, req({ port: 8443 }));
  assert.equal(plain.decision, 'connection_closed');
  assert.match(plain.steps.join('\n'), /expects TLS but the client speaks plaintext/);
});

test('tcp_proxy: the connection goes straight to the cluster', () => {
  const resources = [
    listener('tcp', 5432, [
      {
        filters: [
          {
            name: 'envoy.filters.network.tcp_proxy',
            typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: 'pg', weighted_clusters: { clusters: [{ name: 'pg-a', weight: 3 }, { name: 'pg-b', weight: 1 }] } },
          },
        ],
      },
    ]),
    edsCluster('pg-a'),
    endpoints('pg-a', [{ address: '10.9.0.1', port: 5432 }]),
  ];
  const r = explainRequest(resources, req({ port: 5432 }));
  assert.equal(r.decision, 'forward');
  assert.equal(r.upstream?.tcp, true);
  assert.deepEqual(r.upstream?.clusters.map((c) => [c.name, c.percent, c.found]), [['pg-a', 75, true], ['pg-b', 25, false]]);
  assert.deepEqual(r.upstream?.endpoints.map((e) => `${e.address}:${e.port}`), ['10.9.0.1:5432']);
});
