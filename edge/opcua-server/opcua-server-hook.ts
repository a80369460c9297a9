// What the composition root calls: starts the OPC UA server when the plant file has an
// `opcuaServer:` section or the command line gives --opcua-server-port, else nothing.
import { OpcUaServerSettingsSchema } from '../../shared/opcua-server-schema.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { AuthService } from '../auth/index.js';
import type { CommandService } from '../commands/index.js';
import type { LiveKpiEngine } from '../kpi/index.js';
import type { MachineStatus } from '../model/index.js';
import type { Log } from '../logger.js';
import { startEdgeOpcUaServer, type EdgeOpcUaServer, type EdgeOpcUaServerOptions } from './edge-opcua-server.js';

export interface AttachOpcUaServerOptions {
  plant: PlantConfig;
  /** --opcua-server-port: turns the server on (with the plant file's settings, or the defaults) on this port. */
  port?: number;
  dataDir: string;
  auth: AuthService;
  commands: CommandService;
  kpi: LiveKpiEngine;
  alarms: EdgeOpcUaServerOptions['alarms'];
  history: EdgeOpcUaServerOptions['history'];
  machine: (machineId: string) => MachineStatus | undefined;
  log: Log;
}

export async function attachOpcUaServer(o: AttachOpcUaServerOptions): Promise<EdgeOpcUaServer | null> {
  if (!o.plant.opcuaServer && o.port === undefined) return null;
  const base = o.plant.opcuaServer ?? OpcUaServerSettingsSchema.parse({});
  const settings = o.port === undefined ? base : { ...base, port: o.port };
  return startEdgeOpcUaServer({
    plant: o.plant, settings, dataDir: o.dataDir, auth: o.auth, commands: o.commands, kpi: o.kpi, alarms: o.alarms, history: o.history, log: o.log,
    machineState: o.machine,
  });
}
