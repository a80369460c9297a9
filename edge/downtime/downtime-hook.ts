// The downtime module's one hook into the composition root: its own connection to the edge's
// database, its routes, closed with the HTTP server. Stops are read from the historian when
// asked, so the module needs no model events.
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '../store/index.js';
import { createDowntimeService, type DowntimeService, type DowntimeServiceOptions } from './downtime-service.js';
import { downtimeRoutes } from './downtime-routes.js';

export async function attachDowntime(o: Omit<DowntimeServiceOptions, 'sqlite'> & { app: FastifyInstance; dbFile: string }): Promise<DowntimeService> {
  const sqlite = openDatabase(o.dbFile);
  const downtime = createDowntimeService({ ...o, sqlite });
  await o.app.register(downtimeRoutes, { downtime });
  o.app.addHook('onClose', async () => {
    sqlite.close();
  });
  return downtime;
}
