// `meshgate token` and `meshgate cert` run as the compiled CLI, and render's Secrets for sidecar groups.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { openCertificateAuthority, ROOT_CERT_FILE } from '../../src/ca';
import { servedResources, withMeshSecrets } from '../../src/cli/offline';
import { TokenAuthority } from '../../src/identity';
import { runCli } from '../cli/helpers';
import { gatewayDocuments, meshCompile } from './mesh-plane';

function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-cli-id-'));
}

describe('identity commands', { concurrency: true }, () => {
  it('token: prints only the token, which the control plane of that data dir accepts', async () => {
    const dataDir = tempDataDir();
    const result = await runCli(['token', '--namespace', 'demo', '--service-account', 'catalog', '--workload', 'catalog-v1', '--ttl', '720h', '--data-dir', dataDir]);
    assert.equal(result.code, 0, result.stderr);
    const token = result.stdout.trim();
    assert.equal(result.stdout, `${token}\n`);
    const verdict = TokenAuthority.open(dataDir, { create: false }).verify(token);
    assert.ok(verdict.ok);
    assert.equal(verdict.claims.workload, 'catalog-v1');
    assert.equal(verdict.claims.expiresAt! - verdict.claims.issuedAt, 720 * 3600);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('token: missing flags and bad names are usage errors', async () => {
    const missing = await runCli(['token', '--namespace', 'demo']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--namespace and --service-account are required/);
    const dataDir = tempDataDir();
    const bad = await runCli(['token', '--namespace', 'Demo', '--service-account', 'catalog', '--data-dir', dataDir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /namespace "Demo" is not a valid name/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('cert: writes cert.pem, key.pem (0600) and ca.pem from the data dir\'s CA', async () => {
    const dataDir = tempDataDir();
    const out = path.join(dataDir, 'out');
    const result = await runCli(['cert', '--namespace', 'demo', '--service-account', 'catalog', '--out', out, '--ttl', '2h', '--data-dir', dataDir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /spiffe:\/\/cluster.local\/ns\/demo\/sa\/catalog: wrote cert.pem, key.pem, ca.pem/);
    const leaf = new X509Certificate(fs.readFileSync(path.join(out, 'cert.pem')));
    const bundle = fs.readFileSync(path.join(out, 'ca.pem'), 'utf8');
    assert.equal(bundle, fs.readFileSync(path.join(dataDir, 'ca', ROOT_CERT_FILE), 'utf8'), 'the data dir root, kept for the control plane');
    assert.ok(leaf.verify(new X509Certificate(bundle).publicKey));
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/demo/sa/catalog');
    const lifetime = new Date(leaf.validTo).getTime() - Date.now();
    assert.ok(lifetime > 1.9 * 3600_000 && lifetime <= 2 * 3600_000, `TTL 2h, got ${lifetime} ms`);
    assert.equal(fs.statSync(path.join(out, 'key.pem')).mode & 0o777, 0o600);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('render: a sidecar group includes "default" and "ROOTCA" from the data dir\'s CA, with the private key redacted', async () => {
    const dataDir = tempDataDir();
    const { ca } = await openCertificateAuthority({ dataDir });
    const outcome = meshCompile()(gatewayDocuments(['catalog-v1']));
    assert.ok(outcome.ok);
    const { config, caOrigin } = await withMeshSecrets(outcome.config, { dataDir });
    assert.equal(caOrigin, 'data-dir');
    const node = { id: 'catalog-v1-a', cluster: '', metadata: { meshgate_group: 'sidecar/demo/catalog-v1' }, userAgentName: 'envoy', userAgentVersion: '', clientFeatures: [] };
    const served = servedResources(config, node);
    assert.deepEqual(served.secrets.map((s) => s['name']).sort(), ['ROOTCA', 'default']);
    const text = JSON.stringify(served.secrets);
    assert.ok(!text.includes('PRIVATE KEY'), 'the key is redacted');
    assert.match(text, /\[redacted\]/);
    assert.ok(text.includes(JSON.stringify(ca.trustBundlePem).slice(1, 60)), 'the trust bundle is the data dir root');

    // Without a CA in the data dir, a throwaway one is used and nothing is written.
    const empty = tempDataDir();
    const throwaway = await withMeshSecrets(outcome.config, { dataDir: empty });
    assert.equal(throwaway.caOrigin, 'memory');
    assert.deepEqual(fs.readdirSync(empty), []);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
