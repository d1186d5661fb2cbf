// The OpenAPI 3.1 document of the admin API, generated from the routes as registered: each route
// declares a fastify JSON schema (params, querystring, body, response) plus summary/tags, and
// this file turns the collected routes into paths. Nothing is written twice, so the document
// cannot drift from what the server validates and serialises.
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { PROTECTED_PREFIX, isProtectedPath } from './auth';

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    operationId?: string;
    /** Media type of successful responses when it is not JSON (e.g. "text/plain"). */
    produces?: string;
    /** Leave the route out of the document. */
    hide?: boolean;
  }
}

type JsonSchema = Record<string, unknown>;

export interface DocumentedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: FastifySchema;
}

/** Collects routes as they are registered (attach before registering any route). */
export class RouteCatalog {
  private readonly collected: DocumentedRoute[] = [];

  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD' || route.schema?.hide) continue;
        this.collected.push({ method: method.toLowerCase(), url: route.url, schema: route.schema ?? {} });
      }
    });
  }

  get routes(): readonly DocumentedRoute[] {
    return this.collected;
  }
}

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'No content',
  '400': 'Bad request',
  '401': 'Missing or invalid bearer token',
  '404': 'Not found',
  '409': 'Conflict',
  '500': 'Internal error',
  '503': 'Not ready',
};

/** "/v1/proxies/:id" → "/v1/proxies/{id}". */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null ? (value as JsonSchema) : undefined;
}

/** Path or query parameters from an object schema's properties. */
function parameters(schema: unknown, location: 'path' | 'query'): JsonSchema[] {
  const obj = asSchema(schema);
  const properties = asSchema(obj?.['properties']);
  if (!properties) return [];
  const required = Array.isArray(obj?.['required']) ? (obj['required'] as unknown[]) : [];
  return Object.entries(properties).map(([name, propSchema]) => {
    const { description, ...rest } = asSchema(propSchema) ?? {};
    const param: JsonSchema = { name, in: location, required: location === 'path' || required.includes(name), schema: rest };
    if (typeof description === 'string') param['description'] = description;
    return param;
  });
}

function responses(schema: FastifySchema): JsonSchema {
  const out: JsonSchema = {};
  const declared = asSchema(schema.response) ?? {};
  for (const [status, responseSchema] of Object.entries(declared)) {
    const body = asSchema(responseSchema) ?? {};
    const { description, ...rest } = body;
    const mediaType = status.startsWith('2') && schema.produces ? schema.produces : 'application/json';
    out[status] = {
      description: typeof description === 'string' ? description : (STATUS_TEXT[status] ?? 'Response'),
      content: { [mediaType]: { schema: rest } },
    };
  }
  if (Object.keys(out).length === 0) out['200'] = { description: 'OK' };
  return out;
}

export function buildOpenApiDocument(routes: readonly DocumentedRoute[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    const { schema } = route;
    const operation: JsonSchema = {};
    if (schema.operationId) operation['operationId'] = schema.operationId;
    if (schema.summary) operation['summary'] = schema.summary;
    if (schema.description) operation['description'] = schema.description;
    if (schema.tags?.length) {
      operation['tags'] = [...schema.tags];
      schema.tags.forEach((t) => tags.add(t));
    }
    const params = [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')];
    if (params.length > 0) operation['parameters'] = params;
    const body = asSchema(schema.body);
    if (body) operation['requestBody'] = { required: true, content: { 'application/json': { schema: body } } };
    operation['responses'] = responses(schema);
    if (isProtectedPath(route.url)) operation['security'] = [{ bearerAuth: [] }];
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method] = operation;
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    openapi: '3.1.0',
    info: { ...info },
    tags: [...tags].sort().map((name) => ({ name })),
    paths: sortedPaths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: `Required on ${PROTECTED_PREFIX} routes when the server runs with an admin token.`,
        },
      },
    },
  };
}

/** Serves the document at GET /openapi.json, built once on first request (all routes are known by then). */
export function registerOpenApiRoute(app: FastifyInstance, catalog: RouteCatalog, info: OpenApiInfo): void {
  let document: JsonSchema | undefined;
  app.get(
    '/openapi.json',
    {
      schema: {
        operationId: 'getOpenApiDocument',
        summary: 'This document: the admin API described as OpenAPI 3.1',
        tags: ['meta'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => {
      document ??= buildOpenApiDocument(catalog.routes, info);
      return document;
    },
  );
}
