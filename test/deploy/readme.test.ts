// The docker-compose walkthrough (README.md "Try it with docker compose" and examples/README.md)
// must stay right for the files it names: every path exists, the admin token is the compose
// default, the proxies it lists are the compose file's nodes, and the demo JWT it hands out is the
// one mint-token.js prints and verifies against the keys the JWT policies trust.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { documentsOf, readmeDemoToken } from './demo-sets';
import { controlPlaneService, envoyServices, flagValue, loadCompose, rawCompose, ROOT, type ComposeService } from './compose';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const EXAMPLES_README = fs.readFileSync(path.join(ROOT, 'examples', 'README.md'), 'utf8');

function composeSection(): string {
  const start = README.indexOf('## Try it with docker compose');
  assert.ok(start >= 0, 'README.md has the section "Try it with docker compose"');
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

test('every examples/ and envoy/ path the walkthroughs name exists', () => {
  for (const [name, text] of [['README.md', composeSection()], ['examples/README.md', EXAMPLES_README]] as const) {
    const base = name === 'README.md' ? ROOT : path.join(ROOT, 'examples');
    const paths = [...text.matchAll(/(?<![\w/.-])((?:examples|envoy|demo-app|gateway-api|istio)\/[\w./*<>$-]*[\w/*>])/g)].map((m) => m[1]!);
    assert.ok(paths.length > 5, `${name} names files`);
    for (const p of paths) {
      if (/[$<*]/.test(p)) continue; // a pattern (0*.yaml, <format>/), not a file
      const candidates = [path.join(ROOT, p), path.join(base, p)];
      assert.ok(candidates.some((c) => fs.existsSync(c)), `${name}: ${p} exists`);
    }
  }
});

test('the admin token of the walkthrough is the compose file\'s default', () => {
  const [name] = controlPlaneService(loadCompose());
  const raw = (rawCompose()['services'] as Record<string, ComposeService>)[name]!.environment!['MESHGATE_ADMIN_TOKEN']!;
  const fallback = /:-([^}]+)\}/.exec(raw)![1]!;
  const used = new Set([...`${composeSection()}\n${EXAMPLES_README}`.matchAll(/Authorization: Bearer ([\w-]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...used], [fallback]);
  assert.match(composeSection(), new RegExp(`admin token is \`${fallback}\``));
});

test('the proxies GET /v1/proxies shows in the walkthrough are the compose file\'s Envoy nodes and groups', () => {
  const listed = [...composeSection().matchAll(/^# (\S+) {2}(\S+) {2}synced$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  const nodes = envoyServices(loadCompose()).map((e) => `${flagValue(e.job.args, '--node-id')} ${flagValue(e.job.args, '--group')}`).sort();
  assert.deepEqual(listed, nodes);
});

test('the walkthrough\'s steps are the Gateway API demo steps, applied in order', () => {
  const applied = [...composeSection().matchAll(/^meshgate apply -f (\S+)/gm)].map((m) => m[1]);
  const steps = fs.readdirSync(path.join(ROOT, 'examples', 'gateway-api', 'demo')).sort().map((f) => `examples/gateway-api/demo/${f}`);
  assert.deepEqual(applied, steps);
});

function base64urlJson(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

test('the demo JWT is what mint-token.js prints, and it verifies against every JWKS the JWT policies inline', () => {
  const token = readmeDemoToken();
  const minted = execFileSync(process.execPath, [path.join(ROOT, 'examples', 'demo-app', 'mint-token.js')], { encoding: 'utf8' }).trim();
  assert.equal(token, minted);
  const [header, payload, signature] = token.split('.');
  const head = base64urlJson(header!);
  const claims = base64urlJson(payload!);
  assert.equal(head['alg'], 'RS256');
  assert.ok(Number(claims['exp']) > Date.now() / 1000 + 10 * 365 * 86400, 'valid for years');
  const policies = [path.join(ROOT, 'examples', 'gateway-api', 'demo', '02-jwt-ratelimit.yaml'), path.join(ROOT, 'examples', 'istio', 'demo', '02-jwt.yaml')];
  const trusted: { issuer: string; audiences: string[]; jwks: string }[] = [];
  for (const doc of documentsOf(policies)) {
    const spec = doc.spec as {
      jwt?: { providers: { issuer: string; audiences: string[]; localJWKS: { inline: string } }[] };
      jwtRules?: { issuer: string; audiences: string[]; jwks: string }[];
    };
    for (const p of spec.jwt?.providers ?? []) trusted.push({ issuer: p.issuer, audiences: p.audiences, jwks: p.localJWKS.inline });
    for (const r of spec.jwtRules ?? []) trusted.push({ issuer: r.issuer, audiences: r.audiences, jwks: r.jwks });
  }
  assert.equal(trusted.length, 2);
  const published = fs.readFileSync(path.join(ROOT, 'examples', 'demo-app', 'jwt', 'jwks.json'), 'utf8');
  for (const t of trusted) {
    assert.deepEqual(JSON.parse(t.jwks), JSON.parse(published), 'the policies inline jwt/jwks.json');
    assert.equal(claims['iss'], t.issuer);
    assert.ok(t.audiences.includes(String(claims['aud'])));
    const jwk = (JSON.parse(t.jwks) as { keys: (crypto.JsonWebKey & { kid: string })[] }).keys.find((k) => k.kid === head['kid']);
    assert.ok(jwk, `a key with kid ${String(head['kid'])}`);
    const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
    assert.ok(crypto.verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature!, 'base64url')), 'RS256 signature verifies');
  }
  // And the private key is the one the JWKS publishes (so minted tokens verify too).
  const privateKey = crypto.createPrivateKey(fs.readFileSync(path.join(ROOT, 'examples', 'demo-app', 'jwt', 'demo-only-private-key.pem')));
  const publicJwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  const first = (JSON.parse(published) as { keys: crypto.JsonWebKey[] }).keys[0]!;
  assert.deepEqual([publicJwk.n, publicJwk.e], [first.n, first.e]);
});
