// Behaviour of the generated configuration, checked the way Envoy would match requests: each
// example policy set is compiled exactly as /v1/apply does, then `explain` walks the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseDocuments } from '../../src/documents/parse';
import type { EnvoyResource } from '../../src/envoy/resource';
import { explainRequest, type ExplainRequest, type ExplainResult } from '../../src/explain';
import { compile } from '../../src/pipeline/compile';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples', 'gateway-api');
const GROUP = 'gateway/default/edge';

function served(example: string): readonly EnvoyResource[] {
  const parsed = parseDocuments(fs.readFileSync(path.join(EXAMPLES, example), 'utf8'));
  assert.deepEqual(parsed.errors, []);
  const outcome = compile(parsed.documents);
  assert.ok(outcome.ok, `compiles: ${JSON.stringify(!outcome.ok && outcome.errors)}`);
  const resources = outcome.config.groups.get(GROUP);
  assert.ok(resources, `group ${GROUP} is served`);
  return resources;
}

function ask(resources: readonly EnvoyResource[], request: Partial<ExplainRequest> & { path: string }): ExplainResult {
  return explainRequest(resources, { port: 8080, host: 'api.example.com', method: 'GET', ...request });
}

function filterNamed(result: ExplainResult, prefix: string) {
  return result.filters.find((f) => f.name.startsWith(prefix));
}

test('every example policy set compiles to Envoy config that passes validation', () => {
  for (const example of fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'))) {
    const parsed = parseDocuments(fs.readFileSync(path.join(EXAMPLES, example), 'utf8'));
    assert.deepEqual(parsed.errors, [], example);
    const outcome = compile(parsed.documents);
    assert.ok(outcome.ok, `${example}: ${JSON.stringify(!outcome.ok && outcome.errors)}`);
  }
});

test('routing: path prefixes pick their rule and the request is forwarded to the backend cluster', () => {
  const resources = served('05-traffic-policy.yaml');
  const search = ask(resources, { path: '/search?q=x' });
  assert.equal(search.decision, 'forward');
  assert.match(search.upstream!.clusters[0]!.name, /api/);
  const nowhere = ask(resources, { path: '/nothing-here' });
  assert.equal(nowhere.decision, 'no_route');
  assert.equal(nowhere.status, 404);
});

test('API keys: a missing or unknown key gets 401, a consumer key is forwarded', () => {
  const resources = served('03-consumers-and-authentication.yaml');
  const missing = ask(resources, { path: '/catalog/items' });
  assert.equal(missing.decision, 'denied');
  assert.equal(missing.status, 401);
  const wrong = ask(resources, { path: '/catalog/items', headers: { 'x-api-key': 'not-a-key' } });
  assert.equal(wrong.status, 401);
  const good = ask(resources, { path: '/catalog/items', headers: { 'x-api-key': '91ab77e4-globex-55aa' } });
  assert.equal(good.decision, 'forward', good.steps.join('\n'));
});

test('basic auth: the admin rule needs the consumer password', () => {
  const resources = served('03-consumers-and-authentication.yaml');
  const anonymous = ask(resources, { path: '/admin' });
  assert.equal(anonymous.decision, 'denied');
  assert.equal(anonymous.status, 401);
  const basic = 'Basic ' + Buffer.from('admin:change-me-please').toString('base64');
  const admin = ask(resources, { path: '/admin', headers: { authorization: basic } });
  assert.equal(admin.decision, 'forward', admin.steps.join('\n'));
  const wrong = ask(resources, { path: '/admin', headers: { authorization: 'Basic ' + Buffer.from('admin:nope').toString('base64') } });
  assert.equal(wrong.status, 401);
});

test('JWT and IP rules: a blocked range gets 403, a request without a token 401, health checks pass from the LB network', () => {
  const resources = served('04-security-policy.yaml');
  const blocked = ask(resources, { path: '/api/x', sourceIp: '10.9.9.9', headers: { 'x-forwarded-for': '203.0.113.7' } });
  assert.equal(blocked.decision, 'denied');
  assert.equal(blocked.status, 403);
  const noToken = ask(resources, { path: '/api/x', sourceIp: '10.9.9.9', headers: { 'x-forwarded-for': '198.51.100.1' } });
  assert.equal(noToken.decision, 'denied');
  assert.equal(noToken.status, 401);
  const health = ask(resources, { path: '/healthz', sourceIp: '10.1.2.3', headers: { 'x-forwarded-for': '10.1.2.3' } });
  assert.equal(health.decision, 'forward', health.steps.join('\n'));
  // health-open's ipAccess does not trust X-Forwarded-For: the peer address decides.
  const outsider = ask(resources, { path: '/healthz', sourceIp: '8.8.8.8' });
  assert.equal(outsider.status, 403);
  const forged = ask(resources, { path: '/healthz', sourceIp: '8.8.8.8', headers: { 'x-forwarded-for': '10.1.2.3' } });
  assert.equal(forged.status, 403);
});

test('rate limits: the search rule has a per-client local bucket and every route the global limiter', () => {
  const resources = served('05-traffic-policy.yaml');
  const search = ask(resources, { path: '/search', sourceIp: '192.0.2.10', headers: { 'x-api-key': 'k1' } });
  const local = filterNamed(search, 'envoy.filters.http.local_ratelimit');
  assert.equal(local?.status, 'runs');
  assert.equal(local?.rateLimit?.tokenBucket?.maxTokens, 20);
  const global = filterNamed(search, 'envoy.filters.http.ratelimit');
  assert.equal(global?.status, 'runs');
  assert.equal(global?.rateLimit?.domain, 'meshgate');
  assert.ok(global?.rateLimit?.descriptors.some((d) => d.some((e) => e.key === 'header' && e.value === 'k1')), JSON.stringify(global?.rateLimit));
  const upload = ask(resources, { path: '/upload' });
  assert.notEqual(filterNamed(upload, 'envoy.filters.http.local_ratelimit')?.status, 'runs');
  assert.equal(filterNamed(upload, 'envoy.filters.http.buffer')?.status, 'runs');
});
