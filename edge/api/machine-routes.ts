// GET /api/machines and /api/machines/:id: every machine's live view (state, counts, energy,
// OEE of the current shift, live tags), as the twin gets it over Socket.IO.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { MachineLiveSchema, type MachineLive } from '../../shared/live-protocol.js';
import { apiRoute, ok } from './api-route.js';
import { ApiFailure } from './validation.js';

const MachineIdPath = z.strictObject({ id: z.string().max(64).describe('machine id from the plant file, e.g. mill') });

export interface MachineRoutesOptions {
  machines: () => MachineLive[];
}

export const machineRoutes: FastifyPluginAsync<MachineRoutesOptions> = async (app, o) => {
  app.route(apiRoute({
    method: 'GET', url: '/api/machines', access: 'operator', tag: 'machines',
    summary: 'Every machine: state, counts, energy, OEE of the current shift, live tags', responses: ok('machines', z.object({ machines: z.array(MachineLiveSchema) })),
  }, () => ({ machines: o.machines() })));

  app.route(apiRoute({
    method: 'GET', url: '/api/machines/:id', access: 'operator', tag: 'machines', summary: 'One machine, as in /api/machines', params: MachineIdPath,
    responses: { ...ok('the machine', MachineLiveSchema), 404: { description: 'no such machine', schema: ApiErrorSchema } },
  }, ({ params: { id } }) => {
    const machine = o.machines().find((m) => m.machineId === id);
    if (!machine) throw new ApiFailure(404, 'not-found', `no machine "${id}"`, { field: 'id' });
    return machine;
  }));
};
