// Issue 5 §9, accuracy against truth: the real simulator runs a whole shift at 120x (one
// simulated hour in 30 s) with breakdowns, micro-stops, a changeover and a break; the real
// edge reads it over OPC UA and Modbus TCP on the simulator's clock. The edge's closed
// shift must match the simulator's ground truth — booked through the same pure KPI code —
// within 0.5 percentage points for availability, performance, quality and OEE, and 0.5 %
// for part counts and energy, on every machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKpis, type KpiOptions, type KpiResult } from '../../shared/kpi/oee.js';
import type { PeriodTotals } from '../../shared/kpi/period-totals.js';
import { shiftAt } from '../../shared/kpi/shift-calendar.js';
import { startSimClockLine, type SimClockLine } from '../support/sim-clock-line.js';
import { truthTotals } from '../support/truth-kpis.js';
import { waitFor } from '../support/wait-for.js';

const TIME_SCALE = 120;
/** Monday 06:00 in Asia/Shanghai: the test plant's "Early" shift, 06:00–07:00 with a break 06:30–06:35. */
const SHIFT_START = Date.parse('2026-11-02T06:00:00+08:00');
/** The line starts this much simulated time (0.5 s of wall time) before the shift; the edge is connected by then (sim-clock-line.ts holds the clock until it is). */
const LEAD_MS = 60_000;
/** Seed 1: every machine has micro-stops, the mill and the packer break down, the mill changes over (asserted below). */
const SEED = 1;

let line: SimClockLine;

beforeAll(async () => {
  line = await startSimClockLine({
    plantFile: 'test/fixtures/kpi-accuracy-plant.yaml',
    scenarioFile: 'test/fixtures/kpi-accuracy-scenario.yaml',
    seed: SEED,
    timeScale: TIME_SCALE,
    startTime: SHIFT_START - LEAD_MS,
    // 10 ms of wall time is 1.2 s simulated: the resolution of the PLC image the edge can see.
    publishIntervalMs: 10,
  });
}, 30_000);

afterAll(async () => {
  await line?.stop();
});

const pp = (edge: number, truth: number) => (edge - truth) * 100;
const pct = (edge: number, truth: number) => (truth === 0 ? (edge === 0 ? 0 : Infinity) : ((edge - truth) / truth) * 100);

interface Row {
  machine: string;
  truth: { a: number; p: number; q: number; oee: number; total: number; good: number; kWh: number };
  errors: { a: number; p: number; q: number; oee: number; total: number; good: number; kWh: number };
  seconds: { edge: Record<string, number>; truth: Record<string, number> };
}

function times(k: KpiResult) {
  const t = k.times;
  return { run: t.actualProductionTime, idle: t.idleTime, down: t.actualDownTime, setup: t.actualSetupTime, noData: t.noDataTime };
}

