// The policy-management API over real HTTP against a whole control plane started in-process:
// apply (created/unchanged/configured, revisions), dry runs, refusals that store nothing, reading
// and deleting documents, rollback, secrets never echoed, the admin token, explain and restarts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/app';
import type { Snapshot } from '../../src/cache/types';
import { TypeUrl } from '../../src/envoy/type-urls';

const GROUP = 'gateway/default/edge';
const WEB_CLUSTER = 'backend/default/web/8000';
/** test/fixtures, found upward from this file (works from compiled output anywhere in the tree). */
function fixtureDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'fixtures'))) return path.join(dir, 'test', 'fixtures');
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}
const FIXTURE_DIR = fixtureDir();
const BASIC = fs.readFileSync(path.join(FIXTURE_DIR, 'gateway-basic.yaml'), 'utf8');
const TLS_CERT = fs.readFileSync(path.join(FIXTURE_DIR, 'tls', 'shop.example.com.crt'), 'utf8');
const TLS_KEY = fs.readFileSync(path.join(FIXTURE_DIR, 'tls', 'shop.example.com.key'), 'utf8');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-config-api-'));
}

async function startPlane(dataDir: string, adminToken?: string): Promise<ControlPlane> {
  return startControlPlane(
    {
      xdsHost: '127.0.0.1',
      xdsPort: 0,
      adminHost: '127.0.0.1',
      adminPort: 0,
      dataDir,
      logLevel: 'silent',
      identifier: 'test',
      ...(adminToken ? { adminToken } : {}),
    },
    pino({ level: 'silent' }),
    { debounceMs: 5, maxDelayMs: 50 },
  );
}

interface Answer {
  readonly status: number;
  readonly text: string;
  // Parsed JSON body; tests narrow it with the shapes below.
  readonly body: Record<string, unknown>;
}

async function call(plane: ControlPlane, method: string, url: string, options: { body?: string; type?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${plane.adminPort}${url}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': options.type ?? 'application/yaml' } : {}), ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

interface ApplyBody {
  revision: number;
  changed: boolean;
  dryRun: boolean;
  documents: { ref: { kind: string; namespace: string; name: string }; outcome: string }[];
  diff?: { group: string; added: Change[]; changed: Change[]; removed: Change[] }[];
}
interface Change {
  type: string;
  name: string;
  resource?: Record<string, unknown>;
}
interface ErrorDetail {
  index?: number;
  document?: { kind: string; namespace: string; name: string };
  path: string;
  reason: string;
}
interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}
interface ResourceEntry {
  document: { kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown>; [field: string]: unknown };
  status?: { parents?: { conditions: { type: string; status: string }[] }[]; conditions?: { type: string; status: string }[] };
}

async function apply(plane: ControlPlane, yaml: string, query = ''): Promise<Answer> {
  return call(plane, 'POST', `/v1/apply${query}`, { body: yaml });
}

function applied(answer: Answer): ApplyBody {
  assert.equal(answer.status, 200, answer.text);
  return answer.body as unknown as ApplyBody;
}

function outcomeOf(body: ApplyBody, kind: string, name: string): string | undefined {
  return body.documents.find((d) => d.ref.kind.split('.')[0] === kind && d.ref.name === name)?.outcome;
}

function snapshot(plane: ControlPlane): Snapshot {
  const snap = plane.cache.getSnapshot(GROUP);
  assert.ok(snap, `no snapshot for ${GROUP}`);
  return snap;
}

function names(snap: Snapshot, typeUrl: string): string[] {
  return [...(snap.resources.get(typeUrl as never)?.keys() ?? [])].sort();
}

function resourceJson(snap: Snapshot, typeUrl: string, name: string): Record<string, unknown> {
  const resource = snap.resources.get(typeUrl as never)?.get(name);
  assert.ok(resource, `no ${typeUrl} ${name}`);
  return resource.json as Record<string, unknown>;
}

/** Every resource of the snapshot as plain JSON by type and name (content, not versions). */
function contentOf(snap: Snapshot): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [typeUrl, byName] of snap.resources) {
    out[typeUrl] = Object.fromEntries([...byName].map(([name, r]) => [name, r.json]));
  }
  return out;
}

function domainsOf(snap: Snapshot): string[] {
  const routeConfig = resourceJson(snap, TypeUrl.RouteConfiguration, 'http') as { virtual_hosts?: { domains: string[] }[] };
  return (routeConfig.virtual_hosts ?? []).flatMap((v) => v.domains);
}

