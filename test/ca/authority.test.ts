import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CertificateAuthority, openCertificateAuthority, ROOT_CERT_FILE, ROOT_KEY_FILE } from '../../src/ca';
import { splitCertificates } from '../../src/ca/pem';
import { ManualClock, operatorPki } from './fixtures';

const CATALOG = { namespace: 'demo', serviceAccount: 'catalog' };
const HOUR = 3600_000;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-ca-'));
}

test('a workload certificate chains to the generated root and carries the SPIFFE ID as its only name', async () => {
  const { ca } = await CertificateAuthority.generate();
  const issued = await ca.issue(CATALOG, 24 * HOUR);
  const [leafPem, ...rest] = splitCertificates(issued.certificateChainPem);
  assert.equal(rest.length, 0, 'a root-signed certificate is served without intermediates');
  const leaf = new X509Certificate(leafPem!);
  const root = new X509Certificate(issued.trustBundlePem);
  assert.ok(leaf.checkIssued(root));
  assert.ok(leaf.verify(root.publicKey));
  assert.ok(root.ca);
  assert.equal(leaf.ca, false);
  assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/demo/sa/catalog');
  assert.equal(issued.spiffeId, 'spiffe://cluster.local/ns/demo/sa/catalog');
  assert.equal(leaf.serialNumber.toLowerCase(), issued.serialNumber.toLowerCase());
  const key = createPrivateKey(issued.privateKeyPem);
  assert.ok(leaf.checkPrivateKey(key));
  assert.equal(key.asymmetricKeyType, 'ec');
  assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.match(issued.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.match(leaf.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/, 'server auth');
  assert.match(leaf.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.2/, 'client auth');
});

test('the trust domain is the CA\'s, and the TTL is honoured from the CA clock', async () => {
  const clock = new ManualClock(Date.UTC(2031, 5, 1, 12));
  const { ca } = await CertificateAuthority.generate({ trustDomain: 'mesh.example.org', clock });
  const issued = await ca.issue(CATALOG, 2 * HOUR);
  const leaf = new X509Certificate(issued.certificateChainPem);
  assert.equal(leaf.subjectAltName, 'URI:spiffe://mesh.example.org/ns/demo/sa/catalog');
  assert.equal(new Date(leaf.validTo).getTime(), clock.now() + 2 * HOUR);
  assert.equal(issued.notAfter, clock.now() + 2 * HOUR);
  assert.ok(new Date(leaf.validFrom).getTime() <= clock.now(), 'valid from (slightly before) issuance');
  assert.equal(issued.issuedAt, clock.now());
  await assert.rejects(ca.issue(CATALOG, 0), /TTL must be positive/);
});

test('the root is kept in <data-dir>/ca (key 0600) and reused on restart', async () => {
  const dataDir = tempDir();
  const first = await openCertificateAuthority({ dataDir });
  assert.equal(first.origin, 'generated');
  const keyFile = path.join(dataDir, 'ca', ROOT_KEY_FILE);
  assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
  assert.equal(fs.readdirSync(path.join(dataDir, 'ca')).filter((f) => f.endsWith('.tmp')).length, 0, 'no temporary files left');
  const issuedBefore = await first.ca.issue(CATALOG, HOUR);

  const second = await openCertificateAuthority({ dataDir });
  assert.equal(second.origin, 'data-dir');
  assert.equal(second.ca.trustBundlePem, first.ca.trustBundlePem);
  const issuedAfter = await second.ca.issue(CATALOG, HOUR);
  const root = new X509Certificate(first.ca.trustBundlePem);
  for (const issued of [issuedBefore, issuedAfter]) assert.ok(new X509Certificate(issued.certificateChainPem).verify(root.publicKey));
});

test('a data dir with half a root is reported, never silently replaced', async () => {
  const dataDir = tempDir();
  await openCertificateAuthority({ dataDir });
  fs.rmSync(path.join(dataDir, 'ca', ROOT_KEY_FILE));
  await assert.rejects(openCertificateAuthority({ dataDir }), new RegExp(`holds ${ROOT_CERT_FILE} without ${ROOT_KEY_FILE}`));
});

test('an operator intermediate signs workload certificates; the chain served includes it and TLS accepts it', async () => {
  const pki = await operatorPki();
  const dir = tempDir();
  const certFile = path.join(dir, 'ca-cert.pem');
  const keyFile = path.join(dir, 'ca-key.pem');
  fs.writeFileSync(certFile, pki.intermediatePem + pki.rootPem);
  fs.writeFileSync(keyFile, pki.intermediateKeyPem);
  const { ca, origin } = await openCertificateAuthority({ caCertFile: certFile, caKeyFile: keyFile, dataDir: dir });
  assert.equal(origin, 'supplied');
  assert.equal(fs.existsSync(path.join(dir, 'ca')), false, 'no generated root beside a supplied CA');
  assert.equal(ca.trustBundlePem, pki.rootPem);

  const issued = await ca.issue(CATALOG, HOUR);
  const chain = splitCertificates(issued.certificateChainPem);
  assert.equal(chain.length, 2);
  assert.equal(chain[1], pki.intermediatePem);
  const leaf = new X509Certificate(chain[0]!);
  const intermediate = new X509Certificate(pki.intermediatePem);
  assert.ok(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey));

  // OpenSSL builds and verifies the chain up to the root, as Envoy will.
  const server = tls.createServer({ cert: issued.certificateChainPem, key: issued.privateKeyPem }, (socket) => socket.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: issued.trustBundlePem, checkServerIdentity: () => undefined }, () => {
        resolve(socket.authorized);
        socket.destroy();
      });
      socket.on('error', reject);
    });
    assert.equal(authorized, true);
  } finally {
    server.close();
  }
});

test('a supplied CA is refused with the reason: no root in the bundle, wrong key, not a CA', async () => {
  const pki = await operatorPki();
  await assert.rejects(CertificateAuthority.fromPem(pki.intermediatePem, pki.intermediateKeyPem), /does not end with a self-signed root/);
  const other = await operatorPki();
  await assert.rejects(CertificateAuthority.fromPem(pki.intermediatePem + pki.rootPem, other.intermediateKeyPem), /private key does not match/);
  await assert.rejects(CertificateAuthority.fromPem(pki.rootPem + pki.intermediatePem, pki.intermediateKeyPem), /private key does not match|not issued by/);
  const { ca } = await CertificateAuthority.generate();
  const leaf = await ca.issue(CATALOG, HOUR);
  await assert.rejects(CertificateAuthority.fromPem(leaf.certificateChainPem, leaf.privateKeyPem), /not a CA certificate/);
  await assert.rejects(openCertificateAuthority({ caCertFile: '/nonexistent/ca.pem', caKeyFile: '/nonexistent/key.pem' }), /cannot read --ca-cert file/);
});
