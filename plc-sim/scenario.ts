// The scenario: how each machine of a plant behaves (cycle variance, scrap, stops, wear,
// power, signals) and how the line flows (products, order size, buffers). The plant file
// says WHAT the PLCs expose; the scenario says what the simulated machines DO. Every
// field has a default derived from the machine type, so a plant alone is a valid scenario.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { isKnownMachineType, type MachineConfig, type MachineType, type PlantConfig } from '../shared/plant-schema.js';

const FaultSchema = z.strictObject({
  code: z.number().int().min(1).max(65535),
  description: z.string().min(1),
});

export const BreakdownSchema = FaultSchema.extend({
  /** Mean running time between failures of this kind (exponential). */
  mtbfMinutes: z.number().positive(),
  /** Mean time to repair (log-normal, right-skewed like real repairs). */
  mttrMinutes: z.number().positive(),
  mttrCv: z.number().min(0).max(3).default(0.5),
});

export const MicroStopSchema = FaultSchema.extend({
  probabilityPerCycle: z.number().min(0).max(1),
  meanSeconds: z.number().positive(),
  /** Micro-stops are short by definition: longer draws are cut to this. */
  maxSeconds: z.number().positive(),
});

/** Wear that shows in a signal before it breaks the machine (something for predictive diagnosis to find). */
export const WearSchema = FaultSchema.extend({
  /** Mean running hours from a repair to the wear breakdown (normal, cv 0.15). */
  lifeHours: z.number().positive(),
  /** Fraction of the life after which the drift becomes visible. */
  driftStartsAt: z.number().min(0).max(1).default(0.6),
  mttrMinutes: z.number().positive(),
});

export const PowerSchema = z.strictObject({
  running: z.number().min(0),
  idle: z.number().min(0),
  down: z.number().min(0),
  setup: z.number().min(0),
  plannedStop: z.number().min(0),
  /** Relative noise (standard deviation as a fraction of the level). */
  noise: z.number().min(0).max(0.5).default(0.03),
});

/** A process signal (temperature, vibration, speed) that follows the machine's state with a lag. */
export const SignalSchema = z.strictObject({
  /** Level when the machine is not running (ambient, standstill). */
  base: z.number(),
  /** Level when running steadily. */
  running: z.number(),
  /** Added at full wear (only grows after the wear drift starts). */
  wearGain: z.number().default(0),
  tauSeconds: z.number().positive().default(60),
  noise: z.number().min(0).default(0),
});

/** What a scenario may say about one machine; anything omitted comes from the machine type's defaults. */
export const MachineBehaviourSchema = z.strictObject({
  /** Actual cycle ≈ ideal × product factor × 100/speed × (1 + slowdown), with this coefficient of variation. */
  cycleTimeCv: z.number().min(0).max(1).optional(),
  slowdown: z.number().min(0).max(2).optional(),
  scrapRate: z.number().min(0).max(1).optional(),
  microStop: MicroStopSchema.nullable().optional(),
  breakdowns: z.array(BreakdownSchema).optional(),
  wear: WearSchema.nullable().optional(),
  changeoverMinutes: z.number().min(0).optional(),
  power: PowerSchema.optional(),
  /** Keyed by the plant tag name of a `process` tag; merged with the defaults by name. */
  signals: z.record(z.string(), SignalSchema).optional(),
  /** The operator zeroes the part counters when a shift starts. */
  counterResetAtShiftChange: z.boolean().optional(),
  /** Start values, e.g. just under a wrap, so tests see counters and meters wrap. */
  initialTotalCount: z.number().int().min(0).optional(),
  initialGoodCount: z.number().int().min(0).optional(),
  initialEnergyKWh: z.number().min(0).optional(),
  /** Meter range for meters that are not integers on the wire (OPC UA Double); integer registers wrap at their size. */
  energyWrapKWh: z.number().positive().optional(),
  speedOverride: z.number().int().min(1).max(200).optional(),
});
export type MachineBehaviourInput = z.input<typeof MachineBehaviourSchema>;

export interface ResolvedBehaviour {
  cycleTimeCv: number;
  slowdown: number;
  scrapRate: number;
  microStop: z.infer<typeof MicroStopSchema> | null;
  breakdowns: z.infer<typeof BreakdownSchema>[];
  wear: z.infer<typeof WearSchema> | null;
  changeoverMinutes: number;
  power: z.infer<typeof PowerSchema>;
  signals: Record<string, z.infer<typeof SignalSchema>>;
  counterResetAtShiftChange: boolean;
  initialTotalCount: number;
  initialGoodCount: number;
  initialEnergyKWh: number;
  energyWrapKWh: number | null;
  speedOverride: number;
}