function endpointAddresses(snap: Snapshot): string[] {
  const cla = resourceJson(snap, TypeUrl.ClusterLoadAssignment, WEB_CLUSTER) as {
    endpoints?: { lb_endpoints?: { endpoint: { address: { socket_address: { address: string } } } }[] }[];
  };
  return (cla.endpoints ?? []).flatMap((l) => l.lb_endpoints ?? []).map((e) => e.endpoint.address.socket_address.address);
}

/** The fixture with the "web" Backend moved to another address. */
function withWebAddress(address: string): string {
  const changed = BASIC.replace('address: 10.0.0.1', `address: ${address}`);
  assert.notEqual(changed, BASIC);
  return changed;
}

describe('policy API: apply, dry run, refusals, resources, rollback', () => {
  let dir: string;
  let plane: ControlPlane;
  let revisionOneContent: Record<string, Record<string, unknown>>;

  before(async () => {
    dir = tempDir();
    plane = await startPlane(dir);
  });
  after(async () => {
    await plane.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves nothing before the first apply', async () => {
    assert.equal(plane.cache.getSnapshot(GROUP), undefined);
    const list = await call(plane, 'GET', '/v1/resources');
    assert.equal(list.status, 200);
    assert.deepEqual((list.body as { items: unknown[] }).items, []);
  });

  it('creates every document as revision 1 and serves the Gateway\'s listener, route, cluster and endpoints', async () => {
    const body = applied(await apply(plane, BASIC));
    assert.equal(body.revision, 1);
    assert.equal(body.changed, true);
    assert.equal(body.dryRun, false);
    assert.equal(body.documents.length, 5);
    assert.deepEqual(new Set(body.documents.map((d) => d.outcome)), new Set(['created']));
    assert.equal(outcomeOf(body, 'HTTPRoute', 'web'), 'created');

    const snap = snapshot(plane);
    assert.deepEqual(names(snap, TypeUrl.Listener), ['0.0.0.0_8080']);
    assert.deepEqual(names(snap, TypeUrl.RouteConfiguration), ['http']);
    assert.ok(names(snap, TypeUrl.Cluster).includes(WEB_CLUSTER), names(snap, TypeUrl.Cluster).join());
    assert.deepEqual(domainsOf(snap), ['shop.example.com']);
    assert.deepEqual(endpointAddresses(snap), ['10.0.0.1']);
    revisionOneContent = contentOf(snap);
  });

  it('re-applying the same documents is "unchanged": no new revision, the same snapshot', async () => {
    const before = snapshot(plane);
    const body = applied(await apply(plane, BASIC));
    assert.equal(body.revision, 1);
    assert.equal(body.changed, false);
    assert.deepEqual(new Set(body.documents.map((d) => d.outcome)), new Set(['unchanged']));
    assert.equal(snapshot(plane), before);
    const revisions = await call(plane, 'GET', '/v1/revisions');
    assert.equal((revisions.body as { current: number }).current, 1);
  });

  it('a changed document is "configured" as revision 2 and its endpoints are served', async () => {
    const body = applied(await apply(plane, withWebAddress('10.0.0.9')));
    assert.equal(body.revision, 2);
    assert.equal(body.changed, true);
    assert.equal(outcomeOf(body, 'Backend', 'web'), 'configured');
    assert.equal(outcomeOf(body, 'HTTPRoute', 'web'), 'unchanged');
    assert.equal(body.documents.filter((d) => d.outcome === 'configured').length, 1);
    assert.deepEqual(endpointAddresses(snapshot(plane)), ['10.0.0.9']);
  });

  it('dry run: returns the Envoy diff and stores nothing', async () => {
    const before = snapshot(plane);
    const changedRoute = withWebAddress('10.0.0.77').replace('value: /}', 'value: /shop}');
    const body = applied(await apply(plane, changedRoute, '?dryRun=true'));
    assert.equal(body.dryRun, true);
    assert.equal(body.revision, 2);
    assert.equal(body.changed, true);
    assert.equal(outcomeOf(body, 'Backend', 'web'), 'configured');
    assert.equal(outcomeOf(body, 'HTTPRoute', 'web'), 'configured');

    const group = body.diff?.find((g) => g.group === GROUP);
    assert.ok(group, JSON.stringify(body.diff));
    const endpoints = group.changed.find((c) => c.type === 'endpoints' && c.name === WEB_CLUSTER);
    assert.ok(endpoints, JSON.stringify(group.changed.map((c) => `${c.type} ${c.name}`)));
    assert.match(JSON.stringify(endpoints.resource), /10\.0\.0\.77/);
    assert.equal(endpoints.resource?.['@type'], TypeUrl.ClusterLoadAssignment);
    const route = group.changed.find((c) => c.type === 'routes' && c.name === 'http');
    assert.ok(route, JSON.stringify(group.changed.map((c) => `${c.type} ${c.name}`)));
    assert.match(JSON.stringify(route.resource), /"\/shop"/);
    assert.deepEqual(group.added, []);
    assert.deepEqual(group.removed, []);

    // Nothing stored, nothing served.
    assert.equal(snapshot(plane), before);
    assert.deepEqual(endpointAddresses(snapshot(plane)), ['10.0.0.9']);
    const revisions = await call(plane, 'GET', '/v1/revisions');
    assert.equal((revisions.body as { current: number }).current, 2);
    const web = await call(plane, 'GET', '/v1/resources/Backend/default/web');
    assert.equal(web.status, 200);
    assert.match(web.text, /10\.0\.0\.9/);
    assert.doesNotMatch(web.text, /10\.0\.0\.77/);
  });

  it('takes JSON (an array of documents) and YAML sent as text/plain', async () => {
    const doc = { apiVersion: 'meshgate.io/v1alpha1', kind: 'Backend', metadata: { name: 'web-canary' }, spec: { endpoints: [{ address: '10.0.0.2', port: 8000 }] } };
    const json = applied(await call(plane, 'POST', '/v1/apply', { type: 'application/json', body: JSON.stringify([doc]) }));
    assert.deepEqual(json.documents.map((d) => `${d.ref.name} ${d.outcome}`), ['web-canary unchanged']);
    const plain = applied(await call(plane, 'POST', '/v1/apply', { type: 'text/plain;charset=utf-8', body: withWebAddress('10.0.0.9') }));
    assert.equal(plain.changed, false);
    assert.equal(plain.revision, 2);
  });

  it('dry run of what is already served has no diff', async () => {
    const body = applied(await apply(plane, withWebAddress('10.0.0.9'), '?dryRun=true'));
    assert.equal(body.changed, false);
    assert.deepEqual(body.diff, []);
  });

  /** `textLevel`: the error is about the text as a whole (no document to name). */
  const badInputs: { name: string; yaml: string; type?: string; textLevel?: true; expect: (d: ErrorDetail) => boolean }[] = [
    {
      name: 'malformed YAML',
      textLevel: true,
      yaml: `${BASIC}\n---\nkind: [unclosed\n`,
      expect: (d) => /^line \d+, column \d+$/.test(d.path) && /malformed YAML/.test(d.reason),
    },
    {
      name: 'malformed JSON',
      textLevel: true,
      type: 'application/json',
      yaml: '{"apiVersion": "meshgate.io/v1alpha1", "kind": ',
      expect: (d) => /line \d+/.test(d.path) && /malformed/.test(d.reason),
    },
    {
      name: 'an empty body',
      textLevel: true,
      yaml: '\n',
      expect: (d) => /no documents/.test(d.reason),
    },
    {
      name: 'a document without metadata.name',
      yaml: `${BASIC}\n---\napiVersion: meshgate.io/v1alpha1\nkind: Backend\nmetadata: {namespace: default}\nspec: {}\n`,
      expect: (d) => d.index === 5 && d.path === 'metadata.name',
    },
    {
      name: 'an unknown kind',
      yaml: `${BASIC}\n---\napiVersion: meshgate.io/v1alpha1\nkind: Widget\nmetadata: {name: gadget}\nspec: {}\n`,
      expect: (d) => d.document?.kind === 'Widget' && d.document.name === 'gadget' && d.path === 'kind' && /unknown kind "Widget"/.test(d.reason),
    },
    {
      name: 'an unknown field in spec',
      yaml: withWebAddress('10.0.0.9').replace('  endpoints:\n    - address: 10.0.0.2', '  endpoints:\n    - address: 10.0.0.2\n      colour: blue'),
      expect: (d) => d.document?.kind === 'Backend' && d.document.name === 'web-canary' && d.path === 'spec.endpoints[0].colour' && /unknown field/i.test(d.reason),
    },
    {
      name: 'a listener port that is not a number',
      yaml: withWebAddress('10.0.0.9').replace('port: 8080', 'port: abc'),
      expect: (d) => d.document?.kind === 'Gateway' && d.document.name === 'edge' && d.path === 'spec.listeners[0].port' && d.reason.length > 0,
    },
    {
      name: 'two listeners on the same port and hostname',
      yaml: withWebAddress('10.0.0.9').replace('      protocol: HTTP\n', '      protocol: HTTP\n    - name: http-again\n      port: 8080\n      protocol: HTTP\n'),
      expect: (d) => d.document?.kind === 'Gateway' && d.document.name === 'edge' && d.path === 'spec.listeners[1]' && /conflicts with listener http/.test(d.reason),
    },
    {
      name: 'a Consumer whose password Secret does not exist',
      yaml: `${withWebAddress('10.0.0.9')}\n---\napiVersion: meshgate.io/v1alpha1\nkind: Consumer\nmetadata: {name: alice}\nspec:\n  credentials:\n    basicAuth:\n      passwordSecretRef: {name: alice-password}\n`,
      expect: (d) =>
        d.document?.kind === 'Consumer' && d.document.name === 'alice' && d.path === 'spec.credentials.basicAuth.passwordSecretRef' && /Secret default\/alice-password does not exist/.test(d.reason),
    },
    {
      name: 'a SecurityPolicy naming a Consumer that does not exist',
      yaml:
        `${withWebAddress('10.0.0.9')}\n---\napiVersion: meshgate.io/v1alpha1\nkind: SecurityPolicy\nmetadata: {name: web-auth}\nspec:\n` +
        '  targetRefs: [{kind: HTTPRoute, name: web}]\n  basicAuth:\n    consumers: {names: [nobody]}\n',
      expect: (d) => d.document?.kind === 'SecurityPolicy' && d.document.name === 'web-auth' && d.path === 'spec.basicAuth.consumers.names[0]' && /Consumer nobody does not exist/.test(d.reason),
    },
    {
      name: 'an HTTPRoute forwarding to a Backend that does not exist',
      yaml: withWebAddress('10.0.0.9').replace('          name: web\n          port: 8000', '          name: web-missing\n          port: 8000'),
      expect: (d) => d.document?.kind === 'HTTPRoute' && d.document.name === 'web' && /BackendNotFound/.test(d.reason) && /web-missing/.test(d.reason),
    },
    {
      name: 'an HTTPS listener whose certificate Secret does not exist',
      yaml: withWebAddress('10.0.0.9').replace(
        '      protocol: HTTP\n',
        '      protocol: HTTP\n    - name: https\n      port: 8443\n      protocol: HTTPS\n      tls:\n        certificateRefs: [{name: missing-cert}]\n',
      ),
      expect: (d) => d.document?.kind === 'Gateway' && d.document.name === 'edge' && /InvalidCertificateRef/.test(d.reason) && /missing-cert/.test(d.reason),
    },
  ];

  for (const bad of badInputs) {
    it(`refuses ${bad.name} with 400 and precise details, storing nothing`, async () => {
      const before = snapshot(plane);
      const revisionsBefore = (await call(plane, 'GET', '/v1/revisions')).body as { current: number; revisions: unknown[] };
      const answer = await call(plane, 'POST', '/v1/apply', { body: bad.yaml, ...(bad.type ? { type: bad.type } : {}) });
      assert.equal(answer.status, 400, answer.text);
      const error = (answer.body as unknown as ErrorBody).error;
      assert.equal(error.code, 'invalid');
      assert.ok(error.details && error.details.length > 0, answer.text);
      assert.ok(error.details.some(bad.expect), JSON.stringify(error.details, null, 2));
      for (const detail of error.details) {
        assert.equal(typeof detail.path, 'string');
        assert.ok(detail.reason.length > 0);
        if (!bad.textLevel) assert.ok(detail.index !== undefined || detail.document !== undefined, `detail names no document: ${JSON.stringify(detail)}`);
      }

      assert.equal(snapshot(plane), before, 'the served snapshot must not change');
      const revisionsAfter = (await call(plane, 'GET', '/v1/revisions')).body as { current: number; revisions: unknown[] };
      assert.equal(revisionsAfter.current, revisionsBefore.current);
      assert.equal(revisionsAfter.revisions.length, revisionsBefore.revisions.length);
      const stored = (await call(plane, 'GET', '/v1/resources')).body as { items: ResourceEntry[] };
      assert.equal(stored.items.length, 5);
      assert.deepEqual(endpointAddresses(snapshot(plane)), ['10.0.0.9']);
    });
  }

  it('lists documents by short kind and by namespace, with status conditions', async () => {
    const other = 'apiVersion: meshgate.io/v1alpha1\nkind: Backend\nmetadata: {name: billing, namespace: other}\nspec:\n  endpoints: [{address: 10.9.0.1, port: 80}]\n';
    const body = applied(await apply(plane, other));
    assert.equal(body.revision, 3);
    assert.equal(outcomeOf(body, 'Backend', 'billing'), 'created');

    const routes = await call(plane, 'GET', '/v1/resources?kind=HTTPRoute');
    assert.equal(routes.status, 200);
    const items = (routes.body as { items: ResourceEntry[] }).items;
    assert.deepEqual(items.map((i) => `${i.document.kind} ${i.document.metadata.name}`), ['HTTPRoute web']);
    const parents = items[0]!.status?.parents ?? [];
    assert.equal(parents.length, 1, JSON.stringify(items[0]!.status));
    const conditions = Object.fromEntries(parents[0]!.conditions.map((c) => [c.type, c.status]));
    assert.equal(conditions['Accepted'], 'True');
    assert.equal(conditions['ResolvedRefs'], 'True');

    const inOther = (await call(plane, 'GET', '/v1/resources?namespace=other')).body as { items: ResourceEntry[] };
    assert.deepEqual(inOther.items.map((i) => `${i.document.kind} ${i.document.metadata.namespace}/${i.document.metadata.name}`), ['Backend other/billing']);
    const backendsInDefault = (await call(plane, 'GET', '/v1/resources?kind=Backend&namespace=default')).body as { items: ResourceEntry[] };
    assert.deepEqual(backendsInDefault.items.map((i) => i.document.metadata.name).sort(), ['web', 'web-canary']);
    const qualified = (await call(plane, 'GET', '/v1/resources?kind=HTTPRoute.gateway.networking.k8s.io')).body as { items: ResourceEntry[] };
    assert.equal(qualified.items.length, 1);
  });

  it('gets one document, and answers 404 for a missing one', async () => {
    const one = await call(plane, 'GET', '/v1/resources/HTTPRoute/default/web');
    assert.equal(one.status, 200);
    const entry = one.body as unknown as ResourceEntry;
    assert.equal(entry.document.kind, 'HTTPRoute');
    assert.equal(entry.document.metadata.name, 'web');
    assert.deepEqual((entry.document.spec as { hostnames: string[] }).hostnames, ['shop.example.com']);
    assert.ok(entry.status);

    for (const url of ['/v1/resources/HTTPRoute/default/nope', '/v1/resources/HTTPRoute/other/web', '/v1/resources/Widget/default/web']) {
      const missing = await call(plane, 'GET', url);
      assert.equal(missing.status, 404, url);
      assert.equal((missing.body as unknown as ErrorBody).error.code, 'not_found');
    }
    const missingDelete = await call(plane, 'DELETE', '/v1/resources/HTTPRoute/default/nope');
    assert.equal(missingDelete.status, 404);
  });

  it('DELETE ?dryRun=true shows what would go from the proxies and stores nothing', async () => {
    const before = snapshot(plane);
    const body = applied(await call(plane, 'DELETE', '/v1/resources/HTTPRoute/default/web?dryRun=true'));
    assert.equal(body.dryRun, true);
    assert.equal(body.revision, 3);
    assert.deepEqual(body.documents.map((d) => d.outcome), ['deleted']);
    const group = body.diff?.find((g) => g.group === GROUP);
    assert.ok(group, JSON.stringify(body.diff));
    assert.ok(group.changed.some((c) => c.type === 'routes' && c.name === 'http'), JSON.stringify(group));
    assert.equal(snapshot(plane), before);
    assert.equal((await call(plane, 'GET', '/v1/resources/HTTPRoute/default/web')).status, 200);
  });

  it('DELETE makes a new revision and the route disappears from the snapshot', async () => {
    const body = applied(await call(plane, 'DELETE', '/v1/resources/HTTPRoute/default/web'));
    assert.equal(body.revision, 4);
    assert.equal(body.changed, true);
    assert.deepEqual(body.documents.map((d) => d.outcome), ['deleted']);
    assert.doesNotMatch(JSON.stringify(contentOf(snapshot(plane))), /shop\.example\.com/);
    assert.equal((await call(plane, 'GET', '/v1/resources/HTTPRoute/default/web')).status, 404);
  });

  it('rollback to revision 1 makes a new revision with revision 1\'s content, served again', async () => {
    const body = applied(await call(plane, 'POST', '/v1/revisions/1/rollback'));
    assert.equal(body.revision, 5);
    assert.equal(body.changed, true);
    assert.deepEqual(contentOf(snapshot(plane)), revisionOneContent);
    assert.deepEqual(endpointAddresses(snapshot(plane)), ['10.0.0.1']);
    const all = (await call(plane, 'GET', '/v1/resources')).body as { revision: number; items: ResourceEntry[] };
    assert.equal(all.revision, 5);
    assert.deepEqual(all.items.map((i) => `${i.document.kind} ${i.document.metadata.namespace}/${i.document.metadata.name}`).sort(), [
      'Backend default/web',
      'Backend default/web-canary',
      'Gateway default/edge',
      'GatewayClass default/meshgate',
      'HTTPRoute default/web',
    ].sort());
    const revisions = (await call(plane, 'GET', '/v1/revisions')).body as { current: number; revisions: unknown[] };
    assert.equal(revisions.current, 5);
    assert.equal(revisions.revisions.length, 5);
  });

  it('rollback to a revision that does not exist is 404 and changes nothing', async () => {
    const before = snapshot(plane);
    const answer = await call(plane, 'POST', '/v1/revisions/99/rollback');
    assert.equal(answer.status, 404, answer.text);
    assert.equal((answer.body as unknown as ErrorBody).error.code, 'not_found');
    assert.equal(snapshot(plane), before);
    assert.equal(((await call(plane, 'GET', '/v1/revisions')).body as { current: number }).current, 5);
  });

  it('explain: a request for shop.example.com:8080/ is forwarded to the web backend', async () => {
    const answer = await call(plane, 'POST', '/v1/explain', {
      type: 'application/json',
      body: JSON.stringify({ group: GROUP, port: 8080, host: 'shop.example.com', path: '/' }),
    });
    assert.equal(answer.status, 200, answer.text);
    const result = answer.body as { decision: string; listener?: { name: string }; upstream?: { clusters: { name: string }[] }; steps: string[] };
    assert.equal(result.decision, 'forward');
    assert.equal(result.listener?.name, '0.0.0.0_8080');
    assert.deepEqual(result.upstream?.clusters.map((c) => c.name), [WEB_CLUSTER]);
    assert.ok(result.steps.length > 0);

    const elsewhere = await call(plane, 'POST', '/v1/explain', {
      type: 'application/json',
      body: JSON.stringify({ group: GROUP, port: 8080, host: 'unknown.example.com', path: '/' }),
    });
    assert.equal(elsewhere.status, 200);
    assert.notEqual((elsewhere.body as { decision: string }).decision, 'forward');
  });

  it('explain: an unknown proxy group is 404', async () => {
    const answer = await call(plane, 'POST', '/v1/explain', {
      type: 'application/json',
      body: JSON.stringify({ group: 'gateway/default/nope', port: 8080, host: 'shop.example.com', path: '/' }),
    });
    assert.equal(answer.status, 404, answer.text);
    assert.match((answer.body as unknown as ErrorBody).error.message, /gateway\/default\/edge/);
  });
});

