// Every /api/ call is authenticated except the health check and the login itself. A client
// presents `Authorization: Bearer <token>`; a browser that logged in also holds the token in
// an HttpOnly SameSite=Strict cookie, honoured for reads (GET/HEAD), and for writes only with
// the CSRF_HEADER a forged cross-site form cannot send (other origins are refused outright by
// security-headers.ts). Refusals are answered 401 and audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, Principal, Refusal } from '../auth/auth-service.js';
import { CSRF_HEADER, type Role } from '../../shared/auth-api.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on every authenticated /api/ request. */
    principal: Principal | null;
  }
}

export const SESSION_COOKIE = 'twinline_session';
/** Reachable without a session. */
export const PUBLIC_API = new Set(['GET /api/health', 'HEAD /api/health', 'POST /api/login', 'POST /api/logout']);

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
  if (refusal.retryAfterMs !== undefined) reply.header('retry-after', String(Math.ceil(refusal.retryAfterMs / 1000)));
  if (refusal.status === 401) reply.header('www-authenticate', 'Bearer realm="twinline"');
  return reply.code(refusal.status).send({ error: refusal.message, code: refusal.code });
}

export function installAuthGuard(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?', 1)[0]!;
    if (!path.startsWith('/api/') && path !== '/api') return;
    if (PUBLIC_API.has(`${req.method} ${path}`)) return;
    const result = auth.authenticate({ token: tokenOf(req), source: req.ip });
    if (!result.ok) {
      auth.auditRefusal('api.refused', result.refusal, { target: `${req.method} ${path.slice(0, 200)}` }, req.ip);
      return sendRefusal(reply, result.refusal);
    }
    req.principal = result.principal;
  });
}

/**
 * For route handlers: the caller, or a 403 (audited) if their role is below `minimum`.
 * Returns null after sending the refusal; the handler then returns the reply.
 */
export function requireRole(auth: AuthService, req: FastifyRequest, reply: FastifyReply, minimum: Role, action: string): Principal | null {
  const principal = req.principal;
  if (!principal) {
    // Only reachable if a public route calls it: treat as unauthenticated.
    void sendRefusal(reply, { status: 401, code: 'unauthenticated', message: 'log in first' });
    return null;
  }
  const refusal = auth.requireRole(principal, minimum, action);
  if (refusal) {
    auth.auditRefusal(action, refusal, { target: `${req.method} ${req.url.split('?', 1)[0]!.slice(0, 200)}`, role: principal.role }, req.ip, principal);
    void sendRefusal(reply, refusal);
    return null;
  }
  return principal;
}
