// The plant queries on a real PostgreSQL against worked examples: two lines' closed shifts with
// times and counts chosen by hand, OEE per ISO 22400-2 computed on paper (A = APT / PBT,
// P = ideal output / APT, Q = good / total), plant figures from the summed times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlantStore, PLANT_STORE_DEFAULTS, plantAlarmStats, plantEnergy, plantLosses, plantOee, type PlantStore } from '../../edge/host/pg/index.js';
import { PlantOeeQuerySchema, PlantLossesQuerySchema, PlantEnergyByPeriodQuerySchema, PlantAlarmStatsQuerySchema } from '../../shared/plant-query-api.js';
import type { AlarmView } from '../../shared/alarm-wire.js';
import { startTestPostgres } from './support/postgres.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/host-pg/plant-queries.test.ts skipped: ${started.why}`);

const H = 3_600_000;
const DAY_START = Date.UTC(2026, 10, 30, 6); // 06:00 UTC, a Monday
const view = (line: string) => ({ site: { id: 's', name: 'S', timezone: 'UTC' }, line: { id: line, name: line }, machines: [{ id: 'm1', name: 'M1', idealCycleTimeSeconds: 60 }] }) as never;

function shift(machineId: string, o: { production: number; breakdown: number; idle: number; ideal: number; total: number; good: number; kWh: number; reasons: Record<string, number> }) {
  return {
    machineId, shift: { name: 'Early', date: '2026-11-30', start: DAY_START, end: DAY_START + 8 * H },
    totals: {
      start: DAY_START, end: DAY_START + 8 * H, calendarMs: 8 * H,
      times: { plannedOperationMs: 8 * H, plannedDownMs: 0, noDataMs: 0, productionMs: o.production * H, setupMs: 0, breakdownMs: o.breakdown * H, microStopMs: 0, idleMs: o.idle * H },
      stops: { breakdowns: o.breakdown ? 1 : 0, microStops: 0, setups: 0, idles: o.idle ? 1 : 0 },
      reasons: Object.fromEntries(Object.entries(o.reasons).map(([k, hours]) => [k, { bucket: k.split('|')[0] as 'breakdown', reason: k.split('|')[1]!, ms: hours * H, events: 1 }])),
      counts: { total: o.total, good: o.good }, idealOutputSeconds: o.ideal * 3600,
      energy: { kWh: o.kWh, byState: { running: o.kWh, idle: 0, down: 0, setup: 0, 'planned-stop': 0, 'no-data': 0 }, blocks: {} },
    },
  };
}

function alarm(key: string, activeTs: number, ackTs: number | null, returnTs: number | null, priority: AlarmView['priority'] = 'high'): AlarmView {
  return {
    key, ruleId: key, kind: 'high', machineId: 'm1', tag: null, priority, message: `alarm ${key}`, state: 'active-unacked', active: true, acked: ackTs !== null,
    occurrenceId: 1, activeTs, ackTs, ackBy: ackTs ? 'op' : null, returnTs, value: null, faultCode: null, shelved: null, outOfService: null, suppressed: false, chattering: false,
  } as AlarmView;
}

