// Access control of the REST API, decided on the route that MATCHED, never on the raw URL: the
// router has already decoded and normalised the path (canonical-url.ts), so however a path is
// spelled, the decision is the one of the route that will answer. Each route declares its access
// in its definition (api-route.ts: 'public' or a minimum role); a route under a guarded prefix
// without a declaration stops the server from starting (deny by default: a route added next
// month cannot be open by omission).
//
// A client presents `Authorization: Bearer <token>`; a browser that logged in also holds the token
// in an HttpOnly SameSite=Strict cookie, honoured for reads (GET/HEAD), and for writes only with
// the CSRF_HEADER a forged cross-site form cannot send (other origins are refused outright by
// security-headers.ts). Refusals are answered 401/403 and audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, Principal, Refusal } from '../auth/index.js';
import { CSRF_HEADER, ROLES } from '../../shared/auth-api.js';
import type { Access } from './api-route.js';
import { sendApiError } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller: set on every route with a role; on public routes when a valid session came along. */
    principal: Principal | null;
  }
}

export const SESSION_COOKIE = 'twinline_session';

/** Paths whose routes must declare access: the API. */
export const isGuardedPath = (url: string) => url === '/api' || url.startsWith('/api/');

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null; // a malformed cookie is no credential, not a server error
      }
    }
  }
  return null;
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1]! : null;
}

export function tokenOf(req: Pick<FastifyRequest, 'headers' | 'method'>): string | null {
  const bearer = bearerToken(req.headers.authorization);
  if (bearer) return bearer;
  if (req.method === 'GET' || req.method === 'HEAD' || req.headers[CSRF_HEADER] !== undefined) return cookieValue(req.headers.cookie, SESSION_COOKIE);
  return null;
}

export function sendRefusal(reply: FastifyReply, refusal: Refusal) {
  const headers: Record<string, string> = {};
  if (refusal.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(refusal.retryAfterMs / 1000));
  if (refusal.status === 401) headers['www-authenticate'] = 'Bearer realm="twinline"';
  return sendApiError(reply, refusal.status, { error: refusal.message, code: refusal.code }, headers);
}

const ACCESS_VALUES: readonly string[] = ['public', 'scrape', ...ROLES];

/** Thrown at startup for a route that does not say who may call it. */
export class UndeclaredAccessError extends Error {
  override name = 'UndeclaredAccessError';
}

export interface AccessControlOptions {
  auth: AuthService;
  /** Which route paths must declare access (default: under /api). */
  guarded?: (url: string) => boolean;
}

export function installAccessControl(app: FastifyInstance, options: AccessControlOptions): void {
  const { auth } = options;
  const guarded = options.guarded ?? isGuardedPath;
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access !== undefined && !ACCESS_VALUES.includes(access)) {
      throw new UndeclaredAccessError(`route ${String(route.method)} ${route.url} declares access "${String(access)}": use 'public' or a role (${ROLES.join(', ')})`);
    }
    if (access === undefined && guarded(route.url)) {
      throw new UndeclaredAccessError(
        `route ${String(route.method)} ${route.url} does not declare who may call it: define it with apiRoute() (edge/api/api-route.ts) or give it config: { access: 'public' | '<role>' }`,
      );
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    if (req.is404) return; // the not-found handler answers, with nothing but "not found"
    const config = req.routeOptions.config;
    const routeUrl = req.routeOptions.url ?? '';
    const access: Access | undefined = config.access ?? (guarded(routeUrl) ? undefined : 'public');
    const target = `${req.method} ${routeUrl.slice(0, 200)}`;
    if (access === undefined) {
      // Unreachable while the onRoute check stands; refuse rather than serve if it ever is not.
      return sendApiError(reply, 403, { error: `${target} declares no access`, code: 'forbidden' });
    }
    const token = tokenOf(req);
    if (access === 'public') {
      // Known callers are known on public routes too (logout ends their session); no refusal here.
      if (token) {
        const result = auth.authenticate({ token, source: req.ip });
        if (result.ok) req.principal = result.principal;
      }
      return;
    }
    // A metrics scrape: the route's own token opens it (no session, no role); anything else needs an admin.
    if (access === 'scrape') {
      const bearer = bearerToken(req.headers.authorization);
      if (bearer && config.scrapeToken?.(bearer)) return;
    }
    const result = auth.authenticate({ token, source: req.ip });
    if (!result.ok) {
      auth.auditRefusal('api.refused', result.refusal, { target }, req.ip);
      return sendRefusal(reply, result.refusal);
    }
    const action = config.action ?? target;
    const refusal = auth.requireRole(result.principal, access === 'scrape' ? 'admin' : access, action);
    if (refusal) {
      auth.auditRefusal(action, refusal, { target, role: result.principal.role }, req.ip, result.principal);
      return sendRefusal(reply, refusal);
    }
    req.principal = result.principal;
  });
}
