// Composition root of the simulator: the line model on a scaled clock, the tag image it
// publishes, the OPC UA and Modbus TCP servers that serve that image, fault injection and
// the ground-truth recorder. Start it with startSimulator(); stop it with stop().
import { join } from 'node:path';
import type { PlantConfig } from '../shared/plant-schema.js';
import { FaultRegistry, FaultSpecSchema, type ActiveFault, type FaultSpec } from './fault-injection.js';
import type { GroundTruthReport } from './ground-truth.js';
import { createLineModel, type LineModel, type MachineCommand, type MachineSnapshot } from './line-model.js';
import { buildModbusMap } from './modbus-map.js';
import { startControlApi, type RunningControlApi } from './control-api.js';
import { createModbusVector, startModbusTcp, type RunningModbusTcp } from './modbus-server.js';
import { startOpcUaServer, type RunningOpcUa } from './opcua-server.js';
import type { OpcUaSecurity } from './opcua-security.js';
import { openPtyPair, startModbusRtu, type PtyPair, type RunningModbusRtu } from './modbus-rtu.js';
import { resolveScenario, type ScenarioConfig } from './scenario.js';
import { TagImage } from './tag-image.js';
import { attachFurnace, type FurnaceModel } from './furnace.js';
import { checkMeterFault, startUtilities, type RunningUtilities } from './utilities.js';

export interface SimulatorOptions {
  plant: PlantConfig;
  /** 0 picks a free port; the running simulator reports the real one. Default 4840. */
  opcuaPort?: number;
  /** 0 picks a free port. Default 5020. */
  modbusPort?: number;
  /** Same seed, same scenario, same start time → same story. Default 1. */
  seed?: number;
  /** Simulated ms per wall ms (60 runs an 8-hour shift in 8 minutes). Default 1. */
  timeScale?: number;
  /** node-opcua PKI folder. Default ./data/pki/sim. */
  pkiDir?: string;
  /** What the OPC UA server offers: modes, policies, users. Default: None + Basic256Sha256 Sign/SignAndEncrypt, anonymous. */
  opcuaSecurity?: OpcUaSecurity;
  /** OPC UA: also serve the standard OPC 40001-1 Machinery model (plc-sim/standard-machinery.ts). */
  opcuaStandardModel?: boolean;
  log?: (msg: string) => void;
  /** Machine behaviour and line flow; defaults derive from the plant's machine types. */
  scenario?: ScenarioConfig;
  /** Epoch ms at which the simulated clock starts. Default: wall-clock now. */
  startTime?: number;
  /** Faults active from the start (the CLI's --fault flags). */
  faults?: FaultSpec[];
  /** Wall ms between model advances and publishes. Default 100. */
  publishIntervalMs?: number;
  /**
   * Also serve the Modbus devices over RTU: on `path` (a serial device, e.g. an RS-485 adapter),
   * or, without a path, on one end of a socat pseudo-terminal pair (the other end is reported).
   */
  rtu?: { path?: string; baudRate?: number };
  /** Port of the HTTP control API (0 = a free one); omitted = no control API. */
  controlPort?: number;
  /** Wall clock in ms (monotonic); injectable for tests. Default performance.now. */
  wallClock?: () => number;
  /** Port of the utilities area's meter gateway (plc-sim/utilities.ts), served when the plant has `metering`; 0 = a free one. Default 5021 (0 when modbusPort is 0). */
  utilitiesPort?: number;
  /** Each Modbus TCP register block answered, with the simulated time it was read at (tests bound the edge's change stamps with it). */
  onModbusRead?: (read: { unitId: number; table: 'holding' | 'input'; address: number; at: number }) => void;
}

/** The simulated clock: epoch ms on the scaled time line, and how it relates to wall time. */
export interface SimClock {
  readonly startTime: number;
  readonly timeScale: number;
  /** Current simulated epoch ms (what the model has reached). */
  now(): number;
  /** The simulated instant that corresponds to a wall-clock epoch ms (Date.now() scale). */
  simAt(wallEpochMs: number): number;
}

