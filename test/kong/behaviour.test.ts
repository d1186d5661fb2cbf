// Kong semantics as Envoy would apply them, checked with explain on the served configuration:
// which route a request lands on (Kong's priorities), the upstream path and Host (strip_path,
// service.path, preserve_host), and the 401/403/426/429 answers of Kong's plugins.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ask, routeOf, serveKong } from './serve';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('route priorities (Kong traditional_compatible)', () => {
  const resources = serveKong(`
_format_version: "3.0"
services:
  - name: app
    url: http://10.9.0.1:8080
    routes:
      - {name: generic, paths: ['~/items/[a-z0-9]+'], regex_priority: 1, strip_path: false}
      - {name: special, paths: ['~/items/special'], regex_priority: 10, strip_path: false}
      - {name: prefix, paths: [/items], regex_priority: 100, strip_path: false}
      - {name: short, paths: [/i], strip_path: false}
      - {name: hosted, hosts: [api.example.com], paths: [/], strip_path: false}
      - {name: wild, hosts: ['*.example.com'], headers: {x-team: [blue]}, paths: [/items], strip_path: false}
`);
  test('a route with more kinds of conditions wins (hosts + headers + paths beat paths)', () => {
    assert.equal(routeOf(ask(resources, { path: '/items/abc', headers: { 'x-team': 'Blue' } })), 'wild');
  });
  test('a plain host beats paths alone, whatever the path length', () => {
    assert.equal(routeOf(ask(resources, { path: '/anything' })), 'hosted');
    assert.equal(routeOf(ask(resources, { host: 'other.org', path: '/anything' })), undefined);
  });
  test('among regex routes the higher regex_priority wins; regex paths beat prefixes', () => {
    assert.equal(routeOf(ask(resources, { host: 'other.org', path: '/items/special' })), 'special');
    assert.equal(routeOf(ask(resources, { host: 'other.org', path: '/items/abc' })), 'generic');
  });
  test('prefixes are string prefixes and the longer one wins', () => {
    assert.equal(routeOf(ask(resources, { host: 'other.org', path: '/items' })), 'prefix');
    assert.equal(routeOf(ask(resources, { host: 'other.org', path: '/itemsXYZ' })), 'prefix');
    assert.equal(routeOf(ask(resources, { host: 'other.org', path: '/ix' })), 'short');
  });
});

describe('matching on methods and headers', () => {
  const resources = serveKong(`
_format_version: "3.0"
services:
  - name: orders
    url: http://10.9.0.2:8080
    routes:
      - {name: write, methods: [POST, PUT], paths: [/orders]}
      - {name: beta, headers: {x-version: [v2, V3], x-client: ['~*^mobile-\\d+']}, paths: [/beta]}
`);
  test('methods × paths', () => {
    assert.equal(routeOf(ask(resources, { method: 'PUT', path: '/orders/7' })), 'write');
    assert.equal(ask(resources, { method: 'GET', path: '/orders/7' }).decision, 'no_route');
  });
  test('header values match case-insensitively, "~*" values as regexes', () => {
    assert.equal(routeOf(ask(resources, { path: '/beta', headers: { 'x-version': 'V2', 'x-client': 'MOBILE-42' } })), 'beta');
    assert.equal(ask(resources, { path: '/beta', headers: { 'x-version': 'v4', 'x-client': 'mobile-1' } }).decision, 'no_route');
    assert.equal(ask(resources, { path: '/beta', headers: { 'x-version': 'v3', 'x-client': 'desktop' } }).decision, 'no_route');
  });
});

describe('upstream path and host', () => {
  const resources = serveKong(`
_format_version: "3.0"
services:
  - name: with-path
    url: http://10.9.0.3:8080/base
    routes:
      - {name: stripped, paths: [/public]}
      - {name: kept, paths: [/keep], strip_path: false}
  - name: plain
    url: http://10.9.0.4:8080
    routes:
      - {name: plain, paths: ['/p', '~/r/\\d+']}
  - name: named
    host: backend.internal
    routes:
      - {name: rewritten, paths: [/a], strip_path: false}
      - {name: preserved, paths: [/b], strip_path: false, preserve_host: true}
`);
  const upstream = (path: string): string | undefined => ask(resources, { path }).upstream?.rewrittenPath;
  test('strip_path removes the matched prefix and joins service.path in front', () => {
    assert.equal(upstream('/public/x/y?q=1'), '/base/x/y?q=1');
    assert.equal(upstream('/publicity'), '/base/ity');
  });
  test('strip_path false keeps the path after service.path', () => {
    assert.equal(upstream('/keep/x'), '/base/keep/x');
  });
  test('strip_path removes a regex match too', () => {
    assert.equal(upstream('/p/x'), '/x');
    assert.equal(upstream('/r/12/z'), '/z');
  });
  test('preserve_host false sends the service host (with its port), true keeps the client Host', () => {
    assert.equal(ask(resources, { path: '/a' }).upstream?.rewrittenHost, 'backend.internal');
    assert.equal(ask(resources, { path: '/b' }).upstream?.rewrittenHost, 'api.example.com');
    assert.equal(ask(resources, { path: '/public' }).upstream?.rewrittenHost, '10.9.0.3:8080');
  });
});

