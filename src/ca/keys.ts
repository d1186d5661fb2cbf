// Keys as the CA handles them: WebCrypto keys for signing with @peculiar/x509, PKCS#8 PEM on disk
// and in Envoy Secrets. Node's KeyObject reads whatever PEM form a user supplies (PKCS#8, SEC1,
// PKCS#1) and the DER it exports is what WebCrypto imports.
import { createPrivateKey, type KeyObject, type webcrypto } from 'node:crypto';
import { derToPem } from './pem';
import { subtle } from './x509';

/** Workload keys and the generated root: ECDSA P-256, signed with SHA-256. */
export const EC_P256: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface SigningKey {
  readonly privateKey: webcrypto.CryptoKey;
  /** The algorithm @peculiar/x509 signs certificates with (key algorithm + hash). */
  readonly algorithm: webcrypto.Algorithm;
}

export class KeyError extends Error {
  override name = 'KeyError';
}

export async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

export async function privateKeyToPem(key: webcrypto.CryptoKey): Promise<string> {
  return derToPem(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

const HASH_BY_CURVE: Readonly<Record<string, string>> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' };
const CURVE_BY_NODE_NAME: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** A PEM private key (EC or RSA) as a WebCrypto signing key. `what` names it in errors. */
export async function importSigningKey(pem: string, what: string): Promise<SigningKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch (err) {
    throw new KeyError(`${what}: not a readable PEM private key (${(err as Error).message})`);
  }
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  if (keyObject.asymmetricKeyType === 'ec') {
    const nodeCurve = keyObject.asymmetricKeyDetails?.namedCurve ?? '';
    const namedCurve = CURVE_BY_NODE_NAME[nodeCurve];
    if (!namedCurve) throw new KeyError(`${what}: EC curve "${nodeCurve}" is not supported (use P-256, P-384 or P-521)`);
    const algorithm = { name: 'ECDSA', namedCurve, hash: HASH_BY_CURVE[namedCurve]! };
    return { privateKey: await subtle.importKey('pkcs8', der, algorithm, false, ['sign']), algorithm };
  }
  if (keyObject.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { privateKey: await subtle.importKey('pkcs8', der, algorithm, false, ['sign']), algorithm };
  }
  throw new KeyError(`${what}: key type "${keyObject.asymmetricKeyType ?? 'unknown'}" is not supported (use EC or RSA)`);
}
