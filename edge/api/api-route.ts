// A REST route is defined in one place: method, path, who may call it (`access`), its zod schemas
// for path, query and body, and its OpenAPI description. The access declaration travels in the
// Fastify route config, where the access control (access-control.ts) reads it from the route
// that MATCHED; the OpenAPI document (openapi.ts) is built from the same definitions. Handlers
// get their inputs parsed and typed, and throw ApiFailure (or a domain error their plugin maps)
// for refusals, so they stay a few lines each.
import type { FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import type { z } from 'zod';
import type { Role } from '../../shared/auth-api.js';
import type { Principal } from '../auth/index.js';
import { ApiFailure, parseInput } from './validation.js';

/**
 * 'public': no session needed. A role: that role or above (operator = any logged-in user).
 * 'scrape': the route's `scrapeToken` as a bearer token (Prometheus), or an admin's session (edge/metrics).
 */
export type Access = 'public' | 'scrape' | Role;

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec {
  method: HTTPMethods | HTTPMethods[];
  /** Fastify style: /api/machines/:id */
  url: string;
  access: Access;
  /** Names the route in refusals and the audit log ("reading the audit log"); default "<METHOD> <url>". */
  action?: string;
  /** OpenAPI tag: the area (machines, history, kpi, alarms…). */
  tag: string;
  summary: string;
  description?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → what it means (and the schema of the answer, when it has one). */
  responses: Record<number, ResponseDoc>;
  /** Left out of the OpenAPI document (pages and scripts for browsers). */
  hidden?: boolean;
  /** With access 'scrape': whether a presented bearer token is the scrape token (constant time). */
  scrapeToken?: (presented: string) => boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: required under /api (the edge refuses to start otherwise). */
    access?: Access;
    action?: string;
    spec?: RouteSpec;
    scrapeToken?: (presented: string) => boolean;
  }
}

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteInput<S extends RouteSpec> {
  params: Parsed<S['params']>;
  query: Parsed<S['query']>;
  body: Parsed<S['body']>;
  /** The caller; null only on public routes called without a session. */
  principal: Principal | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** Turns a plugin's domain errors into ApiFailure (or null: not ours, a 500). */
export type ErrorMapper = (err: unknown, req: FastifyRequest) => ApiFailure | null;

/**
 * The Fastify route for `spec`: inputs parsed with its schemas (400 names the bad one), the
 * access declaration in its config, errors through `mapError` into the API's shape.
 */
export function apiRoute<const S extends RouteSpec>(spec: S, handler: (input: RouteInput<S>) => unknown, mapError?: ErrorMapper): RouteOptions {
  return {
    method: spec.method,
    url: spec.url,
    config: { access: spec.access, ...(spec.action ? { action: spec.action } : {}), ...(spec.scrapeToken ? { scrapeToken: spec.scrapeToken } : {}), spec },
    handler: async (req, reply) => {
      try {
        const input = {
          params: (spec.params ? parseInput(spec.params, req.params, 'path') : undefined) as Parsed<S['params']>,
          query: (spec.query ? parseInput(spec.query, req.query, 'query') : undefined) as Parsed<S['query']>,
          body: (spec.body ? parseInput(spec.body, req.body ?? {}, 'body') : undefined) as Parsed<S['body']>,
          principal: req.principal, req, reply,
        };
        return await handler(input);
      } catch (err) {
        throw (mapError?.(err, req) ?? err);
      }
    },
  };
}

/** A plugin's route factory with its error mapper bound. */
export function routesWith(mapError?: ErrorMapper) {
  return <const S extends RouteSpec>(spec: S, handler: (input: RouteInput<S>) => unknown) => apiRoute(spec, handler, mapError);
}

/** The caller of a route whose access is a role: always set (the access control refused otherwise). */
export function caller(input: { principal: Principal | null }): Principal {
  if (!input.principal) throw new ApiFailure(401, 'unauthenticated', 'log in first');
  return input.principal;
}

/** Common response docs. */
export const ok = (description: string, schema?: z.ZodType): Record<number, ResponseDoc> => ({ 200: { description, ...(schema ? { schema } : {}) } });
