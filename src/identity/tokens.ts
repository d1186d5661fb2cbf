// Bootstrap tokens: how a sidecar proves which workload it is before it gets that workload's
// private key. A token names a namespace and service account (and optionally one workload) and is
// signed with HMAC-SHA256 under a key only the control plane holds (<data dir>/identity/token-key),
// so tokens need no storage and any replica sharing the data dir can check them. Rotating the key
// file revokes every token at once.
import fs from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileAtomic } from '../ca/atomic-file';

export const TOKEN_PREFIX = 'mgt1';
export const TOKEN_KEY_FILE = 'token-key';

export interface TokenClaims {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** When set, the token is valid for this one workload (WorkloadEntry name) only. */
  readonly workload?: string;
  /** Issued at / expires at, seconds since the epoch (no expiry when absent). */
  readonly issuedAt: number;
  readonly expiresAt?: number;
  /** A random id, so two tokens for the same workload differ and can be told apart in audits. */
  readonly id: string;
}

export type TokenVerdict = { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly reason: string };

export class TokenError extends Error {
  override name = 'TokenError';
}

/** Kubernetes-style names: what a namespace, service account or workload may be called. */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

interface WirePayload {
  ns: string;
  sa: string;
  wl?: string;
  iat: number;
  exp?: number;
  jti: string;
}

export class TokenAuthority {
  private constructor(private readonly key: Buffer) {}

  /** The key in <dataDir>/identity/, created (0600) on first use unless `create` is false. */
  static open(dataDir: string, options: { create?: boolean } = {}): TokenAuthority {
    const dir = path.join(dataDir, 'identity');
    const file = path.join(dir, TOKEN_KEY_FILE);
    if (fs.existsSync(file)) {
      const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
      if (key.length < 32) throw new TokenError(`${file} does not hold a 256-bit hex key; remove it to generate a new one (this revokes every token)`);
      return new TokenAuthority(key);
    }
    if (options.create === false) throw new TokenError(`no token key in ${dir}: start "meshgate serve --data-dir ${dataDir}" once, or issue tokens through POST /v1/tokens`);
    const key = randomBytes(32);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(file, key.toString('hex') + '\n', 0o600);
    return new TokenAuthority(key);
  }

  /** A key held in memory only (tests, offline use). */
  static ephemeral(): TokenAuthority {
    return new TokenAuthority(randomBytes(32));
  }

  issue(request: { namespace: string; serviceAccount: string; workload?: string; ttlSeconds?: number }, nowMs: number = Date.now()): { token: string; claims: TokenClaims } {
    for (const [what, value] of [['namespace', request.namespace], ['serviceAccount', request.serviceAccount], ['workload', request.workload]] as const) {
      if (value !== undefined && !NAME.test(value)) throw new TokenError(`${what} "${value}" is not a valid name (lowercase letters, digits, "-" and ".")`);
    }
    if (request.ttlSeconds !== undefined && !(Number.isInteger(request.ttlSeconds) && request.ttlSeconds > 0)) {
      throw new TokenError(`ttlSeconds must be a positive integer, got ${request.ttlSeconds}`);
    }
    const iat = Math.floor(nowMs / 1000);
    const payload: WirePayload = {
      ns: request.namespace,
      sa: request.serviceAccount,
      ...(request.workload ? { wl: request.workload } : {}),
      iat,
      ...(request.ttlSeconds ? { exp: iat + request.ttlSeconds } : {}),
      jti: randomBytes(8).toString('hex'),
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { token: `${TOKEN_PREFIX}.${body}.${this.sign(body)}`, claims: claimsOf(payload) };
  }

  /** Check signature and expiry. Reasons never include the token itself. */
  verify(token: string, nowMs: number = Date.now()): TokenVerdict {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return { ok: false, reason: 'malformed token' };
    const [, body, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'token signature does not verify (not issued by this control plane, or the key was rotated)' };
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed token' };
    }
    if (!isWirePayload(payload)) return { ok: false, reason: 'malformed token' };
    if (payload.exp !== undefined && Math.floor(nowMs / 1000) >= payload.exp) return { ok: false, reason: `token expired at ${new Date(payload.exp * 1000).toISOString()}` };
    return { ok: true, claims: claimsOf(payload) };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(`${TOKEN_PREFIX}.${body}`).digest('base64url');
  }
}

function isWirePayload(value: unknown): value is WirePayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['ns'] === 'string' &&
    typeof v['sa'] === 'string' &&
    (v['wl'] === undefined || typeof v['wl'] === 'string') &&
    typeof v['iat'] === 'number' &&
    (v['exp'] === undefined || typeof v['exp'] === 'number') &&
    typeof v['jti'] === 'string'
  );
}

function claimsOf(p: WirePayload): TokenClaims {
  return {
    namespace: p.ns,
    serviceAccount: p.sa,
    ...(p.wl !== undefined ? { workload: p.wl } : {}),
    issuedAt: p.iat,
    ...(p.exp !== undefined ? { expiresAt: p.exp } : {}),
    id: p.jti,
  };
}