export interface RunningSimulator {
  opcuaEndpoint: string;
  opcuaPort: number;
  modbusPort: number;
  /** Modbus RTU, when asked for: where the simulator listens and where a client connects (pty pair). */
  rtu: { path: string; clientPath: string | null; baudRate: number } | null;
  /** http://127.0.0.1:<port> of the control API, or null when not started. */
  controlUrl: string | null;
  /** The utilities area (meters, compressor, washer heater) and its ground truth; null without `metering` in the plant. */
  utilities: RunningUtilities | null;
  clock: SimClock;
  model: LineModel;
  /** The heat-treatment furnace and its emission analysers (plc-sim/furnace.ts), when the plant has one. */
  furnace: FurnaceModel | null;
  /** Current values of every machine as the model sees them (truth, not what the PLC publishes). */
  machines(): MachineSnapshot[];
  /** Ground truth for [from, to) on the simulated clock; defaults: from the start until now. */
  truth(from?: number, to?: number): GroundTruthReport;
  /** The value a client reads for `<machineId>.<tagName>` right now (after wraps, scaling and injected faults). */
  tagValue(key: string): number | boolean;
  /** Operator command straight into the model (as if written on the PLC panel). */
  command(machineId: string, command: MachineCommand): void;
  inject(spec: FaultSpec): ActiveFault;
  clearFault(id: number): boolean;
  clearFaults(): void;
  faults(): ActiveFault[];
  /** Advances the model to the current wall time and publishes it now (tests use it to avoid waiting a publish interval). */
  sync(): void;
  stop(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const { plant } = opts;
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? 1;
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
  const wall = opts.wallClock ?? (() => performance.now());
  const scenario = resolveScenario(plant, opts.scenario);
  // Date.now() is read once, here at the edge of the system, to anchor the simulated clock.
  const startEpoch = Date.now();
  const startTime = opts.startTime ?? startEpoch;
  const startWall = wall();
  const model = createLineModel({ plant, scenario, seed, startTime });
  const furnace = attachFurnace(model, { plant, seed, startTime });
  const image = new TagImage(plant, scenario.machines, startTime);
  image.update(model);
  const faults = new FaultRegistry();
  const command = (machineId: string, c: MachineCommand) => {
    model.command(machineId, c);
    image.update(model);
  };

  const hasOpcUa = plant.devices.some((d) => d.protocol === 'opcua');
  const hasModbus = plant.devices.some((d) => d.protocol === 'modbus-tcp');
  let modbus: RunningModbusTcp | undefined;
  let opcua: RunningOpcUa | undefined;
  let rtu: RunningModbusRtu | undefined;
  let pty: PtyPair | undefined;
  let utilities: RunningUtilities | undefined;
  const stopServers = async () => {
    await Promise.all([modbus?.close(), opcua?.close(), rtu?.close(), utilities?.close()]);
    await pty?.close();
  };
  try {
    if (hasModbus) {
      const units = buildModbusMap(plant, image);
      const onModbusRead = opts.onModbusRead;
      const onRead = onModbusRead && ((unitId: number, table: 'holding' | 'input', address: number) =>
        onModbusRead({ unitId, table, address, at: model.now() }));
      const vector = createModbusVector({ units, image, faults, command, log, onRead });
      modbus = await startModbusTcp(vector, opts.modbusPort ?? 5020, '0.0.0.0', log);
      log(`Modbus TCP server listening on port ${modbus.port} (unit ids ${[...units.keys()].join(', ')})`);
      if (opts.rtu) {
        const rtuVector = createModbusVector({ units, image, faults, command, log, unknownUnit: 'silent' });
        let path = opts.rtu.path;
        if (!path) {
          pty = await openPtyPair();
          path = pty.serverPath;
        }
        rtu = await startModbusRtu(rtuVector, path, opts.rtu.baudRate ?? 19200);
        log(`Modbus RTU server on ${path} at ${rtu.baudRate} baud, 8N1${pty ? `; clients connect to ${pty.clientPath}` : ''}`);
      }
    }
    if (hasOpcUa) {
      opcua = await startOpcUaServer({ plant, model, image, faults, port: opts.opcuaPort ?? 4840, pkiDir: opts.pkiDir ?? join('data', 'pki', 'sim'), security: opts.opcuaSecurity, command, log, standardModel: opts.opcuaStandardModel });
    }
    // A test that asks for a free Modbus port wants free ports throughout, not the demo's 5021.
    if (plant.metering) utilities = await startUtilities({ plant, startTime, port: opts.utilitiesPort ?? (opts.modbusPort === 0 ? 0 : 5021), faults, log });
  } catch (err) {
    await stopServers();
    throw err;
  }

  const advance = () => {
    model.advanceTo(startTime + (wall() - startWall) * timeScale);
    image.update(model);
    utilities?.model.advanceTo(model.now(), model.snapshot());
  };
  const timer = setInterval(advance, opts.publishIntervalMs ?? 100);

  // Fault injection: device faults steer the servers, tag faults the image, breakdowns the model.
  const expiries = new Map<number, NodeJS.Timeout>();
  const deviceIds = new Set(plant.devices.map((d) => d.id));
  const modbusDevices = new Set(plant.devices.filter((d) => d.protocol === 'modbus-tcp').map((d) => d.id));
  const tagsOf = (target: string) => {
    if (plant.machines.some((m) => m.id === target)) return image.tags.filter((t) => t.machine.id === target);
    return [image.get(target)];
  };
  const applyDeviceState = () => {
    const active = faults.list().map((f) => f.spec);
    const refusing = (ids: Set<string> | string[]) => active.some((s) => s.kind === 'drop' && [...ids].includes(s.device));
    modbus?.setRefusing(refusing(modbusDevices));
    opcua?.setRefusing(refusing(opcua.devices));
    opcua?.setSilent(active.some((s) => s.kind === 'silence' && opcua!.devices.includes(s.device)));
  };
  faults.onChange((change, fault) => {
    const s = fault.spec;
    if ('tag' in s) {
      for (const t of tagsOf(s.tag)) {
        if (change === 'removed') { delete t.override; continue; }
        if (s.kind === 'freeze') t.override = { kind: 'freeze', value: t.value };
        else if (s.kind === 'nan') t.override = { kind: 'nan', value: t.tag.type === 'bool' ? t.value : Number.NaN };
        else if (s.kind === 'out-of-range') t.override = { kind: 'out-of-range', value: outOfRange(t.tag) };
      }
      if (change === 'removed') image.update(model);
    }
    if (s.kind === 'drop' && change === 'added') {
      if (modbusDevices.has(s.device)) modbus?.dropConnections();
      if (opcua?.devices.includes(s.device)) opcua.dropConnections();
    }
    applyDeviceState();
  });

  const sim: RunningSimulator = {
    opcuaEndpoint: opcua?.endpoint ?? '',
    opcuaPort: opcua?.port ?? 0,
    modbusPort: modbus?.port ?? 0,
    controlUrl: null,
    utilities: utilities ?? null,
    rtu: rtu ? { path: rtu.path, clientPath: pty?.clientPath ?? null, baudRate: rtu.baudRate } : null,
    model,
    furnace,
    clock: {
      startTime, timeScale,
      now: () => model.now(),
      simAt: (wallEpochMs) => startTime + (wallEpochMs - startEpoch) * timeScale,
    },
    machines: () => model.snapshot(),
    tagValue: (key) => image.read(image.get(key)),
    truth: (from = startTime, to = model.now()) => model.truth.report(from, to, model.now(), { seed, scenario: scenario.name }),
    command,
    inject(raw) {
      const spec = FaultSpecSchema.parse(raw);
      if ('device' in spec && !deviceIds.has(spec.device)) throw new RangeError(`fault ${spec.kind}: no device "${spec.device}" (known: ${[...deviceIds].join(', ')})`);
      if (spec.kind === 'exception' && !modbusDevices.has(spec.device)) throw new RangeError(`fault exception: device "${spec.device}" is not a Modbus device`);
      if ('tag' in spec) tagsOf(spec.tag); // throws for unknown names
      if ('meter' in spec) checkMeterFault(spec, utilities);
      if (spec.kind === 'breakdown') model.injectBreakdown(spec.machine, spec.code, spec.minutes * 60_000);
      const fault = faults.add(spec, model.now());
      log(`fault injected #${fault.id}: ${JSON.stringify(spec)}`);
      // One-shot faults end as soon as they have acted, unless they were given a duration.
      const oneShot = spec.kind === 'breakdown' || (spec.kind === 'drop' && spec.durationMs === undefined);
      if (oneShot) faults.remove(fault.id);
      else if (spec.durationMs !== undefined) {
        expiries.set(fault.id, setTimeout(() => { expiries.delete(fault.id); faults.remove(fault.id); }, spec.durationMs));
      }
      image.update(model);
      return fault;
    },
    clearFault(id) {
      clearTimeout(expiries.get(id));
      expiries.delete(id);
      return faults.remove(id);
    },
    clearFaults() {
      for (const t of expiries.values()) clearTimeout(t);
      expiries.clear();
      faults.clear();
    },
    faults: () => faults.list(),
    sync: advance,
    async stop() {
      clearInterval(timer);
      sim.clearFaults();
      await control?.close();
      await stopServers();
      log('simulator stopped');
    },
  };
  let control: RunningControlApi | undefined;
  try {
    for (const spec of opts.faults ?? []) sim.inject(spec);
    if (opts.controlPort !== undefined) {
      control = await startControlApi(sim, opts.controlPort);
      sim.controlUrl = control.url;
      log(`control API listening on ${control.url} (GET /api lists the routes)`);
    }
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return sim;
}

function outOfRange(tag: PlantConfig['machines'][number]['tags'][number]): number {
  switch (tag.type) {
    case 'uint16': return 0xffff * (tag.modbus?.scale ?? 1);
    case 'int16': return 0x7fff * (tag.modbus?.scale ?? 1);
    case 'uint32': return 0xffffffff * (tag.modbus?.scale ?? 1);
    case 'int32': return 0x7fffffff;
    default: return tag.max !== undefined ? tag.max * 1000 : 1e9;
  }
}
