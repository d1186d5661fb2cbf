import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenAuthority, TOKEN_KEY_FILE } from '../../src/identity';

test('a token carries namespace, service account and workload, and verifies only with the key that signed it', () => {
  const authority = TokenAuthority.ephemeral();
  const { token, claims } = authority.issue({ namespace: 'demo', serviceAccount: 'catalog', workload: 'catalog-v1' }, Date.UTC(2030, 0, 1));
  assert.match(token, /^mgt1\.[\w-]+\.[\w-]+$/);
  const verdict = authority.verify(token, Date.UTC(2035, 0, 1));
  assert.ok(verdict.ok);
  assert.deepEqual(verdict.claims, claims);
  assert.equal(verdict.claims.workload, 'catalog-v1');
  assert.notEqual(authority.issue({ namespace: 'demo', serviceAccount: 'catalog' }).token, authority.issue({ namespace: 'demo', serviceAccount: 'catalog' }).token);

  const other = TokenAuthority.ephemeral();
  const forged = other.verify(token);
  assert.ok(!forged.ok && /signature does not verify/.test(forged.reason));
  // Changing the claims breaks the signature.
  const [prefix, , signature] = token.split('.');
  const tampered = `${prefix}.${Buffer.from(JSON.stringify({ ns: 'demo', sa: 'frontend', iat: 1, jti: 'x' })).toString('base64url')}.${signature}`;
  assert.ok(!authority.verify(tampered).ok);
  for (const garbage of ['', 'mgt1', 'mgt1..', 'jwt.a.b', `${token}x`]) assert.equal(authority.verify(garbage).ok, false, garbage);
});

test('a token with a TTL expires; names are checked when issuing', () => {
  const authority = TokenAuthority.ephemeral();
  const now = Date.UTC(2030, 0, 1);
  const { token } = authority.issue({ namespace: 'demo', serviceAccount: 'catalog', ttlSeconds: 60 }, now);
  assert.ok(authority.verify(token, now + 59_000).ok);
  const expired = authority.verify(token, now + 60_000);
  assert.ok(!expired.ok && /expired/.test(expired.reason));
  assert.ok(!expired.ok && !expired.reason.includes(token));
  assert.throws(() => authority.issue({ namespace: 'Demo', serviceAccount: 'catalog' }), /namespace "Demo" is not a valid name/);
  assert.throws(() => authority.issue({ namespace: 'demo', serviceAccount: 'catalog', ttlSeconds: -1 }), /positive integer/);
});

test('the key lives in <data-dir>/identity (0600) and survives restarts; rotating it revokes every token', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-tokens-'));
  assert.throws(() => TokenAuthority.open(dataDir, { create: false }), /no token key/);
  const first = TokenAuthority.open(dataDir);
  const keyFile = path.join(dataDir, 'identity', TOKEN_KEY_FILE);
  assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
  const { token } = first.issue({ namespace: 'demo', serviceAccount: 'catalog' });
  assert.ok(TokenAuthority.open(dataDir).verify(token).ok);
  fs.rmSync(keyFile);
  assert.equal(TokenAuthority.open(dataDir).verify(token).ok, false);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
