// examples/kong: every file applies as the CLI would send it (protos inlined), with no errors, and
// the demo serves gateway/default/kong with the 90/10 canary, key-auth and a rate limit on /catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readDocuments } from '../../src/cli/input-files';
import { compile } from '../../src/pipeline/compile';
import { buildProxyResources } from '../../src/xds';
import { FIXTURES } from '../cli/helpers';
import { ask, routeOf } from './serve';
import { explainRequest } from '../../src/explain';

const EXAMPLES = path.join(FIXTURES, '..', '..', 'examples', 'kong');
const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();

test('examples/kong has one file per area and the demo', () => {
  assert.ok(files.length >= 9, files.join());
  assert.ok(files.includes('demo.yaml'));
});

for (const file of files) {
  test(`examples/kong/${file} applies`, () => {
    const read = readDocuments([path.join(EXAMPLES, file)]);
    assert.deepEqual(read.errors, []);
    const outcome = compile(read.documents);
    assert.ok(outcome.ok, outcome.ok ? '' : JSON.stringify(outcome.errors, null, 2));
    assert.ok(outcome.config.groups.has('gateway/default/kong'));
  });
}

test('the demo: / → frontend, /catalog → catalog 90/10 with key-auth and a rate limit', () => {
  const read = readDocuments([path.join(EXAMPLES, 'demo.yaml')]);
  const outcome = compile(read.documents);
  assert.ok(outcome.ok);
  const proxy = outcome.config.ir.proxies.find((p) => p.name === 'gateway/default/kong')!;
  const resources = buildProxyResources(proxy);
  assert.equal(routeOf(ask(resources, { path: '/' })), 'frontend');
  assert.equal(ask(resources, { path: '/catalog' }).status, 401);
  const r = explainRequest(resources, { port: 8000, host: 'localhost', method: 'GET', path: '/catalog/items', headers: { apikey: 'demo-key-0123456789' }, sourceIp: '10.1.1.1' });
  assert.equal(r.decision, 'forward');
  assert.equal(routeOf(r), 'catalog');
  assert.deepEqual(r.upstream?.endpoints.map((e) => [e.address, e.weight]), [['10.77.0.11', 9], ['10.77.0.12', 1]]);
  assert.ok(r.filters.some((f) => f.rateLimit?.kind === 'local'));
});
