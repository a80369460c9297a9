// The OpenAPI 3.1 document of the REST API, generated from the same zod schemas that
// validate requests (z.toJSONSchema), so the document cannot drift from the checks. Every
// route Fastify registers under /api/ is listed; one without a description is flagged
// `x-undocumented` so the gap shows instead of hiding.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../shared/auth-api.js';
import { ApiErrorSchema } from '../../shared/auth-api.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDoc {
  method: Method;
  /** Fastify style: /api/machines/:id */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** 'public' = no session needed; a role = that role or above; 'any' = any logged-in user. */
  access: 'public' | 'any' | Role;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → schema of the answer (or a description only when the shape has no zod schema yet). */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export interface ApiDocs {
  add(...docs: RouteDoc[]): void;
  /** Call before routes are registered: records every route Fastify adds. */
  attach(app: FastifyInstance): void;
  build(): Record<string, unknown>;
  documented(): RouteDoc[];
}

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name, in: where, required: where === 'path' || required.has(name), schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

const ERRORS: Record<number, string> = {
  400: 'Invalid input: `field` names the bad field',
  401: 'Not logged in, or the session expired',
  403: 'The role is too low for this',
  413: 'Body larger than the limit',
  429: 'Too many attempts: see Retry-After',
};

export function createApiDocs(info: { title: string; version: string; description: string }): ApiDocs {
  const docs = new Map<string, RouteDoc>();
  const seen = new Map<string, { method: string; url: string }>();

  function operation(doc: RouteDoc): JsonSchema {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, r] of Object.entries(doc.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: toSchema(r.schema, 'output') } } } : {}),
      };
    }
    const errors = [...(doc.params || doc.query || doc.body ? [400] : []), ...(doc.access === 'public' ? [] : [401]), ...(doc.access !== 'public' && doc.access !== 'any' ? [403] : []), ...(doc.body ? [413] : [])];
    for (const status of errors) {
      responses[status] ??= { description: ERRORS[status]!, content: { 'application/json': { schema: toSchema(ApiErrorSchema, 'output') } } };
    }
    return {
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [doc.tag],
      'x-access': doc.access,
      security: doc.access === 'public' ? [] : [{ bearer: [] }, { cookie: [] }],
      parameters: [...parameters(doc.params, 'path'), ...parameters(doc.query, 'query')],
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(doc.body, 'input') } } } } : {}),
      responses,
    };
  }

  return {
    add(...list) {
      for (const d of list) docs.set(`${d.method} ${d.path}`, d);
    },
    attach(app) {
      app.addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const m of methods) {
          if (m === 'HEAD' || !route.url.startsWith('/api/')) continue;
          seen.set(`${m} ${route.url}`, { method: m, url: route.url });
        }
      });
    },
    build() {
      const paths: Record<string, Record<string, JsonSchema>> = {};
      const keys = new Set([...docs.keys(), ...seen.keys()]);
      for (const key of [...keys].sort()) {
        const doc = docs.get(key);
        const [method, url] = key.split(' ') as [string, string];
        const entry = (paths[openApiPath(url)] ??= {});
        entry[method.toLowerCase()] = doc
          ? operation(doc)
          : { summary: `${method} ${url}`, 'x-undocumented': true, responses: { default: { description: 'not described yet' } } };
      }
      return {
        openapi: '3.1.0',
        info,
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/login' },
            cookie: { type: 'apiKey', in: 'cookie', name: 'twinline_session', description: 'Set by POST /api/login; honoured for GET only' },
          },
        },
        paths,
      };
    },
    documented: () => [...docs.values()],
  };
}
