// GET /api/health (public) says only that the server is alive: a load balancer or supervisor
// needs no more, and a stranger learns nothing from it. GET /api/status (any logged-in user:
// the same device health the twin shows every operator) has the details: devices, historian,
// uplink, auth mode and user count, whatever other modules add.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AuthHealthSchema } from '../../shared/auth-api.js';
import { DeviceHealthSchema } from '../../shared/live-protocol.js';
import type { AuthService } from '../auth/index.js';
import { apiRoute, ok } from './api-route.js';

export const HealthSchema = z.object({ status: z.literal('ok') }).describe('The server is alive; nothing more');

export const StatusSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    uptimeSeconds: z.number(),
    devices: z.array(DeviceHealthSchema),
    auth: AuthHealthSchema,
  })
  .loose()
  .describe('Other modules add sections (historian, uplink, edge on a plant host, …)');

export interface StatusRoutesOptions {
  /** The details: status (ok while every device is connected), uptime, devices, and each module's section. */
  status: () => { status: 'ok' | 'degraded'; [section: string]: unknown };
  auth: AuthService;
}

export const statusRoutes: FastifyPluginAsync<StatusRoutesOptions> = async (app, o) => {
  app.route(apiRoute({
    method: 'GET', url: '/api/health', access: 'public', tag: 'status',
    summary: 'Alive: {"status":"ok"} while the server runs (no details: see /api/status)', responses: ok('alive', HealthSchema),
  }, () => ({ status: 'ok' })));

  app.route(apiRoute({
    method: 'GET', url: '/api/status', access: 'operator', action: 'reading the edge status', tag: 'status',
    summary: 'Devices, historian, uplink and auth: what the edge is doing and what is wrong', responses: ok('status', StatusSchema),
  }, () => ({ ...o.status(), auth: o.auth.health() })));
};
