// The handover module's one hook into the composition root: its own connection, its routes, and
// a timer that makes each shift's report once the shift has ended (checked every 5 s and at
// start, on the clock the edge runs on), stopped with the HTTP server.
import type { FastifyInstance } from 'fastify';
import type { Log } from '../logger.js';
import { openDatabase } from '../store/index.js';
import { createHandoverService, type HandoverOptions, type HandoverService } from './handover-service.js';
import { handoverRoutes } from './handover-routes.js';

const CHECK_EVERY_MS = 5_000;

export async function attachHandover(o: Omit<HandoverOptions, 'sqlite'> & { app: FastifyInstance; dbFile: string; log: Log; checkEveryMs?: number }): Promise<HandoverService> {
  const sqlite = openDatabase(o.dbFile);
  const handover = createHandoverService({ ...o, sqlite });
  await o.app.register(handoverRoutes, { handover });
  const check = () => {
    try {
      const made = handover.generateDue();
      if (made.length) o.log('info', `shift report${made.length > 1 ? 's' : ''} ${made.join(', ')} made (GET /api/handover/reports/<id>)`);
    } catch (err) {
      o.log('warn', `shift report: ${(err as Error).message}; tried again in ${CHECK_EVERY_MS / 1000} s`);
    }
  };
  const timer = setInterval(check, o.checkEveryMs ?? CHECK_EVERY_MS);
  timer.unref();
  o.app.addHook('onClose', async () => {
    clearInterval(timer);
    sqlite.close();
  });
  return handover;
}
