// A gas-fired heat-treatment furnace beside the line, with a stack (CEMS) and a wastewater outlet
// (quench rinse water) — the emission source of issue 18. Its burner load follows the line: it
// holds temperature when the line stands and fires harder the more of the line is running.
// The analysers behave like a plant's: daily zero/span calibration, weekly maintenance, faults
// (random and injected), drift between calibrations, and exceedances on demand. Everything the
// analysers publish is also kept as ground truth: minute, hour and day values by the same
// HJ 75 rules the edge uses (shared/emissions), plus the undrifted truth for comparison.
// Pure and synchronous on the simulated clock, like the line model; attached by one hook in
// plc-sim/simulator.ts (attachFurnace), which folds its readings into the furnace machine's signals.
import type { PlantConfig } from '../shared/plant-schema.js';
import type { OutletConfig } from '../shared/emission-schema.js';
import { convertedConcentration, dryStandardFlow, emissionRateKgH, flowFromVelocity } from '../shared/emissions/index.js';
import { DAY_RULE, HOUR_RULE, periodValue, type FlaggedPart, type PeriodValue } from '../shared/emissions/index.js';
import { isValidFlag, periodFlag, type DataFlag } from '../shared/emissions/index.js';
import type { LineModel, MachineSnapshot } from './line-model.js';
import { createPrng, type Prng } from './prng.js';

/** Analyser status register values (the plant file's default statusCodes). */
export const ANALYSER_STATUS: Record<'normal' | 'calibration' | 'maintenance' | 'fault', number> = { normal: 0, calibration: 1, maintenance: 2, fault: 3 };
const FLAG_OF_STATUS: Record<number, DataFlag> = { 0: 'N', 1: 'C', 2: 'M', 3: 'D' };

export type FurnaceInjection =
  /** The factor's true concentration is multiplied by `factor` for `minutes` (simulated). */
  | { kind: 'exceedance'; outlet: string; code: string; factor: number; minutes: number }
  /** The outlet's analysers fail (status fault, readings frozen) for `minutes`. */
  | { kind: 'analyser-fault'; outlet: string; minutes: number }
  /** Maintenance on the outlet's analysers now, for `minutes`. */
  | { kind: 'maintenance'; outlet: string; minutes: number }
  /** The factor's reading drifts by `percentPerHour` until the next calibration. */
  | { kind: 'drift'; outlet: string; code: string; percentPerHour: number };

/** One minute of one factor as the analyser reported it (reported) and as it was (true). */
export interface TruthMinute {
  start: number;
  avg: number | null;
  /** Flue-gas pollutants: converted concentration at the reference O2. */
  zsAvg: number | null;
  trueAvg: number;
  /** Mass this minute from the reported values (kg; m³ for flows). */
  cou: number | null;
  flag: DataFlag;
  validSeconds: number;
}

export interface FurnaceTruth {
  minutes(outlet: string, code: string, from?: number, to?: number): TruthMinute[];
  /** The hour starting at `start` by HJ 75 rules over the reported minutes. */
  hour(outlet: string, code: string, start: number): PeriodValue & { zsAvg: number | null };
  day(outlet: string, code: string, start: number, hourStarts: number[]): PeriodValue;
}

export interface FurnaceModel {
  readonly machineId: string;
  readonly outlets: readonly OutletConfig[];
  /** Burner load 0–1 right now. */
  load(): number;
  inject(injection: FurnaceInjection): void;
  /** Published analyser readings by tag name. */
  signals(): Record<string, number>;
  truth: FurnaceTruth;
}

/** Per-factor process: value = base + span × load, first-order lag `tauS`, relative noise. */
interface Process { base: number; span: number; tauS: number; noise: number }

