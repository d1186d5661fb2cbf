import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainRequest } from '../../src/explain';
import { fwd, httpGateway, req, vhost } from './builders';

const route = (name: string) => [fwd(name, { prefix: '/' }, 'backend')];
const hosts = [
  vhost('any', ['*'], route('any')),
  vhost('prefix', ['api.*'], route('prefix')),
  vhost('suffix-short', ['*.com'], route('suffix-short')),
  vhost('suffix-long', ['*.example.com'], route('suffix-long')),
  vhost('exact', ['api.example.com', 'www.example.com'], route('exact')),
];

function vhostFor(host: string, o: Parameters<typeof httpGateway>[1] = {}) {
  return explainRequest(httpGateway(hosts, o), req({ host }));
}

test('virtual host: an exact domain wins over every wildcard', () => {
  const r = vhostFor('api.example.com');
  assert.deepEqual(r.virtualHost, { name: 'exact', matchedDomain: 'api.example.com', matchKind: 'exact' });
  assert.equal(r.route?.name, 'exact');
});

test('virtual host: the longest suffix wildcard wins, and suffix beats prefix wildcards', () => {
  assert.equal(vhostFor('shop.example.com').virtualHost?.name, 'suffix-long');
  assert.equal(vhostFor('api.other.com').virtualHost?.name, 'suffix-short');
  assert.equal(vhostFor('api.other.com').virtualHost?.matchKind, 'suffix_wildcard');
});

test('virtual host: a prefix wildcard wins over "*"; "*" catches the rest', () => {
  assert.deepEqual(vhostFor('api.internal').virtualHost, { name: 'prefix', matchedDomain: 'api.*', matchKind: 'prefix_wildcard' });
  assert.equal(vhostFor('localhost').virtualHost?.matchKind, 'any');
});

test('virtual host: matching is case-insensitive and a wildcard never matches the bare suffix', () => {
  assert.equal(vhostFor('WWW.Example.COM').virtualHost?.name, 'exact');
  // "*.example.com" needs at least one character before ".example.com".
  assert.equal(vhostFor('.example.com').virtualHost?.name, 'suffix-short');
});

test('virtual host: a port in the host is kept unless the HCM strips it or the route table ignores it', () => {
  assert.equal(vhostFor('api.example.com:8080').virtualHost?.name, 'prefix', 'with the port the exact domain does not match');
  assert.equal(vhostFor('api.example.com:8080', { hcm: { strip_any_host_port: true } }).virtualHost?.name, 'exact');
  assert.equal(vhostFor('api.example.com:8080', { hcm: { strip_matching_host_port: true } }).virtualHost?.name, 'exact');
  assert.equal(vhostFor('api.example.com:9999', { hcm: { strip_matching_host_port: true } }).virtualHost?.name, 'prefix');
  assert.equal(vhostFor('api.example.com:8080', { routeConfigExtra: { ignore_port_in_host_matching: true } }).virtualHost?.name, 'exact');
});

test('virtual host: no domain matches → no_route 404', () => {
  const r = explainRequest(httpGateway([vhost('only', ['only.example.com'], route('only'))]), req({ host: 'else.example.com' }));
  assert.equal(r.decision, 'no_route');
  assert.equal(r.status, 404);
  assert.equal(r.virtualHost, undefined);
  assert.equal(r.filters.find((f) => f.name === 'envoy.filters.http.router')?.statusCode, 404);
});

test('virtual host: require_tls ALL redirects plaintext requests to https', () => {
  const r = explainRequest(httpGateway([vhost('secure', ['*'], route('x'), { require_tls: 'ALL' })]), req({ host: 'example.com', path: '/a?b=1' }));
  assert.equal(r.decision, 'redirect');
  assert.deepEqual(r.redirect, { location: 'https://example.com/a?b=1', status: 301 });
  assert.equal(r.route, undefined);
});
