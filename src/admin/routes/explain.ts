// POST /v1/explain: which listener, filter chain, virtual host, route, filters and backend a request
// would meet in the Envoy configuration a proxy group is served.
import type { FastifyInstance } from 'fastify';
import { explainRequest, type ExplainRequest } from '../../explain';
import type { ConfigService } from '../../pipeline/config-service';
import { notFound } from '../errors';
import { errorSchema } from '../schemas';

interface ExplainBody extends ExplainRequest {
  /** Proxy group (e.g. "gateway/default/edge"). */
  readonly group: string;
}

const explainBodySchema = {
  type: 'object',
  required: ['group', 'port', 'host', 'path'],
  additionalProperties: false,
  properties: {
    group: { type: 'string', minLength: 1, description: 'Proxy group, e.g. gateway/<namespace>/<gateway name>' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    method: { type: 'string', default: 'GET' },
    path: { type: 'string', minLength: 1 },
    sni: { type: 'string' },
    tls: { type: 'boolean' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    sourceIp: { type: 'string' },
    sourcePort: { type: 'integer' },
    destinationIp: { type: 'string' },
    alpn: { type: 'array', items: { type: 'string' } },
  },
} as const;

export function registerExplainRoute(app: FastifyInstance, config: ConfigService): void {
  app.post<{ Body: ExplainBody }>(
    '/v1/explain',
    {
      schema: {
        operationId: 'explain',
        summary: 'Walk the generated Envoy config as Envoy would match a request',
        tags: ['config'],
        body: explainBodySchema,
        response: { 200: { type: 'object', additionalProperties: true }, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { group, ...req } = request.body;
      const resources = config.groupResources(group);
      if (!resources) throw notFound(`no proxy group "${group}" (known: ${config.groupNames().join(', ') || 'none'})`);
      return explainRequest(resources, req);
    },
  );
}