describe.skipIf(!started.ok)('plant queries', () => {
  const server = started.ok ? started.server : null!;
  let store: PlantStore;
  const win = { from: new Date(DAY_START - H).toISOString(), to: new Date(DAY_START + 24 * H).toISOString() };

  beforeAll(async () => {
    store = await openPlantStore({ settings: { ...PLANT_STORE_DEFAULTS, url: server.url }, log: () => undefined, now: () => DAY_START + 10 * H });
    const w = store.writer;
    w.line('g/A', 'g', 'A', view('A'), 'UTC');
    w.line('g/B', 'g', 'B', view('B'), 'UTC');
    // A: 6 h running, 1 h spindle breakdown, 1 h idle waiting for material; 5 h of ideal output; 100 made, 90 good.
    w.shiftClosed('g/A', shift('m1', { production: 6, breakdown: 1, idle: 1, ideal: 5, total: 100, good: 90, kWh: 50, reasons: { 'breakdown|spindle': 1, 'idle|no material': 1 } }));
    // B: 4 h running, 4 h spindle breakdown; 4 h of ideal output; 50 made, all good.
    w.shiftClosed('g/B', shift('m1', { production: 4, breakdown: 4, idle: 0, ideal: 4, total: 50, good: 50, kWh: 20, reasons: { 'breakdown|spindle': 4 } }));
    w.totals('g/A', 'm1', { shiftStart: DAY_START, total: 100, good: 90, energyKWh: 50 }, DAY_START + 8 * H - 1);
    w.totals('g/B', 'm1', { shiftStart: DAY_START, total: 50, good: 50, energyKWh: 20 }, DAY_START + 8 * H - 1);
    const t = DAY_START + 4 * H; // 10:00
    // A: three alarms in one 10-minute window, each acknowledged after 60 s and back to normal after 120 s; B: one, never acknowledged.
    w.alarms('g/A', 'm1', [alarm('x', t, t + 60_000, t + 120_000), alarm('y', t + 60_000, t + 120_000, t + 180_000, 'critical')]);
    w.alarms('g/A', 'm1', [alarm('x', t + 120_000, t + 180_000, t + 240_000)]);
    w.alarms('g/B', 'm1', [alarm('z', t + 30 * 60_000, null, null, 'low')]);
    w.alarms('g/B', 'm1', [alarm('z', t + 30 * 60_000, null, null, 'low')]); // restated: no new event
    await store.flush();
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('OEE of each line and of the plant by day, from the summed times', async () => {
    const rows = await plantOee(store.db, PlantOeeQuerySchema.parse({ ...win, by: 'day' }));
    const byLine = Object.fromEntries(rows.map((r) => [r.line ?? 'plant', r]));
    expect(rows.map((r) => `${r.line}:${r.period}`)).toEqual(['null:2026-11-30', 'g/A:2026-11-30', 'g/B:2026-11-30']);
    expect(byLine['g/A']!.availability).toBeCloseTo(6 / 8, 10);
    expect(byLine['g/A']!.performance).toBeCloseTo(5 / 6, 10);
    expect(byLine['g/A']!.quality).toBeCloseTo(0.9, 10);
    expect(byLine['g/A']!.oee).toBeCloseTo(0.5625, 10);
    expect(byLine['g/B']!.oee).toBeCloseTo(0.5, 10);
    // Plant: PBT 16 h, APT 10 h, ideal 9 h, 140 good of 150.
    expect(byLine.plant!.availability).toBeCloseTo(10 / 16, 10);
    expect(byLine.plant!.performance).toBeCloseTo(0.9, 10);
    expect(byLine.plant!.quality).toBeCloseTo(140 / 150, 10);
    expect(byLine.plant!.oee).toBeCloseTo(0.525, 10);
    expect(byLine.plant!.plannedBusyHours).toBe(16);
    const weeks = await plantOee(store.db, PlantOeeQuerySchema.parse({ ...win, by: 'week', line: 'g/B' }));
    expect(weeks.map((r) => `${r.line}:${r.period}`)).toEqual(['null:2026-W49', 'g/B:2026-W49']);
  });

  it('top losses across the plant and of one line', async () => {
    const plant = await plantLosses(store.db, PlantLossesQuerySchema.parse(win));
    expect(plant.map((r) => [r.reason, r.hours, r.lines])).toEqual([['spindle', 5, 2], ['no material', 1, 1]]);
    const a = await plantLosses(store.db, PlantLossesQuerySchema.parse({ ...win, line: 'g/A', limit: 1 }));
    expect(a).toEqual([{ line: 'g/A', bucket: 'breakdown', reason: 'spindle', hours: 1, events: 1, lines: 1 }]);
  });

  it('energy across lines and kWh per good part', async () => {
    const rows = await plantEnergy(store.db, PlantEnergyByPeriodQuerySchema.parse({ ...win, by: 'month' }));
    expect(rows).toEqual([
      { line: null, period: '2026-11', kWh: 70, totalCount: 150, goodCount: 140, kWhPerGoodPart: 0.5 },
      { line: 'g/A', period: '2026-11', kWh: 50, totalCount: 100, goodCount: 90, kWhPerGoodPart: 50 / 90 },
      { line: 'g/B', period: '2026-11', kWh: 20, totalCount: 50, goodCount: 50, kWhPerGoodPart: 0.4 },
    ]);
  });

  it('alarm statistics per line and for the plant (ISA-18.2 rates, acknowledge times, bad actors)', async () => {
    const stats = await plantAlarmStats(store.db, PlantAlarmStatsQuerySchema.parse(win));
    const by = Object.fromEntries(stats.lines.map((r) => [r.line ?? 'plant', r]));
    expect(by.plant!.raised).toBe(4);
    expect(by['g/A']).toMatchObject({ raised: 3, byPriority: { critical: 1, high: 2, medium: 0, low: 0 }, peakPer10Min: 3, acked: 3, meanAckSeconds: 60, meanActiveSeconds: 120 });
    expect(by['g/B']).toMatchObject({ raised: 1, acked: 0, meanAckSeconds: null, peakPer10Min: 1 });
    // Alarm statistics take the window's whole UTC days: 30 Nov and 1 Dec, 48 hours.
    expect(by.plant!.perHour).toBeCloseTo(4 / 48, 10);
    expect(stats.topAlarms[0]).toMatchObject({ line: 'g/A', alarmKey: 'x', raised: 2 });
  });
});
