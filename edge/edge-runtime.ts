// The composition root's work: build every module, wire them in one direction
// (connectors → model → historian / KPI / live), start them, stop them in reverse.
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { PlantConfig } from '../shared/plant-schema.js';
import { toPlantView, type DeviceHealth, type LineSnapshot, type MachineLive } from '../shared/live-protocol.js';
import { tagsOfDevice, type Connector, type TagSample } from './connectors/connector.js';
import { createConnector } from './connectors/registry.js';
import { createPlantModel, type ModelEvent } from './model/plant-model.js';
import { openHistorian, type Historian } from './store/historian.js';
import { createLiveKpiEngine, type LiveKpiEngine } from './kpi/live-kpi-engine.js';
import { createLiveServer, type LiveServer } from './live/live-server.js';
import { createHttpServer } from './api/http-server.js';
import type { Log } from './logger.js';

export interface EdgeOptions {
  plant: PlantConfig;
  port: number;
  host?: string;
  /** SQLite file of the historian. */
  dbFile: string;
  /** Folder for state that survives restarts (OPC UA PKI). */
  dataDir: string;
  uiDir: string;
  now?: () => number;
  log: Log;
}

export interface RunningEdge {
  port: number;
  url: string;
  historian: Historian;
  kpi: LiveKpiEngine;
  machines(): MachineLive[];
  devices(): DeviceHealth[];
  stop(): Promise<void>;
}

export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const now = options.now ?? Date.now;
  const { plant, log } = options;
  const startedAt = now();
  const historian = openHistorian({ file: options.dbFile, now });
  const model = createPlantModel(plant, startedAt);
  const kpi = createLiveKpiEngine({ plant, now });
  for (const m of plant.machines) kpi.onState(m.id, 'no-data', startedAt);

  const connectors: Connector[] = plant.devices.map((device) =>
    createConnector({ device, tags: tagsOfDevice(plant, device.id), now, dataDir: options.dataDir, log }),
  );
  const devices = () => connectors.map((c) => c.health());

  function machineLive(machineId: string): MachineLive | undefined {
    const status = model.machine(machineId);
    if (!status) return undefined;
    const k = kpi.machine(machineId);
    return { ...status, counts: k.counts, energyKWh: k.energyKWh, oee: k.oee, shift: k.shift };
  }
  const machines = () => plant.machines.map((m) => machineLive(m.id)!);
  const plantView = toPlantView(plant);
  const snapshot = (): LineSnapshot => ({ plant: plantView, machines: machines(), devices: devices(), ts: now() });

  const app = await createHttpServer({
    uiDir: options.uiDir,
    machines,
    health: () => {
      const d = devices();
      return { status: d.every((x) => x.connected) ? 'ok' : 'degraded', uptimeSeconds: Math.round((now() - startedAt) / 1000), devices: d };
    },
  });
  let live: LiveServer | undefined;
  live = createLiveServer({ httpServer: app.server, snapshot, machineLive, devices, now });

  function onSamples(batch: TagSample[]) {
    const events: ModelEvent[] = model.apply(batch);
    if (!events.length) return;
    historian.record(events);
    const touched = new Set<string>();
    for (const e of events) {
      touched.add(e.machineId);
      if (e.kind === 'state') kpi.onState(e.machineId, e.state, e.ts, e.reason ?? undefined);
      else if (e.kind === 'count') kpi.onCounts(e.machineId, e.deltaTotal, e.deltaGood, e.ts);
      else if (e.kind === 'energy') kpi.onEnergy(e.machineId, e.deltaKWh, e.ts);
    }
    live?.touch(touched);
  }

  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const port = (app.server.address() as AddressInfo).port;
  for (const c of connectors) await c.start(onSamples);
  log('info', `edge serving ${plant.line.name} (${plant.machines.length} machines, ${connectors.length} devices) on http://localhost:${port}`);

  return {
    port,
    url: `http://localhost:${port}`,
    historian,
    kpi,
    machines,
    devices,
    async stop() {
      for (const c of [...connectors].reverse()) await c.stop().catch((err) => log('warn', `stopping ${c.deviceId}: ${(err as Error).message}`));
      await live?.close();
      await app.close();
      historian.close();
    },
  };
}

export function defaultPaths(dataDir = 'data') {
  return { dataDir, dbFile: join(dataDir, 'twinline.db'), uiDir: join('dist', 'twin-ui') };
}
