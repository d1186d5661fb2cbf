import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CertificateAuthority, WorkloadCertificates, renewalTime } from '../../src/ca';
import { decodeAny, encodeAny } from '../../src/envoy/codec';
import { validateSnapshot } from '../../src/validate';
import { ManualClock } from './fixtures';

const HOUR = 3600_000;
const identity = (serviceAccount: string) => ({ trustDomain: 'cluster.local', namespace: 'demo', serviceAccount });

/** Without `ttlMs` the certificates get WorkloadCertificates' own default, which the first test checks. */
async function setup(ttlMs?: number): Promise<{ clock: ManualClock; certs: WorkloadCertificates }> {
  const clock = new ManualClock();
  const { ca } = await CertificateAuthority.generate({ clock });
  return { clock, certs: new WorkloadCertificates(ca, { ...(ttlMs !== undefined ? { ttlMs } : {}), autoRenew: false }) };
}

test('certificates are issued once per SPIFFE ID and renewed at half life, before they expire', async () => {
  const { clock, certs } = await setup();
  const rotated: string[][] = [];
  certs.onRotated((ids) => rotated.push([...ids]));
  await certs.prepare([identity('catalog'), identity('catalog'), identity('frontend')]);
  const first = certs.current(identity('catalog'))!;
  assert.equal(first.notAfter - first.issuedAt, 24 * HOUR, 'default TTL 24 h');
  assert.equal(renewalTime(first), first.issuedAt + 12 * HOUR);

  clock.advance(12 * HOUR - 1);
  assert.deepEqual(await certs.renewDue(), []);
  assert.equal(certs.current(identity('catalog')), first);

  clock.advance(1);
  assert.deepEqual(await certs.renewDue(), ['spiffe://cluster.local/ns/demo/sa/catalog', 'spiffe://cluster.local/ns/demo/sa/frontend']);
  assert.deepEqual(rotated, [['spiffe://cluster.local/ns/demo/sa/catalog', 'spiffe://cluster.local/ns/demo/sa/frontend']]);
  const second = certs.current(identity('catalog'))!;
  assert.notEqual(second.serialNumber, first.serialNumber);
  assert.notEqual(second.privateKeyPem, first.privateKeyPem, 'a new key with every certificate');
  assert.ok(first.notAfter > clock.now(), 'the old certificate was still valid when replaced');
  assert.equal(second.notAfter, clock.now() + 24 * HOUR);
  certs.close();
});

test('prepare drops identities no longer served; secretsFor answers only for valid certificates', async () => {
  const { clock, certs } = await setup(2 * HOUR);
  await certs.prepare([identity('catalog'), identity('frontend')]);
  await certs.prepare([identity('catalog')]);
  assert.equal(certs.current(identity('frontend')), undefined);
  const secrets = certs.secretsFor(identity('catalog'))!;
  assert.equal(certs.secretsFor(identity('catalog')), secrets, 'the same array while the certificate is the same');
  clock.advance(2 * HOUR);
  assert.equal(certs.secretsFor(identity('catalog')), undefined, 'never an expired certificate');
  certs.close();
});

test('the Secrets are Envoy v3 "default" (chain + key) and "ROOTCA" (trusted CA), valid and encodable', async () => {
  const { certs } = await setup();
  await certs.prepare([identity('catalog')]);
  const secrets = certs.secretsFor(identity('catalog'))!;
  assert.deepEqual(secrets.map((s) => s.name), ['default', 'ROOTCA']);
  assert.deepEqual(validateSnapshot(secrets), []);
  for (const secret of secrets) assert.deepEqual(decodeAny(encodeAny(secret.typeUrl, secret.json)), { typeUrl: secret.typeUrl, json: secret.json }, 'codec round trip');
  const certificate = certs.current(identity('catalog'))!;
  assert.deepEqual(secrets[0]!.json, {
    name: 'default',
    tls_certificate: { certificate_chain: { inline_string: certificate.certificateChainPem }, private_key: { inline_string: certificate.privateKeyPem } },
  });
  assert.deepEqual(secrets[1]!.json, { name: 'ROOTCA', validation_context: { trusted_ca: { inline_string: certificate.trustBundlePem } } });
  assert.ok(new X509Certificate(certificate.certificateChainPem).verify(new X509Certificate(certificate.trustBundlePem).publicKey));
  certs.close();
});

test('with the real clock, renewal runs on its own timer', async () => {
  const { ca } = await CertificateAuthority.generate();
  const certs = new WorkloadCertificates(ca, { ttlMs: 2000 });
  // The renewal timer is unref'd (it must not keep a control plane alive): hold the loop open here.
  const keepAlive = setTimeout(() => {}, 10_000);
  const renewed = new Promise<readonly string[]>((resolve) => certs.onRotated(resolve));
  await certs.prepare([identity('catalog')]);
  const first = certs.current(identity('catalog'))!;
  assert.deepEqual(await renewed, ['spiffe://cluster.local/ns/demo/sa/catalog']);
  assert.notEqual(certs.current(identity('catalog'))!.serialNumber, first.serialNumber);
  clearTimeout(keepAlive);
  certs.close();
});
