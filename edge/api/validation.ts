// Inbound bodies and parameters through zod, with one error shape: 400 {error, code, field}.
// Size limits come first (Fastify's bodyLimit: 413 before any parsing work).
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ApiError } from '../../shared/auth-api.js';
import type { Log } from '../logger.js';

export class InvalidInput extends Error {
  override name = 'InvalidInput';
  constructor(message: string, readonly field: string | undefined) {
    super(message);
  }
}

/** The first problem, with the path of the field: what a person fixing the request needs. */
export function describeIssue(error: z.ZodError, what: string): { message: string; field: string | undefined } {
  const issue = error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys.map(String) : [];
  const field = keys.length ? keys[0] : issue.path.length ? issue.path.map(String).join('.') : undefined;
  const message = keys.length ? `${what}: unknown field "${keys.join('", "')}"` : `${what}${field ? ` field "${field}"` : ''}: ${issue.message}`;
  return { message, field };
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const { message, field } = describeIssue(result.error, what);
  throw new InvalidInput(message, field);
}

/** Turns validation and Fastify's own input errors into the API's error shape. */
export function installErrorHandler(app: FastifyInstance, log: Log): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof InvalidInput) return reply.code(400).send({ error: err.message, code: 'invalid', field: err.field } satisfies ApiError);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: `the body is larger than ${app.initialConfig.bodyLimit} bytes`, code: 'too-large' } satisfies ApiError);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ error: 'send JSON (content-type: application/json)', code: 'unsupported-media-type' } satisfies ApiError);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: err.message, code: err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'invalid' : 'bad-request' } satisfies ApiError);
    }
    log('error', `${req.method} ${req.url.slice(0, 200)}: ${err.stack ?? err.message}`);
    return reply.code(500).send({ error: 'internal error: see the edge log', code: 'internal' } satisfies ApiError);
  });
}
