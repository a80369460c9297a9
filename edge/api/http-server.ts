// The HTTP(S) server of an edge, of each line on a plant host and of the host itself: Fastify with
// one spelling per path (canonical-url.ts + a case- and trailing-slash-insensitive router), the
// security headers, the route catalogue, the API's one error shape and the access control decided
// on the matched route. Routes come as plugins, one per area (edge-api.ts lists the edge's).
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AuthService } from '../auth/index.js';
import type { Log } from '../logger.js';
import { installAccessControl } from './auth-guard.js';
import { canonicalUrl } from './canonical-url.js';
import { installRouteCatalogue } from './openapi.js';
import { installSecurity } from './security-headers.js';
import { frameworkError, installErrorHandler } from './validation.js';

/** JSON bodies above this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** PEM certificate chain and private key: the server speaks HTTPS and the session cookie is Secure. */
export interface TlsFiles {
  cert: Buffer | string;
  key: Buffer | string;
}

export interface ApiAppOptions {
  auth: AuthService;
  log: Log;
  bodyLimit?: number;
  tls?: TlsFiles;
  /** The plant host puts its /lines/… dispatch in front of Fastify (its server then does TLS itself: say so with `secure`). */
  serverFactory?: FastifyServerFactory;
  /** The server speaks HTTPS although `tls` is not given here (a serverFactory's HTTPS server). */
  secure?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** True when this server speaks HTTPS (cookies get the Secure attribute). */
    secure: boolean;
  }
}

export function createApiApp(options: ApiAppOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? BODY_LIMIT_BYTES,
    trustProxy: false,
    rewriteUrl: (req: IncomingMessage) => canonicalUrl(req.url ?? '/'),
    frameworkErrors: frameworkError,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    ...(options.tls && !options.serverFactory ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  app.decorate('secure', !!options.tls || !!options.secure);
  installRouteCatalogue(app);
  installSecurity(app);
  installErrorHandler(app, options.log);
  installAccessControl(app, { auth: options.auth });
  return app;
}

export interface HttpServerOptions extends ApiAppOptions {
  uiDir: string;
}

/** An API app that also serves the twin UI (public: it holds no data, it asks the API for it). */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = createApiApp(options);
  if (existsSync(options.uiDir)) {
    await app.register(fastifyStatic, { root: options.uiDir, prefix: '/' });
  } else {
    app.get('/', { config: { access: 'public' } }, async (_req, reply) =>
      reply.type('text/html').send(`<h1>twinline edge</h1><p>The twin UI is not built. Run <code>npm run build:ui</code> (npm start does it for you).</p>`),
    );
  }
  return app;
}