describe('policy API: secrets are never echoed', () => {
  const PASSWORD = 'clear-text-password-4711';
  const API_KEY = 'clear-text-api-key-0815-abcdef';
  const keyBody = TLS_KEY.split('\n').filter((l) => l && !l.startsWith('-----'));
  const indent = (pem: string): string => pem.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
  const documents =
    BASIC.replace(
      '      protocol: HTTP\n',
      '      protocol: HTTP\n    - name: https\n      port: 8443\n      protocol: HTTPS\n      hostname: shop.example.com\n      tls:\n        certificateRefs: [{name: shop-tls}]\n',
    ) +
    `\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: shop-tls}\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n${indent(TLS_CERT)}\n  tls.key: |\n${indent(TLS_KEY)}\n` +
    `---\napiVersion: meshgate.io/v1alpha1\nkind: Consumer\nmetadata: {name: alice}\nspec:\n  credentials:\n    basicAuth: {username: alice, password: ${PASSWORD}}\n` +
    `---\napiVersion: meshgate.io/v1alpha1\nkind: Consumer\nmetadata: {name: bob}\nspec:\n  credentials:\n    apiKeys: [{key: ${API_KEY}}]\n`;

  let dir: string;
  let plane: ControlPlane;
  before(async () => {
    dir = tempDir();
    plane = await startPlane(dir);
  });
  after(async () => {
    await plane.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function assertNoSecrets(text: string): void {
    assert.ok(!text.includes(PASSWORD), 'password echoed');
    assert.ok(!text.includes(API_KEY), 'API key echoed');
    for (const line of keyBody) assert.ok(!text.includes(line), 'TLS private key echoed');
    assert.ok(!text.includes('PRIVATE KEY'), 'TLS private key echoed');
  }

  it('the dry-run diff shows the new Secret resource redacted', async () => {
    const answer = await apply(plane, documents, '?dryRun=true');
    const body = applied(answer);
    const group = body.diff?.find((g) => g.group === GROUP);
    assert.ok(group, answer.text);
    const secrets = group.added.filter((c) => c.type === 'secrets');
    assert.equal(secrets.length, 1, JSON.stringify(group.added.map((c) => `${c.type} ${c.name}`)));
    assert.equal(secrets[0]!.resource?.['@type'], TypeUrl.Secret);
    assert.match(JSON.stringify(secrets[0]!.resource), /redacted/i);
    assertNoSecrets(answer.text);
    assert.equal(plane.cache.getSnapshot(GROUP), undefined);
  });

  it('apply serves the certificate and the credentials, yet answers without them', async () => {
    const answer = await apply(plane, documents);
    const body = applied(answer);
    assert.equal(body.revision, 1);
    assertNoSecrets(answer.text);
    const snap = snapshot(plane);
    const served = JSON.stringify(contentOf(snap));
    // The proxy does get the key (that is the point); only the API hides it.
    assert.ok(served.includes(keyBody[1]!), 'the served Secret carries the private key');
    assert.equal(names(snap, TypeUrl.Secret).length, 1);
  });

  it('GET /v1/resources shows "[redacted]" for the password, the API key and tls.key, and keeps tls.crt', async () => {
    const list = await call(plane, 'GET', '/v1/resources');
    assert.equal(list.status, 200);
    assertNoSecrets(list.text);

    const alice = (await call(plane, 'GET', '/v1/resources/Consumer/default/alice'));
    assertNoSecrets(alice.text);
    const aliceDoc = (alice.body as unknown as ResourceEntry).document;
    assert.deepEqual((aliceDoc.spec as { credentials: unknown }).credentials, { basicAuth: { username: 'alice', password: '[redacted]' } });

    const bob = await call(plane, 'GET', '/v1/resources/Consumer/default/bob');
    assertNoSecrets(bob.text);
    assert.deepEqual(((bob.body as unknown as ResourceEntry).document.spec as { credentials: unknown }).credentials, { apiKeys: [{ key: '[redacted]' }] });

    const secret = await call(plane, 'GET', '/v1/resources/Secret/default/shop-tls');
    assert.equal(secret.status, 200, secret.text);
    assertNoSecrets(secret.text);
    assert.match(secret.text, /\[redacted\]/);
    assert.ok(secret.text.includes(TLS_CERT.split('\n')[1]!), 'tls.crt (public) stays readable');
  });

  it('a refused change does not echo the secrets it carried, even when a reason would quote them', async () => {
    // Each credential is wrong in a way whose error message would quote the value.
    const NUMERIC_PASSWORD = 73519046;
    const refused =
      `${documents}---\napiVersion: meshgate.io/v1alpha1\nkind: Consumer\nmetadata: {name: carol}\nspec:\n  credentials:\n` +
      `    apiKeys: [{key: ${API_KEY}, secretRef: {name: nowhere}}]\n    basicAuth: {password: ${NUMERIC_PASSWORD}}\n`;
    const answer = await apply(plane, refused);
    assert.equal(answer.status, 400, answer.text);
    const details = (answer.body as unknown as ErrorBody).error.details ?? [];
    const passwordError = details.find((d) => d.path === 'spec.credentials.basicAuth.password');
    assert.ok(passwordError, answer.text);
    assert.equal(passwordError.document?.name, 'carol');
    assert.match(passwordError.reason, /string/);
    assert.ok(details.some((d) => d.path === 'spec.credentials.apiKeys[0]'), answer.text);
    assertNoSecrets(answer.text);
    assert.ok(!answer.text.includes(String(NUMERIC_PASSWORD)), `numeric password echoed: ${answer.text}`);
    assert.equal(plane.store.revision, 1);
  });
});

describe('policy API: admin token', () => {
  const TOKEN = 'config-api-test-token-0123456789';
  let dir: string;
  let plane: ControlPlane;
  before(async () => {
    dir = tempDir();
    plane = await startPlane(dir, TOKEN);
  });
  after(async () => {
    await plane.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('/v1/apply and /v1/resources answer 401 without the token or with a wrong one, and store nothing', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}0` }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const applyAnswer = await call(plane, 'POST', '/v1/apply', { body: BASIC, headers });
      assert.equal(applyAnswer.status, 401, JSON.stringify(headers));
      assert.equal((applyAnswer.body as unknown as ErrorBody).error.code, 'unauthorized');
      assert.equal((await call(plane, 'GET', '/v1/resources', { headers })).status, 401);
      assert.equal((await call(plane, 'GET', '/v1/revisions', { headers })).status, 401);
    }
    assert.equal(plane.cache.getSnapshot(GROUP), undefined);
    assert.equal(plane.store.revision, 0);
  });

  it('accepts the right token', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const applyAnswer = await call(plane, 'POST', '/v1/apply', { body: BASIC, headers });
    assert.equal(applyAnswer.status, 200, applyAnswer.text);
    assert.equal((applyAnswer.body as unknown as ApplyBody).revision, 1);
    const list = await call(plane, 'GET', '/v1/resources', { headers });
    assert.equal(list.status, 200);
    assert.equal((list.body as { items: unknown[] }).items.length, 5);
  });

  it('/healthz stays open', async () => {
    assert.equal((await call(plane, 'GET', '/healthz')).status, 200);
  });
});

describe('policy API: document age decides Gateway API ties', () => {
  let dir: string;
  let plane: ControlPlane;
  /** Same hostname and match as the fixture's route "web", to the canary; its name sorts first. */
  const NEWER_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: aaa-canary, namespace: default}
spec:
  parentRefs: [{name: edge}]
  hostnames: ["shop.example.com"]
  rules:
    - matches: [{path: {type: PathPrefix, value: /}}]
      backendRefs: [{group: meshgate.io, kind: Backend, name: web-canary, port: 8000}]
`;
  const explainRoot = async (): Promise<string[]> => {
    const answer = await call(plane, 'POST', '/v1/explain', {
      type: 'application/json',
      body: JSON.stringify({ group: GROUP, port: 8080, host: 'shop.example.com', path: '/' }),
    });
    assert.equal(answer.status, 200, answer.text);
    return (answer.body as { upstream?: { clusters: { name: string }[] } }).upstream?.clusters.map((c) => c.name) ?? [];
  };

  before(async () => {
    dir = tempDir();
    plane = await startPlane(dir);
  });
  after(async () => {
    await plane.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stamps creationTimestamp on creation; the older route wins over a newer one that sorts first by name', async () => {
    assert.equal((await call(plane, 'POST', '/v1/apply', { body: BASIC })).status, 200);
    const stored = await call(plane, 'GET', '/v1/resources/HTTPRoute/default/web');
    const created = ((stored.body as { document: { metadata: { creationTimestamp?: string } } }).document.metadata.creationTimestamp);
    assert.match(created ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Timestamps have whole seconds: make the second route strictly newer.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await call(plane, 'POST', '/v1/apply', { body: NEWER_ROUTE })).status, 200);
    assert.deepEqual(await explainRoot(), [WEB_CLUSTER]);
  });

  it('re-applying YAML without a timestamp keeps the original one: "unchanged", and the older route still wins', async () => {
    const answer = await call(plane, 'POST', '/v1/apply', { body: BASIC });
    assert.equal(answer.status, 200, answer.text);
    const web = (answer.body as unknown as ApplyBody).documents.find((d) => d.ref.kind.startsWith('HTTPRoute') && d.ref.name === 'web');
    assert.equal(web?.outcome, 'unchanged');
    assert.deepEqual(await explainRoot(), [WEB_CLUSTER]);
  });

  it('a creationTimestamp given in the document is kept as given, and a malformed one is refused', async () => {
    const older = NEWER_ROUTE.replace('namespace: default}', 'namespace: default, creationTimestamp: "2020-01-01T00:00:00Z"}');
    assert.equal((await call(plane, 'POST', '/v1/apply', { body: older })).status, 200);
    assert.notEqual((await explainRoot())[0], WEB_CLUSTER);
    const bad = await call(plane, 'POST', '/v1/apply', { body: NEWER_ROUTE.replace('namespace: default}', 'namespace: default, creationTimestamp: yesterday}') });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.text, /metadata\.creationTimestamp/);
  });
});

describe('policy API: restart', () => {
  it('a new control plane on the same data directory serves the same resources with the same versions', async () => {
    const dir = tempDir();
    try {
      const first = await startPlane(dir);
      let versions: [string, string][];
      let content: Record<string, Record<string, unknown>>;
      let listed: string;
      try {
        applied(await apply(first, BASIC));
        applied(await apply(first, withWebAddress('10.0.0.9')));
        versions = [...snapshot(first).typeVersions].sort();
        content = contentOf(snapshot(first));
        listed = (await call(first, 'GET', '/v1/resources')).text;
      } finally {
        await first.close();
      }

      const second = await startPlane(dir);
      try {
        assert.equal(second.store.revision, 2);
        assert.deepEqual([...snapshot(second).typeVersions].sort(), versions);
        assert.deepEqual(contentOf(snapshot(second)), content);
        assert.equal((await call(second, 'GET', '/v1/resources')).text, listed);
        // And it keeps working: the same documents are still "unchanged".
        const again = applied(await apply(second, withWebAddress('10.0.0.9')));
        assert.equal(again.changed, false);
        assert.equal(again.revision, 2);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
