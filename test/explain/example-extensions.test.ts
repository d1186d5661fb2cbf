// The documented examples of meshgate's Kong-driven extensions, walked with explain: the priority
// annotation in 01-gateway-and-routes.yaml and the HTTPRouteFilters of 10-http-route-filter.yaml do
// what their header comments say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ask, servedResources } from './documents';

function example(file: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'examples', 'gateway-api', file);
    if (fs.existsSync(candidate)) return fs.readFileSync(candidate, 'utf8');
    if (path.dirname(dir) === dir) throw new Error(`example ${file} not found`);
  }
}

test('01: the legacy-api route (priority 10, wildcard host) wins over shop\'s own /api rule', () => {
  const resources = servedResources(example('01-gateway-and-routes.yaml'));
  const legacy = ask(resources, { path: '/api/v1/orders' });
  assert.match(legacy.route?.name ?? '', /httproute\/default\/legacy-api\//);
  const other = ask(resources, { path: '/api/v2/orders' });
  assert.match(other.route?.name ?? '', /httproute\/default\/shop\//);
});

test('10: /api is rewritten to /v1/ for orders.internal; /checkout answers 426 by itself', () => {
  const resources = servedResources(example('10-http-route-filter.yaml'));
  const api = ask(resources, { host: 'api.example.com', path: '/api/orders/7', headers: { 'x-old-token': 't-1', 'x-request-id': 'r-9' } });
  assert.equal(api.decision, 'forward');
  assert.equal(api.upstream?.rewrittenPath, '/v1/orders/7');
  assert.equal(api.upstream?.rewrittenHost, 'orders.internal');
  assert.equal(api.upstream?.requestHeaders['x-token'], 't-1');
  assert.equal(api.upstream?.requestHeaders['kong-request-id'], 'r-9');
  assert.equal(api.upstream?.requestHeaders['x-channel'], 'web');
  const checkout = ask(resources, { host: 'api.example.com', path: '/checkout' });
  assert.equal(checkout.status, 426);
  assert.deepEqual(checkout.directResponse, { status: 426, body: 'Please use HTTPS protocol', contentType: 'text/plain' });
});
