// Prometheus scrape endpoint.
import type { FastifyInstance } from 'fastify';
import { PROMETHEUS_CONTENT_TYPE } from '../../metrics/exposition';
import type { AdminDependencies } from '../types';

export function registerMetricsRoute(app: FastifyInstance, deps: Pick<AdminDependencies, 'metrics'>): void {
  app.get(
    '/metrics',
    {
      logLevel: 'warn', // probes and scrapes every few seconds would drown the request log
      schema: {
        operationId: 'getMetrics',
        summary: 'Metrics in the Prometheus text format 0.0.4',
        tags: ['metrics'],
        produces: 'text/plain',
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => {
      reply.type(PROMETHEUS_CONTENT_TYPE);
      return deps.metrics.render();
    },
  );
}
