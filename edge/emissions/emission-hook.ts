// How the composition root adds the emissions module: one sink, its routes, stopped on close.
import type { FastifyInstance } from 'fastify';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { ModelEventSink } from '../model/index.js';
import type { Log } from '../logger.js';
import { createEmissionMonitor, type EmissionMonitor } from './emission-monitor.js';
import { openEmissionStore } from './emission-store.js';
import { emissionRoutes } from './emission-routes.js';
import type { DerivedAlarmTarget } from './emission-alarms.js';

/** The running module per database file, for tests and the twin's status. */
export const runningEmissions = new Map<string, EmissionMonitor>();

/** `alarms`: the alarm engine, so the emission conditions are ISA-18.2 alarms (emission-alarms.ts). */
export async function attachEmissions(o: { app: FastifyInstance; plant: PlantConfig; dbFile: string; now: () => number; log: Log; alarms?: DerivedAlarmTarget }): Promise<ModelEventSink[]> {
  if (!o.plant.emissions) return [];
  const store = openEmissionStore(o.dbFile);
  const emissions = createEmissionMonitor({ plant: o.plant, store, now: o.now, log: o.log, alarms: o.alarms });
  await o.app.register(emissionRoutes, { emissions, timezone: o.plant.site.timezone, now: o.now });
  o.app.addHook('onClose', async () => {
    runningEmissions.delete(o.dbFile);
    await emissions.stop();
    store.close();
  });
  runningEmissions.set(o.dbFile, emissions);
  emissions.start();
  return [emissions];
}
