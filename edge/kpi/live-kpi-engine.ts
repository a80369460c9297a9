// Live KPIs per machine for the current shift, updated per event in O(1).
// Synchronous and deterministic: every event carries its timestamp and the clock is
// injected, so the engine runs the same on a simulated clock as on the wall clock.
// Rolls over at shift boundaries from the plant calendar; closed shifts are handed to
// `onShiftClosed` (for the store) and kept in memory for a while.
import type { MachineState, PlantConfig } from '../../shared/plant-schema.js';
import { buildKpiReport, type KpiReport } from '../../shared/kpi/index.js';
import { computeLineKpis, type LineKpis } from '../../shared/kpi/index.js';
import { computeKpis, type KpiOptions, type KpiResult } from '../../shared/kpi/index.js';
import type { PeriodTotals } from '../../shared/kpi/index.js';
import { periodBounds, totalsForPeriod, type PeriodKind } from '../../shared/kpi/index.js';
import { ShiftAccumulator } from '../../shared/kpi/index.js';
import { nextShiftAfter, shiftAt, type ShiftInstance } from '../../shared/kpi/index.js';
import { countingModeOf, type CountingMode } from '../../shared/count-roles.js';

/** Vorne's convention: small stops are those under five minutes. */
export const DEFAULT_MICRO_STOP_THRESHOLD_MS = 5 * 60_000;

export interface ClosedShift {
  machineId: string;
  shift: { name: string; date: string; start: number; end: number };
  totals: PeriodTotals;
}

export interface LiveKpiEngineOptions {
  plant: PlantConfig;
  now: () => number;
  /** Unplanned stops shorter than this are micro-stops (default: plant.kpi, else 5 min). */
  microStopThresholdMs?: number;
  /** Default: plant.kpi.microStopsAs, else ISO 22400-2 (availability). */
  kpi?: KpiOptions;
  /** Called once per machine per finished shift, in time order (store it: recomputeShift can check it later). */
  onShiftClosed?: (closed: ClosedShift) => void;
  /** Closed shifts kept in memory per machine (default 32: a week of three shifts and more). */
  keepClosedShifts?: number;
}

export interface MachineKpiSnapshot {
  shift: { name: string; start: number; end: number } | null;
  oee: { availability: number; performance: number; quality: number; oee: number };
  counts: { total: number; good: number; scrap: number };
  energyKWh: number;
  /** Which way the machine's parts are counted (shared/count-roles.ts). */
  counting?: CountingMode;
}

export interface LiveKpiEngine {
  /** the machine entered `state` at ts (epoch ms); reason = fault code text or other reason, optional */
  onState(machineId: string, state: MachineState, ts: number, reason?: string): void;
  /** wrap/reset-safe deltas already computed by the caller: deltaTotal >= 0; deltaGood < 0 is booked scrap or a late reject */
  onCounts(machineId: string, deltaTotal: number, deltaGood: number, ts: number): void;
  onEnergy(machineId: string, deltaKWh: number, ts: number): void;
  /** The product now made sets the ideal cycle time of the parts counted from now on (null: the plant file's). */
  setIdealCycleTime?(machineId: string, seconds: number | null): void;
  /** current shift KPIs for the machine at now(); zeros/1s sensibly when nothing is known */
  machine(machineId: string): MachineKpiSnapshot;
  /** The full explained KPI result and raw totals of the current shift at now(), or null between shifts. */
  details(machineId: string): { shift: ShiftInstance; totals: PeriodTotals; kpis: KpiResult } | null;
  /** Shifts closed so far (most recent last), as kept in memory. */
  closedShifts(machineId: string): ClosedShift[];
  /** Explained KPIs, losses and energy of the machine's current shift so far; null between shifts. */
  report(machineId: string): (KpiReport & { shift: ShiftRef }) | null;
  /** Line KPIs (bottleneck method) for the current shift so far; null between shifts and on a line without machines. */
  line(): (LineKpis & { shift: ShiftRef }) | null;
  /** The line's shift at now() from the plant calendar, null between shifts: a line without machines still has one. */
  shift(): ShiftRef | null;
  /** The plant-local day or ISO week containing now(), from the shifts in memory plus the current one. */
  period(machineId: string, kind: PeriodKind): KpiReport;
}

