// The simulated utilities area: what feeds the line. A main power meter on the incomer,
// sub-meters on the line feeder and the compressor feeder (their sum a few percent below the
// incomer: building loads nobody metered and cable/transformer losses), a screw compressor
// whose load follows the line's air demand (and the leaks, which run all night), a gas-fired
// heater on the parts washer, a water meter, a compressed-air flow meter. Each meter sits on
// its own Modbus unit id of one gateway (its own TCP port), with a register map like the
// common DIN-rail meters (plc-sim/README.md § Utilities). Ground truth for everything.
import type { IServiceVector } from 'modbus-serial/ServerTCP.js';
import { isKnownMachineType, type MachineType, type PlantConfig } from '../shared/plant-schema.js';
import { toLocal } from '../shared/kpi/index.js';
import type { FaultRegistry, ActiveFault } from './fault-injection.js';
import type { MachineSnapshot } from './line-model.js';
import { MODBUS_EXCEPTION, startModbusTcp, type RunningModbusTcp } from './modbus-server.js';
import { encodeWords, type RegisterLayout } from './register-codec.js';
import type { MeterFaultSpec } from './utility-faults.js';

export const UTILITY_METERS = ['main', 'feeder-line', 'feeder-compressor', 'gas-washer', 'water-main', 'air-main'] as const;
export type UtilityMeterId = (typeof UTILITY_METERS)[number];

interface MeterSpec {
  unitId: number;
  medium: string;
  unit: string;
  /** What the register counts before it wraps; undefined for float registers. */
  rollover?: number;
  /** The registers: table, address, layout, and which quantity. */
  registers: Array<{ table: 'input' | 'holding'; address: number; layout: RegisterLayout; quantity: 'total' | 'rate' | 'voltage' }>;
  /** Unit of `rate` per hour → register unit (W per kW = 1000, m³/min per m³/h = 1/60). */
  rateFactor: number;
}

const f32 = (scale = 1): RegisterLayout => ({ type: 'float32', wordOrder: 'high-first', scale, offset: 0 });
const u32 = (scale: number): RegisterLayout => ({ type: 'uint32', wordOrder: 'high-first', scale, offset: 0 });

/** SDM630-style map: input registers, float32, high word first; power in W, energy in kWh. */
const powerMeter = (unitId: number): MeterSpec => ({
  unitId, medium: 'electricity', unit: 'kWh', rateFactor: 1000,
  registers: [
    { table: 'input', address: 0x0000, layout: f32(), quantity: 'voltage' },
    { table: 'input', address: 0x0034, layout: f32(), quantity: 'rate' },
    { table: 'input', address: 0x0048, layout: f32(), quantity: 'total' },
    { table: 'input', address: 0x0156, layout: f32(), quantity: 'total' },
  ],
});

export const METER_SPECS: Record<UtilityMeterId, MeterSpec> = {
  main: powerMeter(1),
  'feeder-line': powerMeter(2),
  'feeder-compressor': powerMeter(3),
  // Pulse-counter gas meter behind a converter: 0.01 m³ steps in a uint32 that wraps at 100,000 m³.
  'gas-washer': {
    unitId: 4, medium: 'natural-gas', unit: 'm3', rollover: 100_000, rateFactor: 1,
    registers: [
      { table: 'holding', address: 0, layout: u32(0.01), quantity: 'total' },
      { table: 'holding', address: 2, layout: f32(), quantity: 'rate' },
    ],
  },
  // Tenths of a litre in a uint32 that wraps at 10⁹ = 100,000 m³; flow in m³/h.
  'water-main': {
    unitId: 5, medium: 'water', unit: 'm3', rollover: 100_000, rateFactor: 1,
    registers: [
      { table: 'holding', address: 0, layout: u32(0.0001), quantity: 'total' },
      { table: 'holding', address: 2, layout: f32(), quantity: 'rate' },
    ],
  },
  // Thermal-mass air flow meter: total m³ (float32), flow m³/min.
  'air-main': {
    unitId: 6, medium: 'compressed-air', unit: 'm3', rateFactor: 1 / 60,
    registers: [
      { table: 'holding', address: 0, layout: f32(), quantity: 'total' },
      { table: 'holding', address: 2, layout: f32(), quantity: 'rate' },
    ],
  },
};

