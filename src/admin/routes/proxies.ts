// /v1/proxies: connected (and recently disconnected) proxies, one proxy's status in detail, and
// the resources it currently receives.
import type { FastifyInstance } from 'fastify';
import { proxyConfig } from '../../status/proxy-config';
import { notFound } from '../errors';
import { errorSchema, proxyConfigSchema, proxyDetailSchema, proxyIdParams, proxyListSchema } from '../schemas';
import type { AdminDependencies } from '../types';
import { proxyDetailView, proxySummaryView } from '../views';

interface IdParams {
  id: string;
}

function unknownProxy(id: string) {
  return notFound(`no proxy with node id "${id}"`);
}

export function registerProxyRoutes(app: FastifyInstance, deps: Pick<AdminDependencies, 'registry' | 'snapshots'>): void {
  const { registry, snapshots } = deps;

  app.get(
    '/v1/proxies',
    {
      schema: {
        operationId: 'listProxies',
        summary: 'Connected proxies, and those disconnected in the last minutes',
        tags: ['proxies'],
        response: { 200: proxyListSchema, 401: errorSchema },
      },
    },
    async () => ({ proxies: registry.list().map(proxySummaryView) }),
  );

  app.get<{ Params: IdParams }>(
    '/v1/proxies/:id',
    {
      schema: {
        operationId: 'getProxy',
        summary: 'One proxy: node, streams, and per resource type the version sent, ACKed and the last NACK',
        tags: ['proxies'],
        params: proxyIdParams,
        response: { 200: proxyDetailSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const proxy = registry.get(request.params.id);
      if (!proxy) throw unknownProxy(request.params.id);
      return proxyDetailView(proxy);
    },
  );

  app.get<{ Params: IdParams }>(
    '/v1/proxies/:id/config',
    {
      schema: {
        operationId: 'getProxyConfig',
        summary: 'The resources the proxy currently receives, as Envoy JSON (secrets redacted)',
        tags: ['proxies'],
        params: proxyIdParams,
        response: { 200: proxyConfigSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const proxy = registry.get(request.params.id);
      const config = proxy && proxyConfig(registry, snapshots, proxy.id);
      if (!proxy || !config) throw unknownProxy(request.params.id);
      return { id: proxy.id, group: proxy.group, state: proxy.state, ...config };
    },
  );
}