export type ShiftRef = { name: string; date: string; start: number; end: number };

interface MachineTrack {
  machineId: string;
  idealCycleTimeSeconds: number;
  counting: CountingMode;
  /** Latest state, carried across shift boundaries. */
  state: MachineState;
  reason: string | undefined;
  /** Time up to which the track has been advanced. */
  time: number;
  current: ShiftAccumulator | null;
  /** Start of the next shift when between shifts (cached so idle events stay O(1)). */
  nextStart: number | null;
  closed: ClosedShift[];
}

const ZERO_SNAPSHOT_OEE = { availability: 0, performance: 0, quality: 1, oee: 0 };

export function createLiveKpiEngine(opts: LiveKpiEngineOptions): LiveKpiEngine {
  const { plant, now } = opts;
  const calendar = plant.calendar;
  const tz = plant.site.timezone;
  const accOptions = {
    microStopThresholdMs: opts.microStopThresholdMs ?? (plant.kpi ? plant.kpi.microStopThresholdSeconds * 1000 : DEFAULT_MICRO_STOP_THRESHOLD_MS),
  };
  const kpiOptions: KpiOptions = opts.kpi ?? { microStopsAs: plant.kpi?.microStopsAs ?? 'availability' };
  const reportOptions = { ...kpiOptions, co2eKgPerKWh: plant.energy.co2eKgPerKWh };
  const keep = opts.keepClosedShifts ?? 32;
  const tracks = new Map<string, MachineTrack>();

  const startedAt = now();
  for (const m of plant.machines) {
    const track: MachineTrack = {
      machineId: m.id,
      idealCycleTimeSeconds: m.idealCycleTimeSeconds,
      counting: countingModeOf(m),
      state: 'no-data',
      reason: undefined,
      time: startedAt,
      current: null,
      nextStart: null,
      closed: [],
    };
    // The part of the current shift before the engine started is unknown: no-data.
    const shift = shiftAt(calendar, tz, startedAt);
    if (shift) track.current = new ShiftAccumulator(shift, 'no-data', undefined, accOptions);
    else track.nextStart = nextShiftAfter(calendar, tz, startedAt)?.start ?? null;
    tracks.set(m.id, track);
  }

  function trackOf(machineId: string): MachineTrack {
    const track = tracks.get(machineId);
    if (!track) throw new RangeError(`unknown machine "${machineId}" (known: ${[...tracks.keys()].join(', ')})`);
    return track;
  }

  function closeCurrent(track: MachineTrack): void {
    const acc = track.current!;
    const closed: ClosedShift = {
      machineId: track.machineId,
      shift: { name: acc.shift.name, date: acc.shift.date, start: acc.shift.start, end: acc.shift.end },
      totals: acc.close(),
    };
    track.closed.push(closed);
    if (track.closed.length > keep) track.closed.shift();
    track.current = null;
    opts.onShiftClosed?.(closed);
  }

  /**
   * Moves the track to `ts`: closes finished shifts and opens new ones; with `book`,
   * also books the current state up to `ts`. Reads roll shifts over but do not book,
   * so a device timestamp slightly behind the edge clock is still booked exactly.
   */
  function advance(track: MachineTrack, ts: number, book = true): void {
    if (ts < track.time) return; // late event: booked at track.time by the accumulator
    for (;;) {
      if (track.current) {
        if (ts < track.current.shift.end) {
          if (book) track.current.advance(ts);
          else ts = Math.max(track.time, track.current.time);
          break;
        }
        const end = track.current.shift.end;
        closeCurrent(track);
        // Shifts may follow back to back; look for one starting exactly at `end`.
        const next = shiftAt(calendar, tz, end);
        if (next && next.start <= end) {
          track.current = new ShiftAccumulator(next, track.state, track.reason, accOptions);
        } else {
          track.nextStart = nextShiftAfter(calendar, tz, end)?.start ?? null;
        }
        continue;
      }
      if (track.nextStart === null || ts < track.nextStart) {
        if (!book) ts = track.time;
        break;
      }
      const shift = shiftAt(calendar, tz, track.nextStart);
      track.nextStart = null;
      if (shift) track.current = new ShiftAccumulator(shift, track.state, track.reason, accOptions);
      else {
        // Defensive: the calendar promised a shift that is not there; look again later.
        track.nextStart = nextShiftAfter(calendar, tz, ts)?.start ?? null;
        break;
      }
    }
    track.time = Math.max(track.time, ts);
  }

  function currentView(track: MachineTrack): { shift: ShiftInstance; totals: PeriodTotals; kpis: KpiResult } | null {
    const t = now();
    advance(track, t, false);
    const acc = track.current;
    if (!acc) return null;
    const totals = acc.view(Math.max(t, track.time));
    return { shift: acc.shift, totals, kpis: computeKpis(totals, { ...kpiOptions, counting: track.counting }) };
  }

  const refOf = (shift: ShiftInstance): ShiftRef => ({ name: shift.name, date: shift.date, start: shift.start, end: shift.end });

  return {
    onState(machineId, state, ts, reason) {
      const track = trackOf(machineId);
      advance(track, ts);
      track.state = state;
      track.reason = reason;
      track.current?.setState(state, ts, reason);
    },
    onCounts(machineId, deltaTotal, deltaGood, ts) {
      if (!(deltaTotal >= 0) || !Number.isFinite(deltaGood)) return; // negative total or NaN: the caller's counter logic failed
      const track = trackOf(machineId);
      advance(track, ts);
      track.current?.addCounts(deltaTotal, deltaGood, track.idealCycleTimeSeconds);
    },
    setIdealCycleTime(machineId, seconds) {
      const track = trackOf(machineId);
      track.idealCycleTimeSeconds = seconds ?? plant.machines.find((m) => m.id === machineId)!.idealCycleTimeSeconds;
    },
    onEnergy(machineId, deltaKWh, ts) {
      if (!(deltaKWh >= 0)) return;
      const track = trackOf(machineId);
      advance(track, ts);
      track.current?.addEnergy(deltaKWh, ts);
    },
    machine(machineId) {
      const view = currentView(trackOf(machineId));
      const counting = trackOf(machineId).counting;
      if (!view) return { shift: null, oee: { ...ZERO_SNAPSHOT_OEE }, counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0, counting };
      const { shift, totals, kpis } = view;
      return {
        shift: { name: shift.name, start: shift.start, end: shift.end },
        oee: { availability: kpis.availability, performance: kpis.performance, quality: kpis.quality, oee: kpis.oee },
        counts: { ...kpis.counts },
        energyKWh: totals.energy.kWh,
        counting,
      };
    },
    details(machineId) {
      return currentView(trackOf(machineId));
    },
    closedShifts(machineId) {
      return [...trackOf(machineId).closed];
    },
    report(machineId) {
      const track = trackOf(machineId);
      const view = currentView(track);
      return view ? { shift: refOf(view.shift), ...buildKpiReport(view.totals, { ...reportOptions, counting: track.counting }) } : null;
    },
    line() {
      const machines = [];
      let shift: ShiftInstance | null = null;
      for (const m of plant.machines) {
        const view = currentView(trackOf(m.id));
        if (!view) continue;
        shift ??= view.shift;
        machines.push({ machineId: m.id, idealCycleTimeSeconds: m.idealCycleTimeSeconds, totals: view.totals });
      }
      if (!shift || machines.length === 0) return null;
      return { shift: refOf(shift), ...computeLineKpis(machines, kpiOptions) };
    },
    shift() {
      const shift = shiftAt(calendar, tz, now());
      return shift ? refOf(shift) : null;
    },
    period(machineId, kind) {
      const track = trackOf(machineId);
      const view = currentView(track);
      const t = now();
      const whole = periodBounds(kind, t, tz);
      // So far: calendar time (for TEEP) runs to now, not to the end of the day or week.
      const bounds = { start: whole.start, end: Math.min(whole.end, Math.max(t, whole.start + 1)) };
      const shifts = track.closed.map((c) => c.totals);
      if (view) shifts.push(view.totals);
      return buildKpiReport(totalsForPeriod(shifts, bounds), { ...reportOptions, counting: track.counting });
    },
  };
}