/** The area's physics, as documented in docs/sim.md § Utilities. */
export const UTILITY_MODEL = {
  /** Control cabinets, conveyor drives' standby and cell lighting on the line feeder, kW. */
  lineAuxKW: 0.6,
  /** Offices, lighting, HVAC: on the incomer but on no sub-meter, kW by day (06–22 local) and night. */
  unmeteredDayKW: 1.8,
  unmeteredNightKW: 0.8,
  /** Cable and transformer losses as a share of what the incomer delivers downstream. */
  lossShare: 0.015,
  /** Free air delivery of the screw compressor, m³/min, and its power fully loaded / unloaded, kW. */
  compressorCapacity: 3.6,
  compressorFullKW: 22,
  compressorUnloadedKW: 6.5,
  /** Leaks (m³/min): the compressor runs all night for them. */
  leaksM3PerMin: 0.45,
  /** Air use of a running machine, m³/min, by type. */
  airUse: { robot: 0.25, cnc: 0.6, washer: 0.5, conveyor: 0.05, inspection: 0.15, packing: 0.4 } as Partial<Record<MachineType, number>>,
  /** Washer heater gas, m³/h: heating a running bath, holding temperature, and off-shift. */
  gasRunningM3h: 4.2,
  gasHoldingM3h: 1.6,
  gasOffM3h: 0.2,
  /** Washer make-up water while running, and the site's own, m³/h. */
  waterWasherM3h: 0.3,
  waterSiteM3h: 0.05,
} as const;

export interface MeterTruth {
  medium: string;
  unit: string;
  /** Consumption through the meter since the simulator started (what really flowed). */
  consumption: number;
  /** Rate over the last step, in the meter's unit per hour. */
  ratePerHour: number;
  /** What the total register shows now. */
  registerTotal: number;
}

export interface UtilitiesTruth {
  at: number;
  meters: Record<UtilityMeterId, MeterTruth>;
  /** Electricity through the incomer that no sub-meter saw, split into its two causes, kWh. */
  electricity: { unmeteredLoadsKWh: number; lossesKWh: number };
}

interface MeterSim {
  spec: MeterSpec;
  consumption: number;
  /** What the register counts (before its wrap); resets and rollovers act on this only. */
  counted: number;
  ratePerHour: number;
  /** Register values while stuck. */
  frozen: { total: number; rate: number } | null;
}

export interface UtilitiesModel {
  advanceTo(t: number, machines: readonly MachineSnapshot[]): void;
  truth(): UtilitiesTruth;
  /** Value of a quantity as the meter's registers show it (after faults and wraps). */
  shown(meter: UtilityMeterId, quantity: 'total' | 'rate' | 'voltage'): number;
  applyFault(change: 'added' | 'removed', spec: MeterFaultSpec): void;
}

