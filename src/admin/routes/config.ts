// /v1/apply, /v1/resources and /v1/revisions: managing policy. Every change goes through the
// ConfigService, which stores it durably and serves it only when it compiles to valid Envoy config.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KONG_CONFIGURATION_KIND, parseDocuments } from '../../documents/parse';
import type { InputDocument } from '../../documents/types';
import { redactDocument, scrubValues, sensitiveValues } from '../../documents/redact';
import type { JsonObject } from '../../envoy/resource';
import type { DocumentError } from '../../documents/types';
import { ChangeRejectedError, type ConfigService } from '../../pipeline/config-service';
import { RevisionNotFoundError, StoreInputError } from '../../store';
import { ApiError, notFound, type ErrorDetail } from '../errors';
import { errorSchema } from '../schemas';

const anyObject = { type: 'object', additionalProperties: true } as const;
const documentRef = {
  type: 'object',
  properties: { kind: { type: 'string' }, namespace: { type: 'string' }, name: { type: 'string' } },
} as const;
const applySchema = {
  type: 'object',
  required: ['revision', 'changed', 'documents', 'dryRun'],
  properties: {
    revision: { type: 'integer', description: 'The new revision (or the current one when nothing changed / dry run).' },
    changed: { type: 'boolean' },
    dryRun: { type: 'boolean' },
    documents: {
      type: 'array',
      items: { type: 'object', properties: { ref: documentRef, outcome: { type: 'string', enum: ['created', 'configured', 'unchanged', 'deleted', 'not-found'] } } },
    },
    diff: {
      type: 'array',
      description: 'Dry run only: per proxy group, the Envoy resources that would be added, changed and removed.',
      items: anyObject,
    },
  },
} as const;
const resourceEntry = {
  type: 'object',
  properties: { document: anyObject, status: anyObject },
} as const;

export const MAX_APPLY_BYTES = 32 * 1024 * 1024;

/** `secrets`: credential values of the submitted documents, never quoted back in a reason. */
function rejected(errors: readonly DocumentError[], secrets: readonly string[] = []): ApiError {
  const details: ErrorDetail[] = errors.map((e) => ({ ...e, reason: scrubValues(e.reason, secrets) }));
  const first = errors[0];
  const where = first ? [first.document ? `${first.document.kind} ${first.document.namespace}/${first.document.name}` : first.index !== undefined ? `document ${first.index}` : '', first.path].filter(Boolean).join(' ') : '';
  return new ApiError(400, 'invalid', `${errors.length} error(s)${first ? `; first: ${where}: ${scrubValues(first.reason, secrets)}` : ''}`, details);
}

async function guarded<T>(work: () => Promise<T>, secrets: readonly string[] = []): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ChangeRejectedError) throw rejected(err.errors, secrets);
    if (err instanceof StoreInputError) throw new ApiError(400, 'invalid', err.message);
    if (err instanceof RevisionNotFoundError) throw notFound(err.message);
    throw err;
  }
}

/** Set by ?lenient=true on Kong documents and stored with them, so a restart translates them alike. */
const LENIENT_ANNOTATION = 'meshgate.io/lenient';

function lenientKong(doc: InputDocument): InputDocument {
  if (doc.kind !== KONG_CONFIGURATION_KIND) return doc;
  return { ...doc, metadata: { ...doc.metadata, annotations: { ...(doc.metadata.annotations ?? {}), [LENIENT_ANNOTATION]: 'true' } } };
}

function author(request: FastifyRequest): string {
  return `admin-api ${request.ip}`;
}

