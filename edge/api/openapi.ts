// The route catalogue and the OpenAPI 3.1 document built from it. Every route Fastify registers
// is recorded as it is added (onRoute), with the definition it was given (api-route.ts): access,
// zod schemas, description. The document is generated from the same zod schemas that validate
// requests (z.toJSONSchema), so it cannot drift from the checks; a route without a description
// is flagged `x-undocumented` so the gap shows instead of hiding. The fuzz suite walks the same
// catalogue (app.apiRoutes()), so a new route is documented and fuzzed without new code.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiErrorSchema } from '../../shared/api-error.js';
import type { Access, RouteSpec } from './api-route.js';
import { isGuardedPath } from './auth-guard.js';

export interface ApiRouteInfo {
  method: string;
  /** Fastify style: /api/machines/:id */
  url: string;
  access: Access | undefined;
  /** The definition, for routes made with apiRoute(). */
  spec: RouteSpec | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered so far (HEAD routes Fastify adds for GET left out). */
    apiRoutes(): ApiRouteInfo[];
  }
}

export function installRouteCatalogue(app: FastifyInstance): void {
  const routes: ApiRouteInfo[] = [];
  app.decorate('apiRoutes', () => [...routes]);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, access: route.config?.access, spec: route.config?.spec });
    }
  });
}

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{wildcard}');

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
  400: 'Invalid input: `field` names the bad parameter or body field',
  401: 'Not logged in, or the session expired',
  403: 'The role is too low for this',
  413: 'Body larger than the limit',
  429: 'Too many attempts: see Retry-After',
};

function operation(spec: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: toSchema(r.schema, 'output') } } } : {}),
    };
  }
  const errors = [
    ...(spec.params || spec.query || spec.body ? [400] : []),
    ...(spec.access === 'public' ? [] : [401]),
    ...(spec.access !== 'public' && spec.access !== 'operator' ? [403] : []),
    ...(spec.body ? [413] : []),
  ];
  for (const status of errors) {
    responses[status] ??= { description: ERRORS[status]!, content: { 'application/json': { schema: toSchema(ApiErrorSchema, 'output') } } };
  }
  return {
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    'x-access': spec.access,
    security: spec.access === 'public' ? [] : [{ bearer: [] }, { cookie: [] }],
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } } } : {}),
    responses,
  };
}

export function buildOpenApi(routes: readonly ApiRouteInfo[], info: { title: string; version: string; description: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const api = routes.filter((r) => isGuardedPath(r.url) && !r.spec?.hidden);
  for (const r of [...api].sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`))) {
    const entry = (paths[openApiPath(r.url)] ??= {});
    entry[r.method.toLowerCase()] = r.spec
      ? operation(r.spec)
      : { summary: `${r.method} ${r.url}`, 'x-access': r.access, 'x-undocumented': true, responses: { default: { description: 'not described yet' } } };
  }
  return {
    openapi: '3.1.0',
    info,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/login' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'twinline_session', description: 'Set by POST /api/login; honoured for GET, and for writes with the x-twinline-request header' },
      },
      schemas: { ApiError: toSchema(ApiErrorSchema, 'output') },
    },
    paths,
  };
}