/** `initialTotals` are the registers' readings at the start (meters were installed long ago). */
export function createUtilitiesModel(plant: PlantConfig, startTime: number, initialTotals: Partial<Record<UtilityMeterId, number>> = {}): UtilitiesModel {
  const M = UTILITY_MODEL;
  const types = new Map(plant.machines.map((m) => [m.id, m.type]));
  const washer = plant.machines.find((m) => m.type === 'washer')?.id;
  const defaults: Record<UtilityMeterId, number> = { main: 182_455.3, 'feeder-line': 96_210.8, 'feeder-compressor': 61_034.1, 'gas-washer': 12_345.67, 'water-main': 3_210.5, 'air-main': 510_233 };
  const meters = Object.fromEntries(
    UTILITY_METERS.map((id) => [id, { spec: METER_SPECS[id], consumption: 0, counted: initialTotals[id] ?? defaults[id], ratePerHour: 0, frozen: null } satisfies MeterSim]),
  ) as Record<UtilityMeterId, MeterSim>;
  let at = startTime;
  let unmeteredLoadsKWh = 0;
  let lossesKWh = 0;
  const lastMachineKWh = new Map<string, number>();

  const book = (m: MeterSim, units: number, hours: number) => {
    m.consumption += units;
    m.counted += units;
    m.ratePerHour = hours > 0 ? units / hours : 0;
  };
  const wrapped = (m: MeterSim): number => (m.spec.rollover ? m.counted % m.spec.rollover : m.counted);

  return {
    advanceTo(t, machines) {
      const hours = (t - at) / 3_600_000;
      let lineKWh = 0;
      let airDemand = M.leaksM3PerMin;
      let washerState: MachineSnapshot['state'] | undefined;
      for (const m of machines) {
        const prev = lastMachineKWh.get(m.id);
        lastMachineKWh.set(m.id, m.energyKWh);
        if (prev !== undefined && m.energyKWh >= prev) lineKWh += m.energyKWh - prev;
        const type = types.get(m.id);
        if (type && m.state === 'running') airDemand += (isKnownMachineType(type) ? M.airUse[type] : undefined) ?? 0;
        if (m.id === washer) washerState = m.state;
      }
      if (hours <= 0) return;
      at = t;
      const local = toLocal(t, plant.site.timezone);
      const day = local.hour >= 6 && local.hour < 22;
      const delivered = Math.min(airDemand, M.compressorCapacity);
      const compressorKW = M.compressorUnloadedKW + (M.compressorFullKW - M.compressorUnloadedKW) * (delivered / M.compressorCapacity);
      const lineFeederKWh = lineKWh + M.lineAuxKW * hours;
      const compressorKWh = compressorKW * hours;
      const unmetered = (day ? M.unmeteredDayKW : M.unmeteredNightKW) * hours;
      const downstream = lineFeederKWh + compressorKWh + unmetered;
      const losses = downstream * M.lossShare;
      unmeteredLoadsKWh += unmetered;
      lossesKWh += losses;
      book(meters['feeder-line'], lineFeederKWh, hours);
      book(meters['feeder-compressor'], compressorKWh, hours);
      book(meters.main, downstream + losses, hours);
      book(meters['air-main'], delivered * 60 * hours, hours);
      const gas = washerState === 'running' ? M.gasRunningM3h : washerState === 'planned-stop' || washerState === undefined ? M.gasOffM3h : M.gasHoldingM3h;
      book(meters['gas-washer'], gas * hours, hours);
      book(meters['water-main'], ((washerState === 'running' ? M.waterWasherM3h : 0) + M.waterSiteM3h) * hours, hours);
    },
    truth() {
      const out = {} as Record<UtilityMeterId, MeterTruth>;
      for (const id of UTILITY_METERS) {
        const m = meters[id];
        out[id] = { medium: m.spec.medium, unit: m.spec.unit, consumption: m.consumption, ratePerHour: m.ratePerHour, registerTotal: this.shown(id, 'total') };
      }
      return { at, meters: out, electricity: { unmeteredLoadsKWh, lossesKWh } };
    },
    shown(id, quantity) {
      const m = meters[id];
      if (quantity === 'voltage') return 230 + ((at / 1000) % 7) * 0.1;
      if (quantity === 'total') return m.frozen ? m.frozen.total : wrapped(m);
      return (m.frozen ? m.frozen.rate : m.ratePerHour) * m.spec.rateFactor;
    },
    applyFault(change, spec) {
      const m = meters[spec.meter as UtilityMeterId];
      if (spec.kind === 'meter-stuck') m.frozen = change === 'added' ? { total: wrapped(m), rate: m.ratePerHour } : null;
      if (change !== 'added') return;
      if (spec.kind === 'meter-reset') m.counted = 0;
      if (spec.kind === 'meter-rollover' && m.spec.rollover) {
        m.counted = Math.floor(m.counted / m.spec.rollover) * m.spec.rollover + m.spec.rollover - spec.unitsBeforeWrap;
      }
    },
  };
}