/** What the process does, by factor role or code; values in the units the plant file gives. */
const PROCESS: Record<string, Process> = {
  a21026: { base: 12, span: 28, tauS: 90, noise: 0.02 },   // SO2 mg/m³ dry
  a21002: { base: 70, span: 110, tauS: 60, noise: 0.02 },  // NOx mg/m³ dry
  a34013: { base: 2.5, span: 4.5, tauS: 120, noise: 0.04 },// particulate mg/m³ dry
  a19001: { base: 14, span: -4, tauS: 45, noise: 0.01 },   // O2 % dry: more excess air at low fire
  a00000: { base: 5200, span: 6800, tauS: 30, noise: 0.01 },// flue gas m³/h actual
  a01011: { base: 5.2, span: 6.8, tauS: 30, noise: 0.01 }, // velocity m/s
  a01012: { base: 150, span: 70, tauS: 180, noise: 0.005 },// temperature °C
  a01013: { base: -280, span: -120, tauS: 30, noise: 0.01 },// static pressure Pa
  a01014: { base: 6, span: 4, tauS: 120, noise: 0.01 },    // moisture %
  w01018: { base: 55, span: 45, tauS: 600, noise: 0.02 },  // COD mg/L
  w21003: { base: 2.5, span: 2.5, tauS: 600, noise: 0.03 },// NH3-N mg/L
  w21011: { base: 0.35, span: 0.3, tauS: 600, noise: 0.03 },// total phosphorus mg/L
  w01001: { base: 7.6, span: -0.4, tauS: 300, noise: 0.003 },// pH
  w00000: { base: 1.8, span: 4.2, tauS: 60, noise: 0.02 }, // wastewater m³/h
};

interface FactorSim {
  outlet: OutletConfig;
  code: string;
  tag: string;
  role: string;
  process: Process;
  trueValue: number;
  reading: number;
  drift: number;
  driftPerHour: number;
  exceed: { factor: number; until: number } | null;
  minute: MinuteAcc;
  history: TruthMinute[];
}

interface MinuteAcc { start: number; sum: number; zsSum: number; zsN: number; trueSum: number; n: number; couRate: number; statuses: Map<DataFlag, number> }

interface OutletSim {
  config: OutletConfig;
  prng: Prng;
  status: number;
  statusUntil: number;
  nextFaultAt: number;
  /** The status published last (what the status tag reads). */
  lastStatus: number;
  factors: FactorSim[];
}

/** Daily calibration: CEMS zero/span at 03:00 local for 8 min; the water analysers at 04:00 for 30 min. */
const CALIBRATION = { 'flue-gas': { hour: 3, minutes: 8 }, wastewater: { hour: 4, minutes: 30 } } as const;
/** Weekly maintenance of the CEMS: Wednesday 10:00 local, 40 minutes. */
const MAINTENANCE = { weekday: 3, hour: 10, minutes: 40 };
/** Random analyser faults: mean time between faults, and how long one lasts. */
const FAULT_MTBF_MS = 5 * 24 * 3_600_000;
const FAULT_MINUTES = 25;
/** Minutes of truth kept per factor: eight days. */
const KEEP_MINUTES = 8 * 24 * 60;

export interface FurnaceOptions {
  plant: PlantConfig;
  seed: number;
  startTime: number;
}

