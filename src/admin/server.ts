// The admin REST API: fastify app with injected dependencies. Routes live in routes/*.ts, one file
// per area, each registered the same way; later areas (e.g. /v1/apply) add a file and a line
// here. Auth (auth.ts) and the error shape (errors.ts) apply to every route; the OpenAPI document
// at /openapi.json is generated from the routes' schemas (openapi.ts).
import Fastify, { type FastifyInstance } from 'fastify';
import { installBearerAuth } from './auth';
import { installErrorHandling } from './errors';
import { RouteCatalog, registerOpenApiRoute } from './openapi';
import { registerConfigRoutes } from './routes/config';
import { registerExplainRoute } from './routes/explain';
import { registerHealthRoutes } from './routes/health';
import { registerMetricsRoute } from './routes/metrics';
import { registerProxyRoutes } from './routes/proxies';
import type { AdminDependencies } from './types';

export type { AdminDependencies } from './types';

/** Node ids (e.g. Istio's "sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local") can exceed fastify's 100. */
const MAX_PARAM_LENGTH = 2048;

export function buildAdminServer(deps: AdminDependencies): FastifyInstance {
  const app: FastifyInstance = deps.logger
    ? (Fastify({ loggerInstance: deps.logger, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } }) as unknown as FastifyInstance)
    : Fastify({ logger: false, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } });
  const catalog = new RouteCatalog();
  catalog.attach(app);
  installErrorHandling(app);
  installBearerAuth(app, deps.token);

  registerHealthRoutes(app, deps);
  registerMetricsRoute(app, deps);
  registerProxyRoutes(app, deps);
  if (deps.config) {
    const config = deps.config;
    // Its own scope: apply takes YAML and JSON bodies as text (one parser, precise errors), while
    // every other route keeps fastify's JSON parsing.
    void app.register(async (scope) => registerConfigRoutes(scope, config));
    registerExplainRoute(app, deps.config);
  }
  registerOpenApiRoute(app, catalog, {
    title: 'meshgate admin API',
    version: deps.version ?? '0.1.0',
    description: 'Policy (apply, resources, revisions, explain), proxy status, configuration and health of the meshgate xDS control plane.',
  });
  return app;
}