/** Answers Modbus requests for every meter's unit id from the model's shown values. */
export function createUtilitiesVector(model: UtilitiesModel): IServiceVector {
  const byUnit = new Map(UTILITY_METERS.map((id) => [METER_SPECS[id].unitId, id]));
  type Cb<T> = (err: Error | null, value?: T) => void;
  const fail = (code: number, message: string) => Object.assign(new Error(message), { modbusErrorCode: code });
  const word = (unitID: number, table: 'input' | 'holding', address: number): number => {
    const id = byUnit.get(unitID);
    if (!id) throw fail(MODBUS_EXCEPTION.gatewayTargetFailed, `no meter on unit ${unitID}`);
    for (const r of METER_SPECS[id].registers) {
      if (r.table !== table || address < r.address || address >= r.address + 2) continue;
      return encodeWords(model.shown(id, r.quantity), r.layout)[address - r.address]!;
    }
    // Meters answer unmapped addresses in their map's range with 0, like most DIN-rail meters.
    if (address < 0x200) return 0;
    throw fail(MODBUS_EXCEPTION.illegalDataAddress, `address ${address} is outside the meter's map`);
  };
  const many = (table: 'input' | 'holding') => (addr: number, length: number, unitID: number, cb: Cb<number[]>) => {
    try {
      cb(null, Array.from({ length }, (_, i) => word(unitID, table, addr + i)));
    } catch (err) {
      cb(err as Error);
    }
  };
  const readOnly = (_a: number, _v: unknown, _u: number, cb: Cb<void>) => cb(fail(MODBUS_EXCEPTION.illegalFunction, 'meters are read-only'));
  return {
    getInputRegister: (addr: number, unitID: number, cb: Cb<number>) => many('input')(addr, 1, unitID, (e, v) => cb(e, v?.[0])),
    getHoldingRegister: (addr: number, unitID: number, cb: Cb<number>) => many('holding')(addr, 1, unitID, (e, v) => cb(e, v?.[0])),
    getMultipleInputRegisters: many('input'),
    getMultipleHoldingRegisters: many('holding'),
    setRegister: readOnly,
    setCoil: readOnly,
  } as IServiceVector;
}

export interface RunningUtilities {
  port: number;
  model: UtilitiesModel;
  truth(): UtilitiesTruth;
  close(): Promise<void>;
}

/**
 * Starts the utilities gateway on `port` (0 = a free one) and follows the fault registry's
 * meter faults. The caller advances `model` with the line model's snapshot.
 */
export async function startUtilities(o: {
  plant: PlantConfig;
  startTime: number;
  port: number;
  faults: FaultRegistry;
  log: (m: string) => void;
  initialTotals?: Partial<Record<UtilityMeterId, number>>;
}): Promise<RunningUtilities> {
  const model = createUtilitiesModel(o.plant, o.startTime, o.initialTotals);
  const unsubscribe = o.faults.onChange((change: 'added' | 'removed', fault: ActiveFault) => {
    const s = fault.spec;
    if (s.kind === 'meter-stuck' || s.kind === 'meter-reset' || s.kind === 'meter-rollover') model.applyFault(change, s);
  });
  let server: RunningModbusTcp;
  try {
    server = await startModbusTcp(createUtilitiesVector(model), o.port, '0.0.0.0', o.log);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  o.log(`utilities gateway (Modbus TCP) on port ${server.port}: ${UTILITY_METERS.map((id) => `${id} unit ${METER_SPECS[id].unitId}`).join(', ')}`);
  return {
    port: server.port,
    model,
    truth: () => model.truth(),
    async close() {
      unsubscribe();
      await server.close();
    },
  };
}

/** Rejects a meter fault for a meter the area does not have, naming the ones it has. */
export function checkMeterFault(spec: { kind: string; meter: string }, utilities: RunningUtilities | undefined): void {
  if (!utilities) throw new RangeError(`fault ${spec.kind}: the simulator has no utilities area (the plant file has no metering section)`);
  if (!(UTILITY_METERS as readonly string[]).includes(spec.meter)) {
    throw new RangeError(`fault ${spec.kind}: no utility meter "${spec.meter}" (known: ${UTILITY_METERS.join(', ')})`);
  }
  if (spec.kind === 'meter-rollover' && !METER_SPECS[spec.meter as UtilityMeterId].rollover) {
    throw new RangeError(`fault meter-rollover: meter ${spec.meter} has a float total that does not roll over; use ${UTILITY_METERS.filter((x) => METER_SPECS[x].rollover).join(' or ')}`);
  }
}
