// Workload identity on the admin API (operator-only, behind the admin token like every /v1 route):
// POST /v1/tokens issues a sidecar's bootstrap token, POST /v1/certificates a workload certificate
// for proxyless gRPC apps (files for gRPC's file_watcher provider), GET /v1/ca the trust bundle.
// A token or key is returned once, to the caller that asked for it, and never logged or stored.
import type { FastifyInstance } from 'fastify';
import type { WorkloadCertificates } from '../../ca';
import { TokenError, type TokenAuthority } from '../../identity';
import { ApiError } from '../errors';
import { errorSchema } from '../schemas';

export interface IdentityDependencies {
  readonly tokens: TokenAuthority;
  readonly ca: WorkloadCertificates;
}

const NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

interface TokenBody {
  namespace: string;
  serviceAccount: string;
  workload?: string;
  ttlSeconds?: number;
}

interface CertificateBody {
  namespace: string;
  serviceAccount: string;
  ttlSeconds?: number;
}

const tokenBodySchema = {
  type: 'object',
  required: ['namespace', 'serviceAccount'],
  additionalProperties: false,
  properties: {
    namespace: { type: 'string', pattern: NAME_PATTERN },
    serviceAccount: { type: 'string', pattern: NAME_PATTERN },
    workload: { type: 'string', pattern: NAME_PATTERN, description: 'Limit the token to this WorkloadEntry (its name in the namespace)' },
    ttlSeconds: { type: 'integer', minimum: 1, description: 'Token lifetime; without it the token is valid until the token key is rotated' },
  },
} as const;

const certificateBodySchema = {
  type: 'object',
  required: ['namespace', 'serviceAccount'],
  additionalProperties: false,
  properties: {
    namespace: { type: 'string', pattern: NAME_PATTERN },
    serviceAccount: { type: 'string', pattern: NAME_PATTERN },
    ttlSeconds: { type: 'integer', minimum: 1, description: 'Default: the workload certificate TTL of the control plane' },
  },
} as const;

export function registerIdentityRoutes(app: FastifyInstance, deps: IdentityDependencies): void {
  app.post<{ Body: TokenBody }>(
    '/v1/tokens',
    {
      schema: {
        operationId: 'issueToken',
        summary: 'Issue a bootstrap token a sidecar sends as node metadata meshgate_token',
        tags: ['identity'],
        body: tokenBodySchema,
        response: {
          201: {
            type: 'object',
            required: ['token', 'namespace', 'serviceAccount', 'spiffeId', 'issuedAt'],
            properties: {
              token: { type: 'string' },
              namespace: { type: 'string' },
              serviceAccount: { type: 'string' },
              workload: { type: 'string' },
              spiffeId: { type: 'string' },
              issuedAt: { type: 'string', format: 'date-time' },
              expiresAt: { type: 'string', format: 'date-time' },
            },
          },
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request, reply) => {
      let issued;
      try {
        issued = deps.tokens.issue(request.body, deps.ca.ca.now());
      } catch (err) {
        if (err instanceof TokenError) throw new ApiError(400, 'bad_request', err.message);
        throw err;
      }
      const { claims } = issued;
      void reply.code(201).header('cache-control', 'no-store');
      return {
        token: issued.token,
        namespace: claims.namespace,
        serviceAccount: claims.serviceAccount,
        ...(claims.workload ? { workload: claims.workload } : {}),
        spiffeId: deps.ca.spiffeIdOf(claims),
        issuedAt: new Date(claims.issuedAt * 1000).toISOString(),
        ...(claims.expiresAt ? { expiresAt: new Date(claims.expiresAt * 1000).toISOString() } : {}),
      };
    },
  );

  app.post<{ Body: CertificateBody }>(
    '/v1/certificates',
    {
      schema: {
        operationId: 'issueCertificate',
        summary: 'Issue a workload certificate and key (for proxyless gRPC apps reading files)',
        tags: ['identity'],
        body: certificateBodySchema,
        response: {
          201: {
            type: 'object',
            required: ['spiffeId', 'certificateChain', 'privateKey', 'trustBundle', 'notAfter'],
            properties: {
              spiffeId: { type: 'string' },
              certificateChain: { type: 'string' },
              privateKey: { type: 'string' },
              trustBundle: { type: 'string' },
              notAfter: { type: 'string', format: 'date-time' },
            },
          },
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const ttlMs = request.body.ttlSeconds ? request.body.ttlSeconds * 1000 : undefined;
      const certificate = ttlMs ? await deps.ca.ca.issue(request.body, ttlMs) : await deps.ca.ca.issue(request.body, deps.ca.ttl);
      void reply.code(201).header('cache-control', 'no-store');
      return {
        spiffeId: certificate.spiffeId,
        certificateChain: certificate.certificateChainPem,
        privateKey: certificate.privateKeyPem,
        trustBundle: certificate.trustBundlePem,
        notAfter: new Date(certificate.notAfter).toISOString(),
      };
    },
  );

  app.get(
    '/v1/ca',
    {
      schema: {
        operationId: 'getTrustBundle',
        summary: 'The CA trust bundle (root certificate) and trust domain',
        tags: ['identity'],
        response: {
          200: {
            type: 'object',
            required: ['trustDomain', 'trustBundle'],
            properties: { trustDomain: { type: 'string' }, trustBundle: { type: 'string' } },
          },
          401: errorSchema,
        },
      },
    },
    async () => ({ trustDomain: deps.ca.ca.trustDomain, trustBundle: deps.ca.ca.trustBundlePem }),
  );
}
