// Inbound parameters and bodies through zod, and the API's one error shape for everything that
// goes wrong: {error, code, field?, details?} (shared/api-error.ts), whatever the status. Size
// limits come first (Fastify's bodyLimit: 413 before any parsing work).
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { ApiError } from '../../shared/api-error.js';
import type { Log } from '../logger.js';
import { setSecurityHeaders } from './security-headers.js';

/** A refusal a route handler throws; the error handler answers it in the API's shape. */
export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
  get field(): string | undefined {
    return this.extra.field;
  }
  body(): ApiError {
    return { error: this.message, code: this.code, ...(this.extra.field !== undefined ? { field: this.extra.field } : {}), ...(this.extra.details ? { details: this.extra.details } : {}) };
  }
}

export class InvalidInput extends ApiFailure {
  override name = 'InvalidInput';
  constructor(message: string, field: string | undefined) {
    super(400, 'invalid', message, field !== undefined ? { field } : {});
  }
}

/** Where an input comes from: URL parts are "parameters", anything else is named by `what` (body, command…). */
export type InputPlace = 'path' | 'query' | (string & {});

/** The first problem, with the path of the field: what a person fixing the request needs. */
export function describeIssue(error: z.ZodError, what: InputPlace): { message: string; field: string | undefined } {
  const issue = error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys.map(String) : [];
  if (what === 'path' || what === 'query') {
    const field = keys.length ? keys[0] : issue.path.length ? String(issue.path[0]) : undefined;
    const message = keys.length ? `unknown ${what} parameter "${keys.join('", "')}"` : `${what} parameter${field ? ` "${field}"` : ''}: ${issue.message}`;
    return { message, field };
  }
  const field = keys.length ? keys[0] : issue.path.length ? issue.path.map(String).join('.') : undefined;
  const message = keys.length ? `${what}: unknown field "${keys.join('", "')}"` : `${what}${field ? ` field "${field}"` : ''}: ${issue.message}`;
  return { message, field };
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: InputPlace): z.infer<S> {
  const result = schema.safeParse(input ?? (what === 'path' || what === 'query' ? {} : input));
  if (result.success) return result.data;
  const { message, field } = describeIssue(result.error, what);
  throw new InvalidInput(message, field);
}

export function sendApiError(reply: FastifyReply, status: number, body: ApiError, headers: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Fastify's own input errors, by code: the status and our code for each. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message?: (app: FastifyInstance) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'too-large', message: (app) => `the body is larger than ${app.initialConfig.bodyLimit} bytes` },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported-media-type', message: () => 'send JSON (content-type: application/json)' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad-url', message: () => 'the URL is not valid (a malformed %-escape?)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'too-long', message: () => 'a path parameter is longer than 100 characters' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 500, code: 'internal', message: () => 'internal error: see the edge log' },
};

/**
 * Errors the router raises before any route or hook runs (a malformed escape, an over-long path
 * parameter): answered in the API's shape too (Fastify's `frameworkErrors` option). No route was
 * matched, so nothing is disclosed either way.
 */
export function frameworkError(err: FastifyError, _req: unknown, reply: FastifyReply) {
  setSecurityHeaders(reply);
  const known = err.code ? FASTIFY_ERRORS[err.code] : undefined;
  return sendApiError(reply, known?.status ?? 400, { error: known?.message?.(reply.server) ?? err.message, code: known?.code ?? 'bad-request' });
}

/** Every error and every unmatched route answered in the API's shape; 5xx details only in the log. */
export function installErrorHandler(app: FastifyInstance, log: Log): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiFailure) return sendApiError(reply, err.status, err.body(), err.extra.headers);
    const known = err.code ? FASTIFY_ERRORS[err.code] : undefined;
    if (known) return sendApiError(reply, known.status, { error: known.message?.(app) ?? err.message, code: known.code });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendApiError(reply, err.statusCode, { error: err.message, code: 'bad-request' });
    }
    log('error', `${req.method} ${req.url.slice(0, 200)}: ${err.stack ?? err.message}`);
    return sendApiError(reply, 500, { error: 'internal error: see the edge log', code: 'internal' });
  });
  // Unmatched paths (under /api and elsewhere) say only that nothing is there.
  app.setNotFoundHandler((req, reply) =>
    sendApiError(reply, 404, { error: `nothing at ${req.method} ${req.url.split('?', 1)[0]!.slice(0, 120)}: GET /api/docs lists the API`, code: 'not-found' }));
}