export const ProductSchema = z.strictObject({
  id: z.string().min(1),
  /** Ideal cycle time of this product relative to the machine's idealCycleTimeSeconds. */
  cycleTimeFactor: z.number().positive().default(1),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().default('default'),
  description: z.string().optional(),
  /** Simulation tick in simulated ms: random draws happen per tick, so it is part of the seed's story. */
  tickMs: z.number().int().min(10).max(5000).default(250),
  line: z.strictObject({
    products: z.array(ProductSchema).min(1).default([{ id: 'A', cycleTimeFactor: 1 }]),
    /** Parts per order; the next order is the next product, which means a changeover. */
    orderSize: z.number().int().min(1).default(200),
    /** Capacity of the buffer after each machine (by machine id); the last machine feeds an unlimited sink. */
    buffers: z.record(z.string(), z.number().int().min(0)).default({}),
    defaultBufferCapacity: z.number().int().min(0).default(5),
    /** Fraction of each buffer filled at start so every station can work at once. */
    initialBufferFill: z.number().min(0).max(1).default(0.5),
  }).default({ products: [{ id: 'A', cycleTimeFactor: 1 }], orderSize: 200, buffers: {}, defaultBufferCapacity: 5, initialBufferFill: 0.5 }),
  machines: z.record(z.string(), MachineBehaviourSchema).default({}),
});
export type ScenarioConfig = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/** Typical power draw by machine type (kW). Idle is not zero: hydraulics, coolant, PCs stay on. */
const TYPE_POWER: Record<MachineType, z.infer<typeof PowerSchema>> = {
  robot: { running: 3.2, idle: 0.9, down: 0.5, setup: 1.0, plannedStop: 0.3, noise: 0.04 },
  cnc: { running: 14.5, idle: 4.2, down: 2.0, setup: 3.0, plannedStop: 1.2, noise: 0.05 },
  washer: { running: 9.0, idle: 6.5, down: 1.5, setup: 2.0, plannedStop: 4.0, noise: 0.03 },
  conveyor: { running: 1.5, idle: 0.4, down: 0.2, setup: 0.3, plannedStop: 0.1, noise: 0.03 },
  inspection: { running: 0.8, idle: 0.6, down: 0.4, setup: 0.5, plannedStop: 0.3, noise: 0.02 },
  packing: { running: 4.0, idle: 1.1, down: 0.6, setup: 1.2, plannedStop: 0.4, noise: 0.04 },
  // Electric heating elements and fans; the gas burner's flue gas is plc-sim/furnace.ts.
  furnace: { running: 38.0, idle: 22.0, down: 3.0, setup: 12.0, plannedStop: 18.0, noise: 0.03 },
};

const TYPE_FAULTS: Record<MachineType, { code: number; description: string }[]> = {
  robot: [{ code: 201, description: 'gripper vacuum lost' }, { code: 202, description: 'axis 2 following error' }],
  cnc: [{ code: 301, description: 'tool breakage detected' }, { code: 302, description: 'coolant pressure low' }],
  washer: [{ code: 401, description: 'pump overload' }, { code: 402, description: 'bath level low' }],
  conveyor: [{ code: 501, description: 'belt drive overload' }],
  inspection: [{ code: 601, description: 'camera trigger timeout' }],
  packing: [{ code: 701, description: 'carton magazine empty' }, { code: 702, description: 'sealer temperature fault' }],
  furnace: [{ code: 801, description: 'burner flame failure' }, { code: 802, description: 'quench oil over-temperature' }],
};

/** A machine of a type the simulator has no figures for (any plant-file type, issue 21): a mid-size machine. */
const GENERIC_POWER: z.infer<typeof PowerSchema> = { running: 7.5, idle: 2.0, down: 1.0, setup: 1.5, plannedStop: 0.6, noise: 0.04 };
const GENERIC_FAULTS = [{ code: 1001, description: 'drive fault' }, { code: 1002, description: 'safety circuit open' }];
const typePower = (type: string) => (isKnownMachineType(type) ? TYPE_POWER[type] : GENERIC_POWER);
const typeFaults = (type: string) => (isKnownMachineType(type) ? TYPE_FAULTS[type] : GENERIC_FAULTS);

