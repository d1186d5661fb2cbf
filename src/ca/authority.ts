// The certificate authority: one signing certificate and key (a generated self-signed root, or a
// root or intermediate the operator supplies), issuing short-lived X.509-SVIDs to workloads:
// URI SAN spiffe://<trust domain>/ns/<namespace>/sa/<service account>, ECDSA P-256 keys.
import { X509Certificate as NodeCertificate, createPrivateKey } from 'node:crypto';
import type { WorkloadIdentity } from '../ir/mesh';
import { spiffeIdOf } from '../ir/mesh';
import { systemClock, type Clock } from './clock';
import { EC_P256, generateKeyPair, importSigningKey, privateKeyToPem, type SigningKey } from './keys';
import { isSelfSigned, splitCertificates } from './pem';
import { x509 } from './x509';

/** A workload's certificate and key, ready to serve as the SDS secrets "default" and "ROOTCA". */
export interface WorkloadCertificate {
  readonly identity: WorkloadIdentity;
  readonly spiffeId: string;
  /** The leaf first, then the CA's intermediates (never the root: peers already hold it). */
  readonly certificateChainPem: string;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** The root that validates every workload certificate of this CA. */
  readonly trustBundlePem: string;
  readonly serialNumber: string;
  /** When it was issued (the CA's clock), and its validity window (ms since the epoch). */
  readonly issuedAt: number;
  readonly notBefore: number;
  readonly notAfter: number;
}

export class CertificateAuthorityError extends Error {
  override name = 'CertificateAuthorityError';
}

/** Certificates start a minute in the past so a peer whose clock is slightly behind accepts them. */
const BACKDATE_MS = 60_000;
const ROOT_LIFETIME_MS = 10 * 365 * 24 * 3600_000;
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

interface Signer {
  readonly certificate: x509.X509Certificate;
  readonly key: SigningKey;
  readonly authorityKeyId: x509.AuthorityKeyIdentifierExtension;
}

export class CertificateAuthority {
  private constructor(
    readonly trustDomain: string,
    private readonly signer: Signer,
    /** The signing certificate and any intermediates above it, PEM, below the root. */
    private readonly intermediatesPem: readonly string[],
    /** The root certificate, PEM: what every proxy trusts. */
    readonly trustBundlePem: string,
    private readonly clock: Clock,
  ) {}

  /** A new self-signed root (EC P-256, 10 years). The key is exportable so it can be persisted. */
  static async generate(options: { trustDomain?: string; clock?: Clock } = {}): Promise<{ ca: CertificateAuthority; certificatePem: string; keyPem: string }> {
    const clock = options.clock ?? systemClock;
    const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    const keys = await generateKeyPair();
    const now = clock.now();
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: [{ CN: ['meshgate root CA'] }, { O: [trustDomain] }],
      keys,
      signingAlgorithm: EC_P256,
      notBefore: secondsFloor(now - BACKDATE_MS),
      notAfter: secondsFloor(now + ROOT_LIFETIME_MS),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const certificatePem = root.toString('pem') + '\n';
    const keyPem = await privateKeyToPem(keys.privateKey);
    const ca = await CertificateAuthority.fromPem(certificatePem, keyPem, { trustDomain, clock, what: 'generated root' });
    return { ca, certificatePem, keyPem };
  }

  /**
   * A CA from PEM files. `certificatePem` holds the signing certificate first, then, when it is an
   * intermediate, its issuers up to and including the root (the root becomes the trust bundle).
   */
  static async fromPem(certificatePem: string, keyPem: string, options: { trustDomain?: string; clock?: Clock; what?: string } = {}): Promise<CertificateAuthority> {
    const what = options.what ?? 'CA certificate';
    const pems = splitCertificates(certificatePem);
    if (pems.length === 0) throw new CertificateAuthorityError(`${what}: no PEM certificate found`);
    let chain: NodeCertificate[];
    try {
      chain = pems.map((pem) => new NodeCertificate(pem));
    } catch (err) {
      throw new CertificateAuthorityError(`${what}: unreadable certificate (${(err as Error).message})`);
    }
    const signing = chain[0]!;
    if (!signing.ca) throw new CertificateAuthorityError(`${what}: the first certificate is not a CA certificate (basicConstraints CA:TRUE is required)`);
    if (!signing.checkPrivateKey(createPrivateKey(keyPem))) throw new CertificateAuthorityError(`${what}: the private key does not match the first certificate`);
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) {
        throw new CertificateAuthorityError(`${what}: certificate #${i + 1} is not issued by certificate #${i + 2}; list the signing certificate first, then each issuer up to the root`);
      }
    }
    const root = chain[chain.length - 1]!;
    if (!isSelfSigned(root)) {
      throw new CertificateAuthorityError(`${what}: the chain does not end with a self-signed root; append the intermediate's issuers up to the root so proxies can be given the trust bundle`);
    }
    const key = await importSigningKey(keyPem, `${what} key`);
    const certificate = new x509.X509Certificate(pems[0]!);
    const ski = certificate.getExtension<x509.SubjectKeyIdentifierExtension>(x509.SubjectKeyIdentifierExtension.NAME);
    const authorityKeyId = ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : await x509.AuthorityKeyIdentifierExtension.create(certificate.publicKey);
    return new CertificateAuthority(
      options.trustDomain ?? DEFAULT_TRUST_DOMAIN,
      { certificate, key, authorityKeyId },
      pems.slice(0, -1),
      pems[pems.length - 1]!,
      options.clock ?? systemClock,
    );
  }

  /** The CA's notion of now (the injected clock). */
  now(): number {
    return this.clock.now();
  }

  /** When the signing certificate expires: no workload certificate outlives it. */
  get notAfter(): number {
    return this.signer.certificate.notAfter.getTime();
  }

  /**
   * A new key and certificate for the identity, valid for `ttlMs` from now (never past the CA's own
   * expiry). The SPIFFE ID uses this CA's trust domain: the CA, not the caller, decides it.
   */
  async issue(identity: Pick<WorkloadIdentity, 'namespace' | 'serviceAccount'>, ttlMs: number): Promise<WorkloadCertificate> {
    if (!(ttlMs > 0)) throw new CertificateAuthorityError(`workload certificate TTL must be positive, got ${ttlMs} ms`);
    const full: WorkloadIdentity = { trustDomain: this.trustDomain, namespace: identity.namespace, serviceAccount: identity.serviceAccount };
    const spiffeId = spiffeIdOf(full);
    const keys = await generateKeyPair();
    const issuedAt = this.clock.now();
    const notBefore = secondsFloor(issuedAt - BACKDATE_MS);
    const notAfter = secondsFloor(Math.min(issuedAt + ttlMs, this.notAfter));
    const leaf = await x509.X509CertificateGenerator.create({
      // X.509-SVIDs carry the identity in the URI SAN only; with an empty subject the SAN is critical (RFC 5280 4.2.1.6).
      subject: '',
      issuer: this.signer.certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey: this.signer.key.privateKey,
      signingAlgorithm: this.signer.key.algorithm,
      notBefore,
      notAfter,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
        this.signer.authorityKeyId,
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return {
      identity: full,
      spiffeId,
      certificateChainPem: [leaf.toString('pem') + '\n', ...this.intermediatesPem].join(''),
      privateKeyPem: await privateKeyToPem(keys.privateKey),
      trustBundlePem: this.trustBundlePem,
      serialNumber: leaf.serialNumber,
      issuedAt,
      notBefore: notBefore.getTime(),
      notAfter: notAfter.getTime(),
    };
  }
}

function secondsFloor(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}
