// POST /v1/apply with Kong declarative files: a decK YAML is stored as one KongConfiguration and
// served as gateway/default/kong; bad Kong input is a 400 naming the Kong field path (and nothing
// is stored); ?lenient=true stores the lenient annotation and reports what was dropped in the
// status; credentials are never echoed; a restart serves the same configuration.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TypeUrl } from '../../src/envoy/type-urls';
import { startPlane, call, served, KONG_GROUP, type Plane } from './plane';

const KONG = `
_format_version: "3.0"
services:
  - name: catalog
    url: http://10.8.0.1:8080
    routes:
      - name: catalog
        paths: [/catalog]
        plugins:
          - name: key-auth
consumers:
  - username: acme
    keyauth_credentials:
      - key: acme-very-secret-key
    basicauth_credentials:
      - username: acme
        password: acme-very-secret-password
`;

const CANNOT_HONOUR = `
_format_version: "3.0"
services:
  - name: catalog
    url: http://10.8.0.1:8080
    routes:
      - name: catalog
        paths: [/catalog]
        hosts: [catalog.example.*, catalog.example.com]
`;

interface ErrorBody {
  error: { code: string; message: string; details: { document?: { kind: string; namespace: string; name: string }; path: string; reason: string }[] };
}
interface ResourceBody {
  document: { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> };
  status?: { conditions?: { type: string; status: string }[]; warnings?: string[] };
}

describe('POST /v1/apply with Kong declarative files', () => {
  let p: Plane;
  before(async () => {
    p = await startPlane();
  });
  after(async () => {
    await p.close();
    fs.rmSync(p.dir, { recursive: true, force: true });
  });

  it('a decK YAML becomes the KongConfiguration default/kong and gateway/default/kong is served', async () => {
    const answer = await call(p.plane, 'POST', '/v1/apply', KONG);
    assert.equal(answer.status, 200, answer.text);
    const docs = (answer.body as { documents: { ref: { kind: string; namespace: string; name: string }; outcome: string }[] }).documents;
    assert.deepEqual(docs.map((d) => [d.ref.kind.split('.')[0], d.ref.namespace, d.ref.name, d.outcome]), [['KongConfiguration', 'default', 'kong', 'created']]);
    const resources = served(p.plane);
    assert.ok(Object.keys(resources[TypeUrl.Cluster] ?? {}).includes('backend/default/catalog'), JSON.stringify(Object.keys(resources[TypeUrl.Cluster] ?? {})));
    assert.deepEqual(Object.keys(resources[TypeUrl.Listener] ?? {}), ['0.0.0.0_8000']);
  });

  it('GET shows the KongConfiguration Accepted with its credentials redacted', async () => {
    const answer = await call(p.plane, 'GET', '/v1/resources/KongConfiguration/default/kong');
    assert.equal(answer.status, 200, answer.text);
    assert.doesNotMatch(answer.text, /acme-very-secret/);
    const body = answer.body as unknown as ResourceBody;
    assert.equal(body.status?.conditions?.find((c) => c.type === 'Accepted')?.status, 'True');
  });

  it('bad Kong input is refused with 400 naming the KongConfiguration and the Kong path; nothing is stored', async () => {
    const bad = KONG.replace('paths: [/catalog]', 'paths: [/catalog]\n        methods: [GET]\n        stripe_path: false');
    const answer = await call(p.plane, 'POST', '/v1/apply', bad);
    assert.equal(answer.status, 400, answer.text);
    const detail = (answer.body as unknown as ErrorBody).error.details[0]!;
    assert.deepEqual(detail.document, { kind: 'KongConfiguration', namespace: 'default', name: 'kong' });
    assert.equal(detail.path, 'services[0].routes[0].stripe_path');
    assert.match(detail.reason, /unknown field "stripe_path"/);
    const revisions = await call(p.plane, 'GET', '/v1/revisions');
    assert.equal((revisions.body as { current: number }).current, 1);
  });

  it('a field meshgate cannot honour is a 400 unless ?lenient=true, which stores the annotation and reports warnings', async () => {
    const strict = await call(p.plane, 'POST', '/v1/apply', CANNOT_HONOUR);
    assert.equal(strict.status, 400, strict.text);
    const detail = (strict.body as unknown as ErrorBody).error.details[0]!;
    assert.equal(detail.path, 'services[0].routes[0].hosts[0]');
    assert.match(detail.reason, /cannot be honoured/);

    const lenient = await call(p.plane, 'POST', '/v1/apply?lenient=true', CANNOT_HONOUR);
    assert.equal(lenient.status, 200, lenient.text);
    const stored = (await call(p.plane, 'GET', '/v1/resources/KongConfiguration/default/kong')).body as unknown as ResourceBody;
    assert.equal(stored.document.metadata.annotations?.['meshgate.io/lenient'], 'true');
    assert.ok(stored.status?.warnings?.some((w) => w.startsWith('services[0].routes[0].hosts[0]:') && /dropped: lenient/.test(w)), JSON.stringify(stored.status));
  });

  it('a restart translates the stored lenient document the same way', async () => {
    const before = served(p.plane);
    await p.plane.close();
    const again = await startPlane(p.dir);
    try {
      assert.deepEqual(served(again.plane), before);
    } finally {
      await again.close();
    }
    p = await startPlane(p.dir);
  });
});

describe('the proxy group of a KongConfiguration written with another name', () => {
  it('is gateway/<namespace>/<name>', async () => {
    const p = await startPlane();
    try {
      const envelope = `apiVersion: meshgate.io/v1alpha1\nkind: KongConfiguration\nmetadata: {name: edge, namespace: team-a}\nspec:\n${KONG.trim().split('\n').map((l) => `  ${l}`).join('\n')}\n`;
      const answer = await call(p.plane, 'POST', '/v1/apply', envelope);
      assert.equal(answer.status, 200, answer.text);
      assert.ok(served(p.plane, 'gateway/team-a/edge'));
      assert.equal(p.plane.cache.getSnapshot(KONG_GROUP), undefined);
    } finally {
      await p.close();
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });
});
