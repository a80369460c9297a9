// One route as the fuzzers see it, taken from Fastify's onRoute hook: method, url, JSON Schema
// of its parts (from a Fastify schema or the zod schemas apiRoute() keeps in config.spec), its
// access declaration and documented statuses.
import type { RouteOptions } from 'fastify';
import { z } from 'zod';

export interface CatalogueRoute {
  method: string;
  url: string;
  /** The route's Fastify schema (JSON Schema parts), when it declares one. */
  schema: Record<string, unknown> | null;
  /** The route's access declaration (`config.access`), when it has one. */
  access: unknown;
  /** Statuses the route documents (`config.spec.responses`), when it is defined with apiRoute(). */
  statuses?: number[];
}

const jsonSafe = (v: unknown): Record<string, unknown> | null => {
  if (!v || typeof v !== 'object') return null;
  try {
    return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  } catch {
    return null;
  }
};

/** A route defined with its zod schemas (edge/api/api-route.ts keeps them in config.spec): the same schemas as JSON Schema. */
function specSchema(spec: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!spec) return null;
  const out: Record<string, unknown> = {};
  for (const [part, key] of [['params', 'params'], ['query', 'querystring'], ['body', 'body']] as const) {
    const schema = spec[part];
    if (schema instanceof z.ZodType) {
      try {
        out[key] = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
      } catch {
        // a schema JSON Schema cannot express: fuzzed without it
      }
    }
  }
  return Object.keys(out).length ? out : null;
}

/** What the fuzzer needs to know of one route as Fastify registers it. */
export function catalogueEntry(method: string, route: RouteOptions): CatalogueRoute {
  const config = route.config as { access?: unknown; spec?: Record<string, unknown> } | undefined;
  const responses = config?.spec?.responses;
  return {
    method, url: route.url ?? '', schema: jsonSafe(route.schema) ?? specSchema(config?.spec), access: typeof config?.access === 'string' ? config.access : null,
    ...(responses && typeof responses === 'object' ? { statuses: Object.keys(responses).map(Number).filter(Number.isFinite) } : {}),
  };
}