/** Builds the furnace for the plant's furnace machine and its emission outlets; null when the plant has none. */
export function createFurnace(options: FurnaceOptions): FurnaceModel & { advance(t: number, lineLoad: number, furnaceRunning: boolean): void } | null {
  const { plant } = options;
  const machine = plant.machines.find((m) => m.type === 'furnace');
  const outlets = (plant.emissions?.outlets ?? []).filter((o) => o.machine === machine?.id);
  if (!machine || !outlets.length) return null;
  const root = createPrng(options.seed).fork('furnace');
  const offsetMs = utcOffsetMs(plant.site.timezone, options.startTime);
  let clock = Math.floor(options.startTime / 1000) * 1000;
  let load = 0.4;

  const sims: OutletSim[] = outlets.map((o) => {
    const prng = root.fork(o.id);
    return {
      config: o, prng, status: ANALYSER_STATUS.normal, statusUntil: 0,
      nextFaultAt: clock + prng.exponential(FAULT_MTBF_MS),
      lastStatus: ANALYSER_STATUS.normal,
      factors: o.factors.map((f) => {
        const process = PROCESS[f.code] ?? { base: 10, span: 10, tauS: 60, noise: 0.02 };
        const v = process.base + process.span * load;
        return {
          outlet: o, code: f.code, tag: f.tag, role: f.role, process, trueValue: v, reading: v, drift: 0,
          driftPerHour: f.code === 'a21026' || f.code === 'a21002' ? 0.004 : 0, exceed: null,
          minute: newMinute(minuteStart(clock)), history: [],
        };
      }),
    };
  });
  const outletSim = (id: string) => {
    const s = sims.find((o) => o.config.id === id);
    if (!s) throw new RangeError(`no emission outlet "${id}" on the furnace (known: ${sims.map((o) => o.config.id).join(', ')})`);
    return s;
  };
  const factorSim = (outlet: string, code: string) => {
    const f = outletSim(outlet).factors.find((x) => x.code === code);
    if (!f) throw new RangeError(`outlet "${outlet}" has no factor ${code}`);
    return f;
  };

  function scheduledStatus(o: OutletSim, t: number): number {
    const local = new Date(t + offsetMs);
    const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
    const cal = CALIBRATION[o.config.kind];
    if (minuteOfDay >= cal.hour * 60 && minuteOfDay < cal.hour * 60 + cal.minutes) return ANALYSER_STATUS.calibration;
    if (o.config.kind === 'flue-gas' && local.getUTCDay() === MAINTENANCE.weekday
      && minuteOfDay >= MAINTENANCE.hour * 60 && minuteOfDay < MAINTENANCE.hour * 60 + MAINTENANCE.minutes) return ANALYSER_STATUS.maintenance;
    return ANALYSER_STATUS.normal;
  }

  function stepSecond(t: number, lineLoad: number, running: boolean) {
    const target = running ? 0.35 + 0.65 * lineLoad : 0.2;
    load += (target - load) * (1 - Math.exp(-1 / 120));
    for (const o of sims) {
      if (t >= o.nextFaultAt) {
        o.status = ANALYSER_STATUS.fault;
        o.statusUntil = t + FAULT_MINUTES * 60_000;
        o.nextFaultAt = t + FAULT_MINUTES * 60_000 + o.prng.exponential(FAULT_MTBF_MS);
      }
      const held = t < o.statusUntil ? o.status : ANALYSER_STATUS.normal;
      const status = held !== ANALYSER_STATUS.normal ? held : scheduledStatus(o, t);
      if (status === ANALYSER_STATUS.calibration) for (const f of o.factors) f.drift = 0;
      const values = new Map<string, number>();
      for (const f of o.factors) {
        const p = f.process;
        const aim = (p.base + p.span * load) * (f.exceed && t < f.exceed.until ? f.exceed.factor : 1);
        if (f.exceed && t >= f.exceed.until) f.exceed = null;
        f.trueValue += (aim - f.trueValue) * (1 - Math.exp(-1 / p.tauS));
        const noisy = f.trueValue * (1 + o.prng.normal(0, p.noise));
        f.drift += f.driftPerHour / 3600;
        if (status === ANALYSER_STATUS.normal) f.reading = noisy * (1 + f.drift);
        // Zero gas then span gas during calibration; a faulty analyser's reading freezes.
        else if (status === ANALYSER_STATUS.calibration) f.reading = (t / 1000) % 480 < 240 ? 0 : (f.outlet.factors.find((x) => x.code === f.code)?.rangeMax ?? f.trueValue * 2) * 0.8;
        else if (status === ANALYSER_STATUS.maintenance) f.reading = 0;
        values.set(f.code, f.reading);
      }
      o.status = t < o.statusUntil ? o.status : ANALYSER_STATUS.normal;
      const flag = FLAG_OF_STATUS[status] ?? 'D';
      record(o, t, flag, values);
      o.lastStatus = status;
    }
  }

  /** Books one second into every factor's minute; closes minutes as they end. */
  function record(o: OutletSim, t: number, flag: DataFlag, values: Map<string, number>) {
    const ref = o.config.referenceO2;
    const o2 = o.factors.find((f) => f.role === 'o2');
    const flowActual = o.factors.find((f) => f.role === 'flow');
    const velocity = o.factors.find((f) => f.role === 'velocity');
    let qsn: number | null = null;
    if (o.config.kind === 'flue-gas') {
      const temperature = o.factors.find((f) => f.role === 'temperature')?.reading ?? 20;
      const pressure = o.factors.find((f) => f.role === 'pressure')?.reading ?? 0;
      const moisture = (o.factors.find((f) => f.role === 'moisture')?.reading ?? 0) / 100;
      const qs = flowActual ? flowActual.reading : velocity && o.config.ductAreaM2 ? flowFromVelocity(velocity.reading, o.config.ductAreaM2) : 0;
      if (moisture >= 0 && moisture < 1) qsn = dryStandardFlow({ flowActualM3h: qs, temperatureC: temperature, staticPressurePa: pressure, ambientPressurePa: o.config.ambientPressurePa, moisture });
    } else {
      qsn = flowActual?.reading ?? null;
    }
    for (const f of o.factors) {
      const start = minuteStart(t);
      if (f.minute.start !== start) {
        closeMinute(f);
        f.minute = newMinute(start);
      }
      const m = f.minute;
      m.statuses.set(flag, (m.statuses.get(flag) ?? 0) + 1);
      m.trueSum += f.trueValue;
      if (!isValidFlag(flag)) continue;
      // The flue-gas flow is reported at dry standard conditions, as the edge reports a00000.
      const v = f.role === 'flow' && o.config.kind === 'flue-gas' && qsn !== null ? qsn : values.get(f.code)!;
      m.n++;
      m.sum += v;
      if (f.role === 'pollutant' && o.config.kind === 'flue-gas' && o2 && ref !== undefined) {
        const zs = convertedConcentration(v, values.get(o2.code)!, ref);
        if (zs !== null) {
          m.zsSum += zs;
          m.zsN++;
        }
      }
      if (qsn !== null) {
        if (f.role === 'pollutant') m.couRate += o.config.kind === 'flue-gas' ? emissionRateKgH(v, qsn) : v * qsn * 1e-3;
        else if (f.role === 'flow') m.couRate += qsn;
      }
    }
  }

  function closeMinute(f: FactorSim) {
    const m = f.minute;
    const seconds = [...m.statuses.values()].reduce((a, b) => a + b, 0);
    if (!seconds) return;
    // The same ¾ share the edge asks of its samples (shared/emissions minuteRule), here of seconds.
    const valid = m.n >= 45;
    const parts = [...m.statuses.entries()].flatMap(([flag, n]) => Array<DataFlag>(n).fill(flag));
    for (let i = seconds; i < 60; i++) parts.push('B');
    const flag = periodFlag(parts, valid);
    f.history.push({
      start: m.start,
      avg: valid ? m.sum / m.n : null,
      zsAvg: valid && m.zsN ? m.zsSum / m.zsN : null,
      trueAvg: m.trueSum / seconds,
      // The mean rate over the valid seconds times one minute, as the edge computes it.
      cou: m.n && (f.role === 'pollutant' || f.role === 'flow') ? (m.couRate / m.n) / 60 : null,
      flag,
      validSeconds: m.n,
    });
    if (f.history.length > KEEP_MINUTES) f.history.splice(0, f.history.length - KEEP_MINUTES);
  }

  const furnace = {
    machineId: machine.id,
    outlets,
    load: () => load,
    advance(t: number, lineLoad: number, furnaceRunning: boolean) {
      while (clock + 1000 <= t) {
        clock += 1000;
        stepSecond(clock, lineLoad, furnaceRunning);
      }
    },
    inject(x: FurnaceInjection) {
      if (x.kind === 'exceedance') factorSim(x.outlet, x.code).exceed = { factor: x.factor, until: clock + x.minutes * 60_000 };
      else if (x.kind === 'drift') factorSim(x.outlet, x.code).driftPerHour = x.percentPerHour / 100;
      else {
        const o = outletSim(x.outlet);
        o.status = x.kind === 'analyser-fault' ? ANALYSER_STATUS.fault : ANALYSER_STATUS.maintenance;
        o.statusUntil = clock + x.minutes * 60_000;
      }
    },
    signals() {
      const out: Record<string, number> = {};
      for (const o of sims) {
        if (o.config.statusTag) out[o.config.statusTag] = o.lastStatus;
        for (const f of o.factors) out[f.tag] = f.reading;
      }
      return out;
    },
    truth: {
      minutes(outlet: string, code: string, from = -Infinity, to = Infinity) {
        return factorSim(outlet, code).history.filter((m) => m.start >= from && m.start < to);
      },
      hour(outlet: string, code: string, start: number) {
        const mins = factorSim(outlet, code).history.filter((m) => m.start >= start && m.start < start + 3_600_000);
        const parts: FlaggedPart[] = mins.map((m) => ({ value: m.avg, flag: m.flag, cou: m.cou }));
        const zs = periodValue(mins.map((m) => ({ value: m.zsAvg, flag: m.zsAvg === null && isValidFlag(m.flag) ? 'B' : m.flag })), HOUR_RULE);
        return { ...periodValue(parts, HOUR_RULE), zsAvg: zs.avg };
      },
      day(outlet: string, code: string, _start: number, hourStarts: number[]) {
        return periodValue(hourStarts.map((h) => {
          const v = furnace.truth.hour(outlet, code, h);
          return { value: v.avg, min: v.min, max: v.max, cou: v.cou, flag: v.flag };
        }), DAY_RULE);
      },
    },
  };
  return furnace;
}

