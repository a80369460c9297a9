// Conditions the emissions module raises from its closed records (edge/emissions/emission-conditions.ts).
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { ConditionTracker } from '../../edge/emissions/emission-conditions.js';
import type { EmissionRecord } from '../../edge/emissions/emission-store.js';
import { localYear, massTotals, type MassTotal } from '../../edge/emissions/emission-totals.js';
import { bindEmissionAlarms, emissionAlarmSpecs } from '../../edge/emissions/emission-alarms.js';
import { createAlarmEngine } from '../../edge/alarms/alarm-engine.js';
import { alarmSettings } from '../../shared/alarm-rules.js';
import { lookupFault } from '../../shared/alarm-fault-catalogue.js';
import { loadFaultCatalogue } from '../../edge/diagnosis/index.js';

const outlets = loadPlantFile('config/demo-plant.yaml').emissions!.outlets;
const T0 = Date.parse('2026-11-03T00:00:00+08:00');
const M = 60_000;
const H = 3_600_000;
const rec = (r: Partial<EmissionRecord>): EmissionRecord => ({
  period: 'minute', outlet: 'stack', code: 'a21002', start: T0, avg: 100, min: 90, max: 110, zsAvg: 130, zsMin: null, zsMax: null, cou: 0.01, flag: 'N', validParts: 12, expectedParts: 12, ...r,
});

const total = (t: Partial<MassTotal>): MassTotal => ({
  outlet: 'stack', code: 'a21002', todayKg: 1, yearKg: 100, projectedYearKg: null, permitDailyKg: 20, permitAnnualKg: 6000,
  daily: 'ok', annual: 'ok', yearStart: 0, dayStart: T0, ...t,
});

describe('emission conditions', () => {
  it('an hour over its converted limit starts a condition; a compliant hour ends it', () => {
    const c = new ConditionTracker(outlets, T0);
    const started = c.update([rec({ period: 'hour', zsAvg: 320, validParts: 58, expectedParts: 60 })], T0 + H);
    expect(started).toMatchObject([{ kind: 'hour-over-limit', outlet: 'stack', code: 'a21002', value: 320, limit: 300 }]);
    expect(started[0]!.zh).toContain('小时均值');
    c.update([rec({ period: 'hour', start: T0 + H, zsAvg: 250, validParts: 60, expectedParts: 60 })], T0 + 2 * H);
    expect(c.list()).toEqual([]);
  });
  it('an invalid hour is not judged against the limit', () => {
    const c = new ConditionTracker(outlets, T0);
    expect(c.update([rec({ period: 'hour', zsAvg: 320, validParts: 40, expectedParts: 60, flag: 'C' })], T0 + H)).toEqual([]);
  });
  it('five minutes without data are lost data', () => {
    const c = new ConditionTracker(outlets, T0);
    const lost = Array.from({ length: 5 }, (_, i) => rec({ start: T0 + i * M, avg: null, zsAvg: null, cou: null, flag: 'B', validParts: 0 }));
    expect(c.update(lost.slice(0, 4), T0 + 4 * M)).toEqual([]);
    expect(c.update(lost.slice(4), T0 + 5 * M)).toMatchObject([{ kind: 'data-loss', since: T0, value: 5 }]);
  });
  it("the day's mass over the permit, and a calibration overdue after 24 h without one", () => {
    const c = new ConditionTracker(outlets, T0);
    expect(c.update([], T0 + 30 * M, [total({ todayKg: 21, daily: 'exceeded' })]).map((x) => x.kind)).toEqual(['daily-permit-exceeded']);
    expect(c.update([], T0 + 25 * H).map((x) => `${x.kind} ${x.outlet}`)).toEqual(['calibration-overdue stack', 'calibration-overdue effluent']);
    c.update([rec({ start: T0 + 25 * H, flag: 'C', avg: null, zsAvg: null, validParts: 0 })], T0 + 25 * H + M);
    expect(c.list().filter((x) => x.kind === 'calibration-overdue').map((x) => x.outlet)).toEqual(['effluent']);
  });
});

