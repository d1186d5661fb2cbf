// Every error the admin API returns has one shape: {"error": {"code", "message"}} with a fitting
// HTTP status. Route handlers throw ApiError; fastify's own errors (validation, bad JSON, unknown
// route) are mapped to the same shape here.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** One precise reason, e.g. {document: {kind, namespace, name}, index, path, reason} for a refused document. */
export type ErrorDetail = Readonly<Record<string, unknown>>;

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: readonly ErrorDetail[] };
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: string, message: string, details?: readonly ErrorDetail[]): ErrorBody {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}

export function sendError(reply: FastifyReply, statusCode: number, code: string, message: string, details?: readonly ErrorDetail[]): FastifyReply {
  return reply.code(statusCode).type('application/json; charset=utf-8').send(errorBody(code, message, details));
}

const CLIENT_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/** Installs the error and not-found handlers on the app (call before registering routes). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    return sendError(reply, 404, 'not_found', `no route for ${request.method} ${path}`);
  });
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return sendError(reply, error.statusCode, error.code, error.message, error.details);
    if ('validation' in error && error.validation) return sendError(reply, 400, 'bad_request', error.message);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(reply, status, CLIENT_ERROR_CODES[status] ?? 'client_error', error.message);
    request.log.error({ err: error }, 'admin API request failed');
    return sendError(reply, 500, 'internal', 'internal error');
  });
}
