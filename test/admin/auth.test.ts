import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isProtectedPath, tokensEqual } from '../../src/admin/auth';
import { buildTestAdmin, type TestAdmin } from './app';

const TOKEN = 'c2VjcmV0LXRva2Vu-0123456789';

describe('admin API: bearer token', () => {
  let t: TestAdmin;
  before(() => {
    t = buildTestAdmin({ token: TOKEN });
  });
  after(() => t.close());

  for (const url of ['/v1/proxies', '/v1/proxies/gw-1', '/v1/proxies/gw-1/config', '/v1/not-a-route']) {
    it(`${url} answers 401 without a token or with a wrong one`, async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }]) {
        const res = await t.app.inject({ method: 'GET', url, headers });
        assert.equal(res.statusCode, 401, JSON.stringify(headers));
        assert.equal((res.json() as { error: { code: string } }).error.code, 'unauthorized');
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
    });
  }

  it('accepts the right token (scheme case-insensitive)', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/proxies/gw-1', headers: { authorization: `${scheme} ${TOKEN}` } });
      assert.equal(res.statusCode, 200);
    }
    const missing = await t.app.inject({ method: 'GET', url: '/v1/not-a-route', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(missing.statusCode, 404);
  });

  it('leaves /healthz, /readyz, /metrics and /openapi.json open', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
    }
  });

  it('without a configured token, /v1 routes are open', async () => {
    const open = buildTestAdmin();
    try {
      assert.equal((await open.app.inject({ method: 'GET', url: '/v1/proxies' })).statusCode, 200);
    } finally {
      await open.close();
    }
  });

  it('decides protection by path prefix and compares tokens exactly', () => {
    assert.equal(isProtectedPath('/v1'), true);
    assert.equal(isProtectedPath('/v1/apply'), true);
    assert.equal(isProtectedPath('/v10'), false);
    assert.equal(isProtectedPath('/metrics'), false);
    assert.equal(tokensEqual('abc', 'abc'), true);
    assert.equal(tokensEqual('abc', 'abcd'), false);
    assert.equal(tokensEqual('', 'abc'), false);
  });
});