describe('annual permit and lost data', () => {
  it('the year approaching its permit at 80 %, then over it: one condition that changes kind', () => {
    const c = new ConditionTracker(outlets, T0);
    expect(c.update([], T0 + M, [total({ yearKg: 4900, annual: 'approaching' })])).toMatchObject([{ kind: 'annual-permit-approaching', value: 4900, limit: 6000 }]);
    expect(c.update([], T0 + 2 * M, [total({ yearKg: 6001, annual: 'exceeded' })])).toMatchObject([{ kind: 'annual-permit-exceeded', value: 6001 }]);
    expect(c.list().filter((x) => x.kind.startsWith('annual')).map((x) => x.kind)).toEqual(['annual-permit-exceeded']);
    expect(c.list()[0]!.zh).toContain('年许可排放量');
    // Totals not recomputed (null): what stands, stands.
    c.update([], T0 + 3 * M, null);
    expect(c.list().map((x) => x.kind)).toEqual(['annual-permit-exceeded']);
  });
  it('minutes the edge did not record are lost data until the next valid minute', () => {
    const c = new ConditionTracker(outlets, T0);
    expect(c.gap('stack', T0, T0 + 4 * M)).toBeNull();
    expect(c.gap('stack', T0, T0 + 42 * M)).toMatchObject({ kind: 'data-loss', outlet: 'stack', value: 42, since: T0 });
    c.update([rec({ start: T0 + 42 * M, flag: 'C' })], T0 + 43 * M);
    expect(c.list().map((x) => x.kind)).toEqual(['data-loss']);
    c.update([rec({ start: T0 + 43 * M })], T0 + 44 * M);
    expect(c.list()).toEqual([]);
  });
});

describe('mass totals against the permit (hand-counted)', () => {
  // Now: 3 November 2026, 02:30 in Shanghai. Year start 1 January 00:00 +08:00.
  const now = T0 + 2 * H + 30 * M;
  const year = Date.parse('2026-01-01T00:00:00+08:00');
  const records: EmissionRecord[] = [
    rec({ period: 'day', start: Date.parse('2025-12-31T00:00:00+08:00'), cou: 100 }), // last year: not counted
    rec({ period: 'day', start: year, cou: 10 }),
    rec({ period: 'day', start: T0 - 24 * H, cou: 4.5, flag: 'D' }), // an invalid day counts its valid hours' mass, as its record says
    rec({ period: 'hour', start: T0, cou: 1 }),
    rec({ period: 'hour', start: T0 + H, cou: 2, flag: 'C' }), // invalid hour: not counted (nor will the day record)
    rec({ period: 'hour', start: T0 - H, cou: 50 }), // yesterday's hour: in yesterday's day record already
    rec({ period: 'minute', start: T0 + 2 * H, cou: 0.1 }),
    rec({ period: 'minute', start: T0 + 2 * H + M, cou: 0.2, flag: 'B' }),
    rec({ period: 'minute', start: T0 + H + 59 * M, cou: 9 }), // previous hour's minute: in its hour record
  ];
  const store = {
    records: (period: string, outlet: string, from: number, to: number) => records.filter((r) => r.period === period && r.outlet === outlet && r.start >= from && r.start < to),
  };
  it('today = valid hours + the open hour\'s valid minutes; year = closed days + today', () => {
    expect(localYear(now, 'Asia/Shanghai').start).toBe(year);
    const nox = massTotals(store, outlets, now, 'Asia/Shanghai').find((t) => t.outlet === 'stack' && t.code === 'a21002')!;
    expect(nox.todayKg).toBeCloseTo(1 + 0.1, 9);
    expect(nox.yearKg).toBeCloseTo(10 + 4.5 + 1.1, 9);
    // 15.6 kg in 306 days 2.5 h of a 365-day year: 15.6 × 365 / 306.1042 = 18.601 kg.
    expect(nox.projectedYearKg).toBeCloseTo(18.601, 2);
    expect(nox).toMatchObject({ permitDailyKg: 20, permitAnnualKg: 6000, daily: 'ok', annual: 'ok' });
    // Only pollutants with a permit: SO2, NOx, dust at the stack; COD at the outlet.
    expect(massTotals(store, outlets, now, 'Asia/Shanghai').map((t) => `${t.outlet}.${t.code}`)).toEqual(['stack.a21026', 'stack.a21002', 'stack.a34013', 'effluent.w01018']);
  });
});

