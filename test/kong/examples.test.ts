// examples/kong: every file applies as the CLI would send it (protos inlined), with no errors, and
// the demo serves gateway/default/kong: v1 only at the start; after step 2, the canary, key-auth and a rate limit on /catalog.
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

function demoStep(file: string): ReturnType<typeof buildProxyResources> {
  const read = readDocuments([path.join(EXAMPLES, file)]);
  const outcome = compile(read.documents);
  assert.ok(outcome.ok, outcome.ok ? '' : JSON.stringify(outcome.errors));
  return buildProxyResources(outcome.config.ir.proxies.find((p) => p.name === 'gateway/default/kong')!);
}
const catalogCall = (headers: Record<string, string> = {}) => ({ port: 8000, host: 'localhost', method: 'GET', path: '/catalog/items', headers, sourceIp: '10.1.1.1' });

test('the demo starts with / → frontend and /catalog → catalog-v1 only, no authentication', () => {
  const resources = demoStep('demo.yaml');
  assert.equal(routeOf(ask(resources, { path: '/' })), 'frontend');
  const r = explainRequest(resources, catalogCall());
  assert.equal(r.decision, 'forward');
  assert.equal(routeOf(r), 'catalog');
  assert.deepEqual(r.upstream?.endpoints.filter((e) => e.weight > 0).map((e) => e.address), ['10.77.0.11']);
});

test('demo step 2: /catalog 100/11 between v1 and v2, key-auth (401 without a key) and a global rate limit', () => {
  const resources = demoStep(path.join('demo', '02-key-auth-ratelimit.yaml'));
  assert.equal(routeOf(ask(resources, { path: '/' })), 'frontend');
  assert.equal(ask(resources, { path: '/catalog' }).status, 401);
  const r = explainRequest(resources, catalogCall({ apikey: 'demo-key-0123456789' }));
  assert.equal(r.decision, 'forward');
  assert.equal(routeOf(r), 'catalog');
  assert.deepEqual(r.upstream?.endpoints.map((e) => [e.address, e.weight]), [['10.77.0.11', 100], ['10.77.0.12', 11]]);
  assert.ok(r.filters.some((f) => f.rateLimit?.kind === 'global'));
});
