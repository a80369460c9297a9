// The layout routes as one call for the composition root.
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/index.js';
import { layoutRoutes, machineAddRoutes } from './layout-routes.js';
import type { PlantFileHandle } from './plant-file-handle.js';

export async function attachLayout(options: { app: FastifyInstance; plantFile: PlantFileHandle; audit: Pick<AuditLog, 'append'>; dataDir?: string }): Promise<void> {
  await options.app.register(async (scope) => {
    await layoutRoutes(scope, options);
    await machineAddRoutes(scope, options);
  });
}
