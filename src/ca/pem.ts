// PEM text helpers: split a bundle into certificates, wrap DER in PEM armour.
import { X509Certificate } from 'node:crypto';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, in file order, normalised to one trailing newline each. */
export function splitCertificates(pem: string): string[] {
  return (pem.match(CERTIFICATE_BLOCK) ?? []).map((block) => `${block.trim()}\n`);
}

export function derToPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** True when the certificate is signed by its own key (a root). */
export function isSelfSigned(certificate: X509Certificate): boolean {
  return certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
}
