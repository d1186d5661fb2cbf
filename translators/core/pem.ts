// PEM checks with node:crypto, so a broken certificate or key is reported at apply time with the
// document and field, instead of as a NACK from Envoy later.
import { X509Certificate, createPrivateKey } from 'node:crypto';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reason the text is not a PEM certificate bundle (one or more CERTIFICATE blocks), or undefined. */
export function certificateProblem(pem: string): string | undefined {
  const blocks = pem.match(CERT_BLOCK);
  if (!blocks || blocks.length === 0) return 'is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `certificate ${i + 1} in the PEM bundle cannot be parsed: ${(err as Error).message}`;
    }
  }
  return undefined;
}

export function privateKeyProblem(pem: string): string | undefined {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return 'is not a PEM private key';
  try {
    createPrivateKey(pem);
    return undefined;
  } catch (err) {
    return `the private key cannot be parsed: ${(err as Error).message}`;
  }
}

/** Reason the key does not belong to the first certificate of the chain, or undefined. */
export function keyPairProblem(certificateChain: string, privateKey: string): string | undefined {
  const first = certificateChain.match(CERT_BLOCK)?.[0];
  if (!first) return 'no certificate';
  try {
    return new X509Certificate(first).checkPrivateKey(createPrivateKey(privateKey)) ? undefined : 'the private key does not match the certificate';
  } catch (err) {
    return `cannot compare key and certificate: ${(err as Error).message}`;
  }
}
