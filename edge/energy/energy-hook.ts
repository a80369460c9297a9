// The energy module's one hook into the composition root: without a metering section it is
// nothing; with one it opens its store, registers its routes, starts reading the meter devices
// and stops with the HTTP server. Returns the sinks to put in the runtime's list.
import type { FastifyInstance } from 'fastify';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { Log } from '../logger.js';
import type { ModelEventSink } from '../model/index.js';
import type { ConnectorHealth } from '../connectors/index.js';
import type { EnergyLive } from '../../shared/energy-api.js';
import { createEnergyModule, type EnergyModule, type EnergyModuleOptions } from './energy-module.js';
import { energyRoutes } from './energy-routes.js';

/** The running module by database file: what tests hold the module's events by. */
export const runningEnergy = new Map<string, EnergyModule>();

/** The `Energy/Meters` node metric of the edge whose database is `dbFile`, JSON (null without meters): the uplink reads it. */
export function energyUplinkJson(dbFile: string): string | null {
  const energy = runningEnergy.get(dbFile);
  return energy ? JSON.stringify(energy.uplink()) : null;
}

/** The health of the meter devices (the utilities' Modbus gateways) of the edge whose database is `dbFile`; none without meters. /metrics lists them with the line's devices. */
export function energyDeviceHealth(dbFile: string): ConnectorHealth[] {
  return runningEnergy.get(dbFile)?.health() ?? [];
}

/** How often the live `energy` message goes out; the demand alarm goes at once. Rare on purpose: the live server treats broadcasts as important events. */
const LIVE_EVERY_MS = 15_000;

export async function attachEnergy(o: {
  app: FastifyInstance; plant: PlantConfig; dbFile: string; dataDir: string; now: () => number; log: Log;
  alarms?: EnergyModuleOptions['alarms'];
  live?: { broadcast(event: 'energy', message: EnergyLive): void };
}): Promise<ModelEventSink[]> {
  if (!o.plant.metering) return [];
  const energy = createEnergyModule(o);
  const message = (): EnergyLive => ({
    ts: o.now(),
    meters: energy.meters().map((m) => ({ id: m.id, total: m.total, powerKW: m.powerKW, ratePerHour: m.ratePerHour, suspectStuck: m.suspectStuck })),
    demand: energy.demand(),
  });
  const live = o.live;
  const timer = live ? setInterval(() => live.broadcast('energy', message()), LIVE_EVERY_MS) : null;
  timer?.unref();
  energy.onDemandAlarm((e) => live?.broadcast('energy', { ...message(), alarm: { kind: e.kind, blockStart: e.blockStart, forecastKW: e.forecastKW, contractDemandKW: e.contractDemandKW } }));
  await o.app.register(energyRoutes, { energy, meterIds: o.plant.metering.meters.map((m) => m.id), timezone: o.plant.site.timezone });
  o.app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    runningEnergy.delete(o.dbFile);
    await energy.stop();
  });
  runningEnergy.set(o.dbFile, energy);
  await energy.start();
  return [energy];
}
