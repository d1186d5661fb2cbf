// POST /v1/explain: which listener, filter chain, virtual host, route, filters and backend a request
// would meet in the Envoy configuration a proxy group is served. With `from` instead of `group` it
// is a mesh request: the calling workload's outbound route and cluster, and whether each
// destination's inbound authorization allows it (explain-mesh.ts).
import type { FastifyInstance } from 'fastify';
import { explainRequest } from '../../explain';
import type { ConfigService } from '../../pipeline/config-service';
import { notFound } from '../errors';
import { errorSchema } from '../schemas';
import { explainForm, explainMeshBody, meshFromSchema, type ExplainBodyFields } from './explain-mesh';

const explainBodySchema = {
  type: 'object',
  required: ['port', 'host'],
  additionalProperties: false,
  description: 'A gateway request (group, path required) or a mesh request (from; path defaults to /). sni, tls, alpn, sourceIp and sourcePort are for gateway requests, jwt for mesh requests.',
  properties: {
    group: { type: 'string', minLength: 1, description: 'Proxy group, e.g. gateway/<namespace>/<gateway name>' },
    from: meshFromSchema,
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
    jwt: { type: 'object', additionalProperties: true, description: 'Mesh requests: the claims of a verified JWT the request carries (iss, sub, aud, ...)' },
  },
} as const;

export function registerExplainRoute(app: FastifyInstance, config: ConfigService): void {
  app.post<{ Body: ExplainBodyFields }>(
    '/v1/explain',
    {
      schema: {
        operationId: 'explain',
        summary: 'Walk the generated Envoy config as Envoy would match a request (a gateway request, or a mesh request from a workload)',
        tags: ['config'],
        body: explainBodySchema,
        response: { 200: { type: 'object', additionalProperties: true }, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const body = request.body;
      const form = explainForm(body);
      if (form.form === 'mesh') return explainMeshBody(config, body);
      const resources = config.groupResources(form.group);
      if (!resources) throw notFound(`no proxy group "${form.group}" (known: ${config.groupNames().join(', ') || 'none'})`);
      const { port, host, method, headers, sni, tls, sourceIp, sourcePort, destinationIp, alpn } = body;
      return explainRequest(resources, {
        port,
        host,
        method: method ?? 'GET',
        path: form.path,
        ...(headers ? { headers } : {}),
        ...(sni !== undefined ? { sni } : {}),
        ...(tls !== undefined ? { tls } : {}),
        ...(sourceIp !== undefined ? { sourceIp } : {}),
        ...(sourcePort !== undefined ? { sourcePort } : {}),
        ...(destinationIp !== undefined ? { destinationIp } : {}),
        ...(alpn ? { alpn } : {}),
      });
    },
  );
}
