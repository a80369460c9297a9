// KPI REST API against the real simulator and the real edge on the simulator's clock:
// every KPI comes with the inputs it was made from, a shift closes and is listed (from
// memory, and from the historian after a restart), the line uses the bottleneck, bad
// parameters are named, and the routes sit behind the auth guard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClosedShiftsAnswer, KpiApiError, LineClosedShiftsAnswer, LineKpiAnswer, MachineKpiAnswer, MachinesKpiAnswer, PeriodKpiAnswer,
} from '../../shared/kpi-api.js';
import { startSimClockLine, type SimClockLine } from '../support/sim-clock-line.js';
import { waitFor } from '../support/wait-for.js';

const EARLY_START = Date.parse('2026-11-02T06:00:00+08:00');
const EARLY_END = Date.parse('2026-11-02T07:00:00+08:00');
/** The line starts 8 simulated minutes before Early ends (1.6 s of wall time at 300x). */
const START = EARLY_END - 8 * 60_000;

let line: SimClockLine;
let token: string;

async function login(): Promise<string> {
  const res = await fetch(`${line.edge.url}/api/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'manager', password: 'manager-demo' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function get<T>(path: string, expectStatus = 200): Promise<T> {
  const res = await fetch(`${line.edge.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(expectStatus);
  return body as T;
}

beforeAll(async () => {
  line = await startSimClockLine({
    plantFile: 'test/fixtures/kpi-accuracy-plant.yaml',
    scenarioFile: 'test/fixtures/kpi-accuracy-scenario.yaml',
    seed: 1, timeScale: 300, startTime: START, publishIntervalMs: 20,
  });
  token = await login();
}, 30_000);

afterAll(async () => {
  await line?.stop();
});

describe('KPI REST API: how was this made', () => {
  it('is behind the auth guard', async () => {
    // Demo mode lets a visitor without a token in as operator; a forged token is refused.
    const res = await fetch(`${line.edge.url}/api/kpi/line`, { headers: { authorization: 'Bearer forged' } });
    expect(res.status).toBe(401);
  });

  it('explains the current shift of a machine with the inputs of every KPI', async () => {
    const answer = await get<MachineKpiAnswer>('/api/kpi/machines/mill');
    expect(answer.machineId).toBe('mill');
    expect(answer.shift).toMatchObject({ name: 'Early', date: '2026-11-02', start: EARLY_START, end: EARLY_END });
    const { kpis, losses } = answer.report!;
    const a = kpis.explain.availability;
    expect(a.formula).toContain('PBT');
    // The figure is made from exactly the inputs it shows.
    expect(a.inputs.APT).toBe(kpis.times.actualProductionTime);
    expect(a.inputs.PBT).toBe(kpis.times.plannedBusyTime);
    expect(a.value).toBeCloseTo(a.inputs.APT! / a.inputs.PBT!, 12);
    expect(kpis.explain.oee.value).toBeCloseTo(kpis.availability * kpis.performance * kpis.quality, 12);
    expect(kpis.explain.quality.inputs).toEqual({ goodCount: kpis.counts.good, totalCount: kpis.counts.total });
    // The raw totals are the same numbers, in ms.
    expect(answer.totals!.times.productionMs / 1000).toBe(kpis.times.actualProductionTime);
    // The edge started at 06:52: the shift before that is no-data (but for the 06:30 break,
    // where the planned stop wins), left out of planned busy time.
    expect(kpis.times.noDataTime).toBe((START - EARLY_START - 5 * 60_000) / 1000);
    expect(kpis.times.plannedBusyTime).toBe(kpis.times.plannedOperationTime - kpis.times.plannedDownTime - kpis.times.noDataTime);
    expect(losses.waterfall[0]).toMatchObject({ step: 'planned operation time' });
    expect(answer.at).toBeGreaterThanOrEqual(START);
  });

  it('names the bad parameter and lists the known machines', async () => {
    const unknown = await get<KpiApiError>('/api/kpi/machines/lathe', 404);
    expect(unknown.error).toContain('no machine "lathe"');
    expect(unknown.error).toContain('mill');
    const kind = await get<KpiApiError>('/api/kpi/machines/mill/periods/month', 400);
    expect(kind.field).toBe('kind');
    expect(kind.error).toContain('"day"');
    expect((await get<KpiApiError>('/api/kpi/machines/mill/shifts?from=yesterday', 400)).field).toBe('from');
    expect((await get<KpiApiError>('/api/kpi/machines/mill/shifts?limit=0', 400)).field).toBe('limit');
    expect((await get<KpiApiError>('/api/kpi/machines/mill/shifts?from=2000&to=1000', 400)).field).toBe('from');
    const extra = await get<KpiApiError>('/api/kpi/line/shifts?shift=Early', 400);
    expect(extra).toMatchObject({ field: 'shift', code: 'invalid' });
    expect(extra.error).toContain('unknown query parameter');
    expect((await get<KpiApiError>('/api/kpi/machines/1mill', 400)).field).toBe('id');
  });

  it('lists the closed shift, the line (bottleneck) and the day, and keeps the shift across a restart', async () => {
    await waitFor('the edge to close Early', () => line.edge.kpi.closedShifts('packer').length > 0, 20_000, 50);
    const early = (await get<ClosedShiftsAnswer>('/api/kpi/machines/packer/shifts')).shifts[0]!;
    expect(early.shift).toMatchObject({ name: 'Early', start: EARLY_START, end: EARLY_END });
    expect(early.source).toBe('memory');
    expect(early.report.kpis.counts.total).toBe(early.totals.counts.total);
    expect(early.report.kpis.counts.total).toBeGreaterThan(0);
    // A window before the shift finds nothing.
    expect((await get<ClosedShiftsAnswer>(`/api/kpi/machines/packer/shifts?to=${EARLY_START}&from=${EARLY_START - 86_400_000}`)).shifts).toEqual([]);

    const lineNow = await get<LineKpiAnswer>('/api/kpi/line');
    expect(lineNow.line.id).toBe(line.plant.line.id);
    expect(lineNow.shift).toMatchObject({ name: 'Late', start: EARLY_END });
    // Every ideal cycle is 10 s: the tie goes to the machine nearest the line's output.
    expect(lineNow.kpis!.bottleneck).toBe('packer');

    const lineShifts = await get<LineClosedShiftsAnswer>('/api/kpi/line/shifts');
    expect(lineShifts.shifts).toHaveLength(1);
    expect(lineShifts.shifts[0]!.machines).toEqual(line.plant.machines.map((m) => m.id));
    expect(lineShifts.shifts[0]!.kpis.oee).toBeCloseTo(early.report.kpis.oee, 12);

    const day = await get<PeriodKpiAnswer>('/api/kpi/machines/packer/periods/day');
    expect(day.report.period.start).toBe(Date.parse('2026-11-02T00:00:00+08:00'));
    expect(day.report.kpis.counts.total).toBeGreaterThanOrEqual(early.report.kpis.counts.total);

    const all = await get<MachinesKpiAnswer>('/api/kpi/machines');
    expect(all.machines.map((m) => m.machineId)).toEqual(line.plant.machines.map((m) => m.id));
    expect(all.machines.every((m) => m.shift?.name === 'Late')).toBe(true);

    // After a restart the engine rebuilds only the current shift; Early comes back from the historian, unchanged.
    await line.restartEdge();
    token = await login();
    const stored = (await get<ClosedShiftsAnswer>('/api/kpi/machines/packer/shifts')).shifts;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.source).toBe('historian');
    expect(stored[0]!.totals).toEqual(early.totals);
    expect(stored[0]!.report.kpis.oee).toBeCloseTo(early.report.kpis.oee, 12);
  }, 60_000);
});
