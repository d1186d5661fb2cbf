// Bearer token authentication for the admin API. When a token is configured, every route under
// /v1 requires "Authorization: Bearer <token>"; /healthz, /readyz, /metrics and /openapi.json stay
// open for probes and scrapers. Protection is decided by path prefix, not by a per-route flag, so
// a route added later under /v1 cannot be left open by mistake.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './errors';

export const PROTECTED_PREFIX = '/v1';

export function isProtectedPath(path: string): boolean {
  return path === PROTECTED_PREFIX || path.startsWith(`${PROTECTED_PREFIX}/`);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time comparison (hashing first makes the lengths equal and hides the token's length). */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/** Installs the check on every request; with no token configured, nothing is installed. */
export function installBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', async (request, reply) => {
    const rawPath = request.url.split('?')[0] ?? '';
    const routePath = request.routeOptions.url ?? '';
    if (!isProtectedPath(rawPath) && !isProtectedPath(routePath)) return;
    const given = presentedToken(request);
    if (given !== undefined && tokensEqual(given, token)) return;
    reply.header('www-authenticate', 'Bearer realm="meshgate"');
    const message = given === undefined ? 'missing bearer token' : 'invalid bearer token';
    await sendError(reply, 401, 'unauthorized', message);
    return reply;
  });
}
