import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openApiPath } from '../../src/admin/openapi';
import { buildTestAdmin, type TestAdmin } from './app';

// Response bodies are navigated loosely in assertions; a wrong path fails the assertion anyway.
type Obj = Record<string, any>;

describe('admin API: OpenAPI document', () => {
  let t: TestAdmin;
  let doc: Obj;
  before(async () => {
    t = buildTestAdmin({ token: 'tok' });
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json() as Obj;
  });
  after(() => t.close());

  it('documents every registered route, with OpenAPI path templates', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'meshgate admin API');
    assert.deepEqual(Object.keys(doc.paths), ['/healthz', '/metrics', '/openapi.json', '/readyz', '/v1/proxies', '/v1/proxies/{id}', '/v1/proxies/{id}/config']);
    for (const path of Object.keys(doc.paths)) assert.deepEqual(Object.keys(doc.paths[path]), ['get'], path);
    assert.equal(openApiPath('/v1/a/:x/b/:y_z'), '/v1/a/{x}/b/{y_z}');
  });

  it('carries parameters, responses and media types from the route schemas', () => {
    const detail = doc.paths['/v1/proxies/{id}'].get;
    assert.equal(detail.operationId, 'getProxy');
    assert.deepEqual(detail.parameters.map((p: Obj) => [p.name, p.in, p.required]), [['id', 'path', true]]);
    assert.deepEqual(Object.keys(detail.responses).sort(), ['200', '401', '404']);
    const ok = detail.responses['200'].content['application/json'].schema;
    assert.ok(ok.properties.types, 'response schema of the route');
    assert.ok(detail.responses['404'].content['application/json'].schema.properties.error);
    const metrics = doc.paths['/metrics'].get;
    assert.ok(metrics.responses['200'].content['text/plain']);
    assert.deepEqual(Object.keys(doc.paths['/readyz'].get.responses).sort(), ['200', '503']);
  });

  it('marks /v1 routes, and only those, as needing the bearer token', () => {
    assert.equal(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
    for (const [path, item] of Object.entries(doc.paths as Record<string, Obj>)) {
      const secured = Array.isArray(item.get.security);
      assert.equal(secured, path.startsWith('/v1/'), path);
    }
  });
});