describe('emission conditions as ISA-18.2 alarms', () => {
  const plant = loadPlantFile('config/demo-plant.yaml');
  it('one point per outlet and condition, on the outlet\'s machine', () => {
    const keys = emissionAlarmSpecs(outlets).map((s) => `${s.id}@${s.source}`);
    expect(keys).toContain('emission-stack-hour-a21002@furnace');
    expect(keys).toContain('emission-stack-permit-year-a21002@furnace');
    expect(keys).toContain('emission-effluent-day-w01018@furnace');
    expect(keys).toContain('emission-effluent-calibration-overdue@furnace');
    expect(keys).toContain('emission-stack-data-loss@furnace');
    expect(keys).not.toContain('emission-stack-permit-year-a34013@furnace'); // dust has no annual permit
    expect(new Set(keys).size).toBe(keys.length);
  });
  it('an hour over its limit raises the alarm with catalogue advice in en and zh-CN; acknowledged and gone when compliant', () => {
    let t = T0 + H;
    const engine = createAlarmEngine({ plant, settings: alarmSettings(plant.alarms), now: () => t });
    const feed = bindEmissionAlarms(engine, outlets);
    const c = new ConditionTracker(outlets, T0);
    c.update([rec({ period: 'hour', zsAvg: 320, validParts: 58, expectedParts: 60 })], t);
    feed(c.list());
    const view = engine.view('emission-stack-hour-a21002@furnace')!;
    expect(view).toMatchObject({ state: 'active-unacked', kind: 'derived', priority: 'high', value: 320, faultCode: 1801 });
    expect(view.message).toBe('Furnace stack DA001: NOx hourly converted average 320 over the limit 300');
    const catalogue = loadFaultCatalogue();
    expect(lookupFault(catalogue, 'furnace', view.faultCode!, 'en')).toMatchObject({ known: true, title: 'Hourly emission limit exceeded' });
    expect(lookupFault(catalogue, 'furnace', view.faultCode!, 'zh-CN')).toMatchObject({ known: true, title: '小时均值超标' });
    engine.ack(view.key, 'maintenance');
    t += H;
    c.update([rec({ period: 'hour', start: T0 + H, zsAvg: 250, validParts: 60, expectedParts: 60 })], t);
    feed(c.list());
    expect(engine.view('emission-stack-hour-a21002@furnace')!.state).toBe('normal');
  });
});

describe('calibration overdue across a restart', () => {
  it('counts from the last calibration stored before the restart, not from the start', async () => {
    const { openEmissionStore } = await import('../../edge/emissions/emission-store.js');
    const { createEmissionMonitor } = await import('../../edge/emissions/emission-monitor.js');
    const plant = loadPlantFile('config/demo-plant.yaml');
    const store = openEmissionStore(':memory:');
    // The stack was last calibrated at T0 (minute flagged C) and recorded normally for 30 h since; the water outlet has no records.
    store.putRecords([rec({ start: T0, flag: 'C', code: 'a21026' }), rec({ start: T0 + 30 * H, code: 'a21026' })]);
    const t = T0 + 30 * H + M;
    const monitor = createEmissionMonitor({ plant, store, now: () => t, log: () => {}, env: {} });
    const overdue = monitor.conditions().filter((c) => c.kind === 'calibration-overdue');
    // 30 h since the stack's calibration ended (T0 + 1 min) against its 24 h; the effluent starts counting now.
    expect(overdue.map((c) => [c.outlet, Math.round(c.value!)])).toEqual([['stack', 30]]);
    await monitor.stop();
    store.close();
  });
});
