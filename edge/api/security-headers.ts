// Security headers on every HTTP answer (the set @fastify/helmet would send, written out so
// each one is deliberate), and CORS closed: the twin is served by this server, so no other
// origin needs to read the API. A cross-origin request that changes something is refused
// outright (defence in depth behind SameSite cookies and bearer tokens).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // 'wasm-unsafe-eval' lets the twin compile the bundled Draco and meshopt decoders (WebAssembly)
  // for compressed plant models (issue 21); it allows no JavaScript eval.
  "script-src 'self' 'wasm-unsafe-eval'",
  // three.js and the panels set element styles from script.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
  'x-permitted-cross-domain-policies': 'none',
};

/** True when the request carries an Origin that is not this server's own. */
export function isCrossOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The headers every answer carries (also those sent before any hook runs, e.g. router errors). */
export function setSecurityHeaders(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(HEADERS)) reply.header(name, value);
}

export function installSecurity(app: FastifyInstance): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    setSecurityHeaders(reply);
    // req.url is canonical here (canonical-url.ts) but may differ in case: the router matches either.
    if (req.url.slice(0, 5).toLowerCase() === '/api/') reply.header('cache-control', 'no-store');
    if (req.method === 'OPTIONS') {
      // No CORS preflight is ever granted.
      return reply.code(403).send({ error: 'cross-origin requests are not allowed: use the twin served by this edge', code: 'cors-closed' });
    }
    if (UNSAFE_METHODS.has(req.method) && isCrossOrigin(req.headers.origin, req.headers.host)) {
      return reply.code(403).send({ error: `requests from ${req.headers.origin} are not allowed: use the twin served by this edge`, code: 'cross-origin' });
    }
  });
}