function defaultSignal(tagName: string, type: string): z.infer<typeof SignalSchema> | undefined {
  const n = tagName.toLowerCase();
  const sig = (base: number, running: number, wearGain: number, tauSeconds: number, noise: number) => ({ base, running, wearGain, tauSeconds, noise });
  if (n.includes('vibration')) return sig(0.4, 2.2, 4.5, 20, 0.08);
  if (n.includes('speed')) return type === 'cnc' ? sig(0, 12000, 0, 2, 15) : sig(0, 1500, 0, 2, 2);
  if (n.includes('water') || n.includes('bath')) return sig(58, 62, 0, 300, 0.1);
  if (n.includes('temperature')) return sig(24, type === 'inspection' ? 34 : 46, 18, 240, 0.15);
  return undefined;
}

/** Behaviour a machine gets when the scenario says nothing about it. */
export function defaultBehaviour(machine: MachineConfig): ResolvedBehaviour {
  const faults = typeFaults(machine.type);
  const signals: Record<string, z.infer<typeof SignalSchema>> = {};
  for (const tag of machine.tags) {
    if (tag.role !== 'process') continue;
    const s = defaultSignal(tag.name, machine.type);
    if (s) signals[tag.name] = s;
  }
  const hasWearSignal = Object.values(signals).some((s) => s.wearGain > 0);
  return {
    cycleTimeCv: 0.04,
    slowdown: 0.05,
    scrapRate: machine.type === 'inspection' ? 0.03 : 0.008,
    // A belt furnace has no part chute to jam: its stops are breakdowns (burner, quench).
    microStop: machine.type === 'furnace' ? null : { code: 101, description: 'part jammed', probabilityPerCycle: 0.02, meanSeconds: 25, maxSeconds: 120 },
    breakdowns: faults.map((f, i) => ({ ...f, mtbfMinutes: 150 + 90 * i, mttrMinutes: 6 + 3 * i, mttrCv: 0.5 })),
    wear: hasWearSignal
      ? { code: 900 + (faults[0]!.code % 100), description: 'bearing wear: over-temperature', lifeHours: 10, driftStartsAt: 0.6, mttrMinutes: 25 }
      : null,
    changeoverMinutes: machine.type === 'cnc' ? 15 : 6,
    power: typePower(machine.type),
    signals,
    counterResetAtShiftChange: false,
    initialTotalCount: 0,
    initialGoodCount: 0,
    initialEnergyKWh: 0,
    energyWrapKWh: null,
    speedOverride: 100,
  };
}

export interface ResolvedScenario {
  name: string;
  tickMs: number;
  line: ScenarioConfig['line'];
  machines: Map<string, ResolvedBehaviour>;
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/**
 * Lays the scenario over the plant: per machine, what the scenario says wins over the type
 * defaults (signals merge by tag name). Machine or tag names that are not in the plant are
 * errors, because a typo there would silently simulate the default.
 */
export function resolveScenario(plant: PlantConfig, scenario?: ScenarioConfig, file = '(scenario)'): ResolvedScenario {
  const config = scenario ?? ScenarioSchema.parse({});
  const machineIds = new Set(plant.machines.map((m) => m.id));
  const known = [...machineIds].join(', ');
  for (const id of Object.keys(config.machines)) {
    if (!machineIds.has(id)) throw new ScenarioError(`${file}: machines.${id}: no machine "${id}" in the plant (known: ${known})`);
  }
  for (const id of Object.keys(config.line.buffers)) {
    if (!machineIds.has(id)) throw new ScenarioError(`${file}: line.buffers.${id}: no machine "${id}" in the plant (known: ${known})`);
  }
  const machines = new Map<string, ResolvedBehaviour>();
  for (const machine of plant.machines) {
    const defaults = defaultBehaviour(machine);
    const given = config.machines[machine.id] ?? {};
    const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<ResolvedBehaviour>;
    const merged: ResolvedBehaviour = { ...defaults, ...defined, signals: { ...defaults.signals, ...(given.signals ?? {}) } };
    for (const name of Object.keys(merged.signals)) {
      if (!machine.tags.some((t) => t.name === name)) {
        throw new ScenarioError(`${file}: machines.${machine.id}.signals.${name}: machine "${machine.id}" has no tag "${name}"`);
      }
    }
    machines.set(machine.id, merged);
  }
  return { name: config.name, tickMs: config.tickMs, line: config.line, machines };
}

/** Validates a parsed scenario document; `file` names it in errors. */
export function parseScenario(document: unknown, file: string): ScenarioConfig {
  const result = ScenarioSchema.safeParse(document ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${file}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new ScenarioError(`invalid scenario file ${file}:\n${lines.join('\n')}\nFix the field(s) above and start again.`);
  }
  return result.data;
}

/** Reads and validates a scenario YAML file; errors name the file and the field. */
export async function loadScenarioFile(file: string): Promise<ScenarioConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read scenario file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Pass an existing file with --scenario.`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ScenarioError(`scenario file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseScenario(doc, file);
}
