// jwt → SecurityPolicy jwt: one provider per consumer jwt_secret, whose key is the token's iss
// claim (key_claim_name) and whose secret or public key becomes a local JWKS (HS* secrets as
// "oct" keys, honouring secret_is_base64; RSA/EC/Ed25519 PEM keys converted with node:crypto).
// Tokens come from the configured headers ("Bearer <token>") and query parameters, and stay in
// the request (Kong does not remove them). x-credential-identifier carries the key upstream.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { arr, bool, num, obj, oneOfStrings, str } from '../../schema';
import type { JwtCredential } from '../consumers';
import { at } from '../problems';
import { PluginConfig } from './config';
import type { PluginModule } from './types';

const KEY_TYPES: Readonly<Record<string, readonly string[]>> = { RS: ['rsa'], PS: ['rsa'], ES: ['ec'], Ed: ['ed25519'] };

function base64url(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The JWK of a consumer's jwt_secret, or the reason it cannot be built (never quoting the secret). */
export function jwkOf(cred: JwtCredential, secretIsBase64: boolean): { jwk?: JsonWebKey; problem?: { path: string; reason: string } } {
  if (cred.algorithm.startsWith('HS')) {
    const secret = cred.secret ?? '';
    if (secretIsBase64 && !/^[A-Za-z0-9+/_-]+=*$/.test(secret)) return { problem: { path: at(cred.path, 'secret'), reason: 'is not base64, but the jwt plugin says secret_is_base64' } };
    const bytes = secretIsBase64 ? Buffer.from(secret, 'base64') : Buffer.from(secret, 'utf8');
    return { jwk: { kty: 'oct', k: base64url(bytes), alg: cred.algorithm } };
  }
  try {
    const key = createPublicKey(cred.publicKey ?? '');
    const family = KEY_TYPES[cred.algorithm.slice(0, 2)] ?? [];
    if (!family.includes(key.asymmetricKeyType ?? '')) return { problem: { path: at(cred.path, 'rsa_public_key'), reason: `is a ${key.asymmetricKeyType} key, which ${cred.algorithm} cannot verify with` } };
    return { jwk: { ...key.export({ format: 'jwk' }), alg: cred.algorithm } };
  } catch {
    return { problem: { path: at(cred.path, 'rsa_public_key'), reason: 'is not a PEM public key' } };
  }
}

export const jwt: PluginModule = {
  name: 'jwt',
  noConsumer: true,
  config: obj({
    uri_param_names: arr(str({ minLength: 1 })),
    cookie_names: arr(str({ minLength: 1 })),
    header_names: arr(str({ minLength: 1 })),
    key_claim_name: str({ minLength: 1 }),
    secret_is_base64: bool,
    claims_to_verify: arr(oneOfStrings('exp', 'nbf')),
    anonymous: str(),
    run_on_preflight: bool,
    maximum_expiration: num(0, 31_536_000),
    realm: str(),
  }),
  convert(use, env) {
    const problems = env.ctx.problems;
    const c = new PluginConfig(use.base!, problems);
    c.unsupported('anonymous', undefined, 'anonymous consumers are not supported: unauthenticated requests are refused');
    c.unsupported('run_on_preflight', true, 'authentication always runs on OPTIONS requests (a cors plugin answers preflights first)');
    c.unsupported('realm', undefined, 'the WWW-Authenticate realm cannot be set');
    c.unsupported('cookie_names', undefined, 'tokens are not read from cookies');
    c.unsupported('key_claim_name', 'iss', 'consumers are identified by the iss claim only');
    c.unsupported('maximum_expiration', 0, 'a maximum token lifetime cannot be enforced');
    const base64 = c.bool('secret_is_base64', false);
    const headers = c.strings('header_names', ['authorization']);
    const params = c.strings('uri_param_names', ['jwt']);
    const providers = [];
    for (const consumer of env.consumers.values()) {
      if (!consumer.jwt) continue;
      const { jwk, problem } = jwkOf(consumer.jwt, base64);
      if (problem) {
        problems.error(problem.path, problem.reason);
        continue;
      }
      providers.push({
        name: consumer.name,
        issuer: consumer.jwt.key,
        localJWKS: { inline: JSON.stringify({ keys: [jwk] }) },
        ...(headers.length > 0 ? { fromHeaders: headers.map((name) => ({ name, valuePrefix: 'Bearer ' })) } : {}),
        ...(params.length > 0 ? { fromParams: [...params] } : {}),
        forward: true,
        claimToHeaders: [{ claim: 'iss', header: 'x-credential-identifier' }],
      });
    }
    if (providers.length === 0) {
      problems.error(use.base!.plugin.path, 'no consumer has a usable jwt_secret: every request would be refused; add jwt_secrets');
      return undefined;
    }
    if (headers.length === 0 && params.length === 0) {
      problems.error(c.path('header_names'), 'with no header_names and no uri_param_names no token is ever read: every request would be refused');
      return undefined;
    }
    return { security: { jwt: { providers } } };
  },
};
