// Liveness and readiness probes. /healthz answers as long as the process serves HTTP; /readyz
// answers 200 only when every readiness check passes (xDS server bound, cache loaded), else 503.
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../errors';
import { healthSchema, readinessSchema } from '../schemas';
import type { AdminDependencies } from '../types';

export function registerHealthRoutes(app: FastifyInstance, deps: Pick<AdminDependencies, 'readiness'>): void {
  app.get(
    '/healthz',
    {
      logLevel: 'warn', // probes and scrapes every few seconds would drown the request log
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness: the process is up',
        tags: ['health'],
        response: { 200: healthSchema },
      },
    },
    async () => ({ status: 'ok', uptimeSeconds: process.uptime() }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn', // probes and scrapes every few seconds would drown the request log
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: the xDS server is bound and the snapshot cache is loaded',
        tags: ['health'],
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, boolean> = {};
      for (const [name, check] of Object.entries(deps.readiness)) {
        try {
          checks[name] = check() === true;
        } catch {
          checks[name] = false;
        }
      }
      const failing = Object.keys(checks).filter((name) => !checks[name]);
      if (failing.length === 0) return { status: 'ready', checks };
      reply.code(503);
      return { status: 'not_ready', checks, ...errorBody('not_ready', `waiting for: ${failing.join(', ')}`) };
    },
  );
}
