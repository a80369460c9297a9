// The energy module's one hook into the composition root: without a metering section it is
// nothing; with one it opens its store, registers its routes, starts reading the meter devices
// and stops with the HTTP server. Returns the sinks to put in the runtime's list.
import type { FastifyInstance } from 'fastify';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { Log } from '../logger.js';
import type { ModelEventSink } from '../model/model-event-sink.js';
import { createEnergyModule, type EnergyModule } from './energy-module.js';
import { energyRoutes } from './energy-routes.js';

/** The running module by database file: what tests hold the module's events by. */
export const runningEnergy = new Map<string, EnergyModule>();

export async function attachEnergy(o: { app: FastifyInstance; plant: PlantConfig; dbFile: string; dataDir: string; now: () => number; log: Log }): Promise<ModelEventSink[]> {
  if (!o.plant.metering) return [];
  const energy = createEnergyModule(o);
  await o.app.register(energyRoutes, { energy, meterIds: o.plant.metering.meters.map((m) => m.id), timezone: o.plant.site.timezone });
  o.app.addHook('onClose', async () => {
    runningEnergy.delete(o.dbFile);
    await energy.stop();
  });
  runningEnergy.set(o.dbFile, energy);
  await energy.start();
  return [energy];
}