function newMinute(start: number): MinuteAcc {
  return { start, sum: 0, zsSum: 0, zsN: 0, trueSum: 0, n: 0, couRate: 0, statuses: new Map() };
}

function minuteStart(t: number): number {
  return Math.floor((t - 1) / 60_000) * 60_000;
}

/** The zone's offset from UTC at `t` (ms); the demo's Asia/Shanghai has no daylight saving. */
export function utcOffsetMs(timeZone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(t / 1000) * 1000;
}

/**
 * Hooks the furnace into a line model: every advance also advances the furnace (burner load from
 * the line's running share), and the furnace machine's snapshot carries the analyser readings
 * as its signals, which the tag image publishes like any process tag.
 */
export function attachFurnace(model: LineModel, options: FurnaceOptions): FurnaceModel | null {
  const furnace = createFurnace(options);
  if (!furnace) return null;
  const flowIds = options.plant.machines.filter((m) => m.type !== 'furnace').map((m) => m.id);
  const advanceTo = model.advanceTo.bind(model);
  const snapshot = model.snapshot.bind(model);
  model.advanceTo = (t: number) => {
    advanceTo(t);
    const snaps = snapshot();
    const running = snaps.filter((s) => flowIds.includes(s.id) && s.state === 'running').length;
    const own = snaps.find((s) => s.id === furnace.machineId);
    furnace.advance(model.now(), running / Math.max(1, flowIds.length), own?.state === 'running');
  };
  model.snapshot = () => snapshot().map((s: MachineSnapshot) => (s.id === furnace.machineId ? { ...s, signals: { ...s.signals, ...furnace.signals() } } : s));
  return furnace;
}
