// decK files from Kong's public documentation and sources, applied as they are (the fixtures say
// where each comes from): Kong's `kong config init` template, decK's sample state file, and the
// federated-configuration walkthrough of Kong's decK docs. Each translates and is checked with
// explain for what the example is about.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseDocuments } from '../../src/documents/parse';
import { translate } from '../../translators';
import { FIXTURES } from '../cli/helpers';
import { ask, routeOf, serveKong } from './serve';

const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, 'kong', name), 'utf8');
const lenient = (text: string): string =>
  `apiVersion: meshgate.io/v1alpha1\nkind: KongConfiguration\nmetadata: {name: kong, annotations: {meshgate.io/lenient: "true"}}\nspec:\n${text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => `  ${l}`)
    .join('\n')}\n`;

describe('Kong\'s `kong config init` example', () => {
  const resources = serveKong(fixture('kong-config-init.yaml'));
  it('the service plugin key-auth protects example-route: 401 without the key, forwarded with it', () => {
    assert.equal(ask(resources, { host: 'example.org', path: '/anything' }).status, 401);
    const r = ask(resources, { host: 'example.org', path: '/anything', headers: { apikey: 'my-key' } });
    assert.equal(r.decision, 'forward');
    assert.equal(r.upstream?.rewrittenHost, 'example.com');
  });
  it('the top-level another-route (hosts) wins over the path-only route for hello.com', () => {
    assert.equal(routeOf(ask(resources, { host: 'hello.com', path: '/', headers: { apikey: 'my-key' } })), 'another-route');
  });
  it("example-user's consumer-scoped limits are overrides of the global rate limiter", () => {
    const r = ask(resources, { host: 'example.org', path: '/', headers: { apikey: 'my-key' } });
    assert.ok(r.filters.some((f) => f.rateLimit?.kind === 'global'), JSON.stringify(r.filters.map((f) => f.name)));
  });
});

describe("decK's sample state file", () => {
  it('is refused strictly: hmac-auth credentials cannot be honoured (the error names the Kong path)', () => {
    const result = translate(parseDocuments(fixture('deck-example.yaml')).documents);
    assert.deepEqual(
      result.errors.map((e) => [e.document?.kind, e.path]),
      [['KongConfiguration', 'consumers[0].hmacauth_credentials']],
    );
  });
  it('applies leniently: three HTTPS listeners from the certificate SNIs, prometheus on the status port', () => {
    const resources = serveKong(lenient(fixture('deck-example.yaml')));
    assert.equal(routeOf(ask(resources, { host: 'mockbin.org', method: 'GET', path: '/r3' })), 'r3');
    assert.equal(ask(resources, { host: 'mockbin.org', method: 'POST', path: '/r3' }).decision, 'no_route');
    const tls = ask(resources, { port: 8443, tls: true, sni: 'demo2.example.com', host: 'demo2.example.com', path: '/r1' });
    assert.equal(tls.decision, 'forward', tls.steps.join('\n'));
    assert.equal(tls.filterChain?.tls, true);
    const metrics = ask(resources, { port: 8100, host: 'localhost', path: '/metrics' });
    assert.notEqual(metrics.decision, 'no_listener');
  });
});

describe("Kong's federated-configuration walkthrough", () => {
  const resources = serveKong(fixture('federated-configuration.yaml'));
  it('the global key-auth protects every team route', () => {
    assert.equal(ask(resources, { path: '/count' }).status, 401);
    const r = ask(resources, { path: '/count', headers: { apikey: 'hello_bob' } });
    assert.equal(r.decision, 'forward');
    assert.equal(routeOf(r), 'count');
    assert.equal(r.upstream?.rewrittenHost, 'widgets.example.com');
  });
  it('the users service gets its rate limit; widgets does not', () => {
    const users = ask(resources, { path: '/profile', headers: { apikey: 'hello_alice' } });
    assert.equal(routeOf(users), 'passthrough');
    assert.equal(users.upstream?.rewrittenPath, '/users/profile');
    assert.ok(users.filters.some((f) => f.rateLimit?.kind === 'local'));
    assert.ok(!ask(resources, { path: '/stats', headers: { apikey: 'hello_alice' } }).filters.some((f) => f.rateLimit));
  });
});