export function registerConfigRoutes(app: FastifyInstance, config: ConfigService): void {
  // Bodies are parsed here, not by fastify: YAML and JSON go through one parser with precise errors.
  for (const type of ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', 'application/json']) {
    app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: MAX_APPLY_BYTES }, (_req, body, done) => done(null, body));
  }

  app.post<{ Body: string; Querystring: { dryRun?: boolean; lenient?: boolean; message?: string } }>(
    '/v1/apply',
    {
      bodyLimit: MAX_APPLY_BYTES,
      schema: {
        operationId: 'apply',
        summary:
          'Create or update documents (YAML, multi-document, or JSON; a Kong declarative file is one KongConfiguration document); ?dryRun=true validates and shows the Envoy diff, storing nothing; ?lenient=true makes Kong fields meshgate cannot honour warnings instead of errors',
        tags: ['config'],
        querystring: {
          type: 'object',
          properties: {
            dryRun: { type: 'boolean', default: false },
            lenient: { type: 'boolean', default: false, description: 'Kong documents: report fields meshgate cannot honour as status warnings and drop them (stored as annotation meshgate.io/lenient)' },
            message: { type: 'string', maxLength: 1024 },
          },
        },
        response: { 200: applySchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const text = typeof request.body === 'string' ? request.body : '';
      const parsed = parseDocuments(text);
      const secrets = parsed.documents.flatMap((d) => sensitiveValues(d as unknown as JsonObject));
      if (parsed.errors.length > 0) throw rejected(parsed.errors, secrets);
      if (parsed.documents.length === 0) throw rejected([{ path: '', reason: 'no documents in the request body' }]);
      const documents = request.query.lenient === true ? parsed.documents.map(lenientKong) : parsed.documents;
      return guarded(
        () =>
          config.apply(documents, {
            dryRun: request.query.dryRun === true,
            author: author(request),
            ...(request.query.message ? { message: request.query.message } : {}),
          }),
        secrets,
      );
    },
  );

  app.get<{ Querystring: { kind?: string; namespace?: string } }>(
    '/v1/resources',
    {
      schema: {
        operationId: 'listResources',
        summary: 'Stored documents with their status conditions',
        tags: ['config'],
        querystring: { type: 'object', properties: { kind: { type: 'string' }, namespace: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { revision: { type: 'integer' }, items: { type: 'array', items: resourceEntry } } }, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => guarded(async () => ({ revision: config.revision, items: config.list(request.query).map(view) })),
  );

  const refParams = {
    type: 'object',
    required: ['kind', 'namespace', 'name'],
    properties: { kind: { type: 'string', minLength: 1 }, namespace: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
  } as const;
  type RefParams = { Params: { kind: string; namespace: string; name: string }; Querystring: { dryRun?: boolean } };

  app.get<RefParams>(
    '/v1/resources/:kind/:namespace/:name',
    {
      schema: {
        operationId: 'getResource',
        summary: 'One stored document with its status conditions',
        tags: ['config'],
        params: refParams,
        response: { 200: resourceEntry, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) =>
      guarded(async () => {
        const found = config.get(request.params);
        if (!found) throw notFound(`no ${request.params.kind} ${request.params.namespace}/${request.params.name}`);
        return view(found);
      }),
  );

  app.delete<RefParams>(
    '/v1/resources/:kind/:namespace/:name',
    {
      schema: {
        operationId: 'deleteResource',
        summary: 'Delete one document (a new revision); refused if what remains would not compile',
        tags: ['config'],
        params: refParams,
        querystring: { type: 'object', properties: { dryRun: { type: 'boolean', default: false } } },
        response: { 200: applySchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) =>
      guarded(async () => {
        const ref = request.params;
        if (!config.get(ref)) throw notFound(`no ${ref.kind} ${ref.namespace}/${ref.name}`);
        return config.delete(ref, { dryRun: request.query.dryRun === true, author: author(request) });
      }),
  );

  app.get(
    '/v1/revisions',
    {
      schema: {
        operationId: 'listRevisions',
        summary: 'Every accepted change, numbered',
        tags: ['config'],
        response: { 200: { type: 'object', properties: { current: { type: 'integer' }, revisions: { type: 'array', items: anyObject } } }, 401: errorSchema },
      },
    },
    async () => ({ current: config.revision, revisions: [...config.revisions()].reverse() }),
  );

  app.post<{ Params: { n: number } }>(
    '/v1/revisions/:n/rollback',
    {
      schema: {
        operationId: 'rollback',
        summary: 'Make a new revision whose content equals revision n',
        tags: ['config'],
        params: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 0 } } },
        response: { 200: applySchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => guarded(() => config.rollback(request.params.n, author(request))),
  );
}

function view(entry: { document: { body: JsonObject }; status?: unknown }): Record<string, unknown> {
  return { document: redactDocument(entry.document.body), ...(entry.status ? { status: entry.status } : {}) };
}
