// Test helpers for the CA: a hand-turned clock, and an operator-style root + intermediate built
// with @peculiar/x509 directly (as an operator's own PKI would hand them to meshgate).
import { x509 } from '../../src/ca/x509';
import { EC_P256, generateKeyPair, privateKeyToPem } from '../../src/ca/keys';
import type { Clock } from '../../src/ca/clock';

export class ManualClock implements Clock {
  constructor(private at: number = Date.UTC(2030, 0, 1)) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

export interface OperatorPki {
  readonly rootPem: string;
  readonly intermediatePem: string;
  readonly intermediateKeyPem: string;
}

/** A root and an intermediate CA signed by it, both EC P-256, valid around `now`. */
export async function operatorPki(now: number = Date.now()): Promise<OperatorPki> {
  const rootKeys = await generateKeyPair();
  const notBefore = new Date(now - 3600_000);
  const notAfter = new Date(now + 365 * 24 * 3600_000);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Operator Root, O=Example',
    keys: rootKeys,
    signingAlgorithm: EC_P256,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediateKeys = await generateKeyPair();
  const intermediate = await x509.X509CertificateGenerator.create({
    subject: 'CN=Operator Mesh Intermediate, O=Example',
    issuer: root.subjectName,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_P256,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  return {
    rootPem: root.toString('pem') + '\n',
    intermediatePem: intermediate.toString('pem') + '\n',
    intermediateKeyPem: await privateKeyToPem(intermediateKeys.privateKey),
  };
}
