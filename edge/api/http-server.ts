import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { DeviceHealth, MachineLive } from '../../shared/live-protocol.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Log } from '../logger.js';
import type { ApiDocs } from './openapi.js';
import { installAuthGuard } from './auth-guard.js';
import { installSecurity } from './security-headers.js';
import { installErrorHandler } from './validation.js';

export interface HttpServerOptions {
  uiDir: string;
  /** Modules may add their own sections (e.g. `historian`). */
  health: () => { status: 'ok' | 'degraded'; uptimeSeconds: number; devices: DeviceHealth[]; [section: string]: unknown };
  machines: () => MachineLive[];
  /** Authenticates every /api/ route but health and login (edge/api/auth-guard.ts). */
  auth: AuthService;
  /** Records every route for the OpenAPI document. */
  docs?: ApiDocs;
  log: Log;
}

/** JSON bodies above this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, trustProxy: false });
  options.docs?.attach(app);
  installSecurity(app);
  installErrorHandler(app, options.log);
  installAuthGuard(app, options.auth);

  app.get('/api/health', async () => ({ ...options.health(), auth: options.auth.health() }));
  app.get('/api/machines', async () => ({ machines: options.machines() }));
  app.get('/api/machines/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const machine = options.machines().find((m) => m.machineId === id);
    if (!machine) return reply.code(404).send({ error: `no machine "${id}"` });
    return machine;
  });

  if (existsSync(options.uiDir)) {
    await app.register(fastifyStatic, { root: options.uiDir, prefix: '/' });
  } else {
    app.get('/', async (_req, reply) =>
      reply.type('text/html').send(`<h1>twinline edge</h1><p>The twin UI is not built. Run <code>npm run build:ui</code> (npm start does it for you).</p>`),
    );
  }
  return app;
}