describe('KPI accuracy against the simulator ground truth', () => {
  it('matches availability, performance, quality and OEE within 0.5 pp and counts and energy within 0.5 % over a whole shift', async () => {
    const { plant, sim, edge } = line;
    const shift = shiftAt(plant.calendar, plant.site.timezone, SHIFT_START)!;
    expect(shift).toMatchObject({ name: 'Early', start: SHIFT_START });

    // The edge knows every machine's state before the shift starts, so no shift time is "no data".
    await waitFor('a state for every machine before the shift', () =>
      edge.machines().every((m) => m.state !== 'no-data'), 20_000);
    expect(sim.clock.now(), 'the edge connected too late: raise LEAD_MS').toBeLessThan(shift.start);

    const wallBudget = ((shift.end - sim.clock.now()) / TIME_SCALE) * 1.5 + 10_000;
    await waitFor('the edge to close the shift on every machine', () =>
      plant.machines.every((m) => edge.kpi.closedShifts(m.id).some((c) => c.shift.start === shift.start)), wallBudget, 200);

    const kpiOptions: KpiOptions = { microStopsAs: plant.kpi?.microStopsAs ?? 'availability' };
    const threshold = (plant.kpi?.microStopThresholdSeconds ?? 300) * 1000;
    const truth = sim.truth(shift.start, shift.end);
    expect(truth.to).toBe(shift.end);

    // The scenario really exercises what §9 asks for.
    const reasons = (r: string) => truth.machines.filter((m) => (m.timeByReason[r as 'breakdown'] ?? 0) > 0).map((m) => m.machineId);
    expect(reasons('breakdown').length, 'a breakdown in the shift').toBeGreaterThan(0);
    expect(reasons('micro-stop').length, 'micro-stops in the shift').toBeGreaterThan(0);
    expect(reasons('changeover').length, 'a changeover in the shift').toBeGreaterThan(0);
    expect(reasons('break'), 'the calendar break').toHaveLength(plant.machines.length);

    const rows: Row[] = plant.machines.map((m) => {
      const closed = edge.kpi.closedShifts(m.id).find((c) => c.shift.start === shift.start)!;
      const mt = truth.machines.find((t) => t.machineId === m.id)!;
      const truthT: PeriodTotals = truthTotals(mt, shift, threshold);
      // The products of this scenario share one ideal cycle: the edge's ideal output is the truth's.
      expect(truthT.idealOutputSeconds).toBeCloseTo(mt.counts.total * m.idealCycleTimeSeconds, 6);
      const e = computeKpis(closed.totals, kpiOptions);
      const t = computeKpis(truthT, kpiOptions);
      return {
        machine: m.id,
        truth: { a: t.availability, p: t.performance, q: t.quality, oee: t.oee, total: t.counts.total, good: t.counts.good, kWh: truthT.energy.kWh },
        errors: {
          a: pp(e.availability, t.availability), p: pp(e.performance, t.performance), q: pp(e.quality, t.quality), oee: pp(e.oee, t.oee),
          total: pct(e.counts.total, t.counts.total), good: pct(e.counts.good, t.counts.good), kWh: pct(closed.totals.energy.kWh, truthT.energy.kWh),
        },
        seconds: { edge: times(e), truth: times(t) },
      };
    });

    const f = (x: number, d = 3) => (x >= 0 ? ' ' : '') + x.toFixed(d);
    console.log([
      `KPI accuracy, ${TIME_SCALE}x, shift ${shift.name} ${new Date(shift.start).toISOString()} (seed ${SEED}); errors = edge − truth`,
      'machine     A(pp)   P(pp)   Q(pp)  OEE(pp) total(%) good(%) kWh(%) | truth A/P/Q/OEE, parts, kWh | run/idle/down/setup s edge vs truth',
      ...rows.map((r) => `${r.machine.padEnd(10)} ${f(r.errors.a)} ${f(r.errors.p)} ${f(r.errors.q)} ${f(r.errors.oee)} ${f(r.errors.total)} ${f(r.errors.good)} ${f(r.errors.kWh)} | `
        + `${(r.truth.a * 100).toFixed(1)}/${(r.truth.p * 100).toFixed(1)}/${(r.truth.q * 100).toFixed(1)}/${(r.truth.oee * 100).toFixed(1)} %, ${r.truth.total}, ${r.truth.kWh.toFixed(3)} | `
        + (['run', 'idle', 'down', 'setup'] as const).map((k) => `${r.seconds.edge[k]!.toFixed(0)}/${r.seconds.truth[k]!.toFixed(0)}`).join(' ')),
    ].join('\n'));

    for (const r of rows) {
      expect(r.seconds.edge.noData, `${r.machine}: no-data time in the shift`).toBe(0);
      expect(Math.abs(r.errors.a), `${r.machine} availability error (pp)`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(r.errors.p), `${r.machine} performance error (pp)`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(r.errors.q), `${r.machine} quality error (pp)`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(r.errors.oee), `${r.machine} OEE error (pp)`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(r.errors.total), `${r.machine} total count error (%)`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(r.errors.good), `${r.machine} good count error (%)`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(r.errors.kWh), `${r.machine} energy error (%)`).toBeLessThanOrEqual(0.5);
    }
  }, 90_000);
});