describe('protocols', () => {
  const resources = serveKong(`
_format_version: "3.0"
services:
  - name: secure
    url: http://10.9.0.5:8080
    routes:
      - {name: upgrade, protocols: [https], paths: [/upgrade]}
      - {name: moved, protocols: [https], https_redirect_status_code: 308, paths: [/moved]}
`);
  test('an https-only route answers plain HTTP with 426', () => {
    const r = ask(resources, { path: '/upgrade' });
    assert.equal(r.decision, 'direct_response');
    assert.equal(r.status, 426);
    assert.match(r.directResponse?.body ?? '', /Please use HTTPS protocol/);
  });
  test('https_redirect_status_code 308 redirects to https', () => {
    const r = ask(resources, { path: '/moved/x' });
    assert.equal(r.decision, 'redirect');
    assert.equal(r.redirect?.status, 308);
    assert.match(r.redirect?.location ?? '', /^https:\/\/api\.example\.com(:443)?\/moved\/x/);
  });
});

describe('authentication and access: 401 and 403', () => {
  const resources = serveKong(`
_format_version: "3.0"
services:
  - name: reports
    url: http://10.9.0.6:8080
    routes:
      - name: reports
        paths: [/reports]
        plugins:
          - name: key-auth
            config: {key_names: [apikey]}
          - name: acl
            config: {allow: [analysts]}
      - name: admin
        paths: [/admin]
        plugins:
          - name: basic-auth
      - name: internal
        paths: [/internal]
        plugins:
          - name: ip-restriction
            config: {allow: [10.0.0.0/8], deny: [10.66.0.0/16]}
consumers:
  - username: ann
    keyauth_credentials: [{key: ann-key-123456}]
    acls: [{group: analysts}]
  - username: tom
    keyauth_credentials: [{key: tom-key-123456}]
  - username: alice
    basicauth_credentials: [{username: alice, password: wonderland-1}]
`);
  test('key-auth: no key or an unknown key is 401, a known key passes', () => {
    assert.equal(ask(resources, { path: '/reports' }).status, 401);
    assert.equal(ask(resources, { path: '/reports', headers: { apikey: 'wrong-key-000000' } }).status, 401);
    assert.equal(ask(resources, { path: '/reports', headers: { apikey: 'ann-key-123456' } }).decision, 'forward');
    assert.equal(ask(resources, { path: '/reports?apikey=ann-key-123456' }).decision, 'forward');
  });
  test('acl: an authenticated consumer outside the allowed groups is 403', () => {
    const r = ask(resources, { path: '/reports', headers: { apikey: 'tom-key-123456' } });
    assert.equal(r.decision, 'denied');
    assert.equal(r.status, 403);
  });
  test('basic-auth: the decK password works, anything else is 401', () => {
    assert.equal(ask(resources, { path: '/admin', headers: { authorization: basic('alice', 'wonderland-1') } }).decision, 'forward');
    assert.equal(ask(resources, { path: '/admin', headers: { authorization: basic('alice', 'nope') } }).status, 401);
    assert.equal(ask(resources, { path: '/admin' }).status, 401);
  });
  test('ip-restriction: deny wins over allow, others outside allow are refused', () => {
    assert.equal(ask(resources, { path: '/internal', sourceIp: '10.1.2.3' }).decision, 'forward');
    assert.equal(ask(resources, { path: '/internal', sourceIp: '10.66.1.1' }).status, 403);
    assert.equal(ask(resources, { path: '/internal', sourceIp: '192.0.2.1' }).status, 403);
  });
});

describe('rate limits: 429', () => {
  const resources = serveKong(`
_format_version: "3.0"
services:
  - name: search
    url: http://10.9.0.7:8080
    routes:
      - name: search
        paths: [/search]
        plugins:
          - name: rate-limiting
            config: {second: 5, policy: local, limit_by: ip}
`);
  test('policy local: a token bucket of the configured size per second, 429 beyond it', () => {
    const r = ask(resources, { path: '/search', sourceIp: '10.1.1.1' });
    const limit = r.filters.find((f) => f.rateLimit);
    assert.equal(limit?.rateLimit?.kind, 'local');
    assert.equal(limit?.rateLimit?.tokenBucket?.maxTokens, 5);
    assert.equal(limit?.rateLimit?.tokenBucket?.fillInterval, '1s');
    assert.match(limit?.detail ?? '', /429/);
  });
});
