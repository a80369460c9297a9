import { describe, expect, it } from 'vitest';
import { kpiTestPlant, manualClock } from '../../test/kpi/plant-fixture.js';
import { createLiveKpiEngine } from './live-kpi-engine.js';

const iso = (s: string): number => Date.parse(s);
const MIN = 60_000;

describe('live KPI engine', () => {
  // The classic worked example (Vorne Industries, "OEE Calculation", oee.com/calculating-oee):
  // 8 h shift, 2 × 15 min breaks + 30 min meal = 420 min planned production time,
  // 47 min down time, ideal cycle time 1.0 s, 19,271 total pieces, 423 rejects.
  // Availability 373/420 = 88.81 %, performance 19,271 s / 22,380 s = 86.11 %,
  // quality 18,848/19,271 = 97.80 %, OEE 74.79 % (oee.com rounds the factors first: 74.80 %).
  it('reproduces the oee.com worked example over a live shift, then rolls over', () => {
    const plant = kpiTestPlant();
    const clock = manualClock(iso('2026-11-02T07:59:00+08:00'));
    const closed: string[] = [];
    const engine = createLiveKpiEngine({ plant, now: clock.now, onShiftClosed: (c) => closed.push(`${c.machineId}:${c.shift.name}:${c.shift.date}`) });
    engine.onState('mill', 'running', iso('2026-11-02T07:59:30+08:00'));
    clock.set(iso('2026-11-02T08:00:00+08:00'));
    expect(engine.machine('mill')).toMatchObject({ shift: { name: 'Day' }, counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0 });

    // Counts arrive in small deltas all through the shift, energy too.
    const start = iso('2026-11-02T08:00:00+08:00');
    let total = 0;
    let good = 0;
    for (let i = 1; i <= 480; i++) {
      const ts = start + i * MIN - 1;
      const t = i === 480 ? 19271 - total : 40;
      const g = i === 480 ? 18848 - good : (i % 10 === 0 ? 31 : 40);
      total += t;
      good += g;
      engine.onCounts('mill', t, g, ts);
      engine.onEnergy('mill', 0.1, ts);
      if (i === 62) engine.onState('mill', 'down', iso('2026-11-02T11:02:00+08:00'), 'spindle-fault');
      if (i === 109) engine.onState('mill', 'running', iso('2026-11-02T11:49:00+08:00'));
      if (i === 200) {
        clock.set(ts);
        const mid = engine.machine('mill');
        expect(mid.counts.total).toBe(total);
        expect(mid.oee.availability).toBeLessThan(1);
      }
    }
    expect(total).toBe(19271);
    expect(good).toBe(18848);
    clock.set(iso('2026-11-02T15:59:59.999+08:00'));
    const end = engine.machine('mill');
    expect(end.counts).toEqual({ total: 19271, good: 18848, scrap: 423 });
    expect(end.oee.availability).toBeCloseTo(373 / 420, 4);
    expect(end.oee.performance).toBeCloseTo(19271 / (373 * 60), 4);
    expect(end.oee.quality).toBeCloseTo(18848 / 19271, 6);
    expect(end.oee.oee).toBeCloseTo(0.7479, 4);
    expect(end.energyKWh).toBeCloseTo(48, 9);

    // Next day 08:00 the Day shift starts again with fresh counts; the old one is closed.
    clock.set(iso('2026-11-03T08:00:01+08:00'));
    const next = engine.machine('mill');
    expect(next.shift?.start).toBe(iso('2026-11-03T08:00:00+08:00'));
    expect(next.counts.total).toBe(0);
    expect(next.energyKWh).toBe(0);
    engine.onCounts('mill', 2, 2, iso('2026-11-03T08:00:02+08:00'));
    expect(closed).toEqual(['mill:Day:2026-11-02']);
    const [day] = engine.closedShifts('mill');
    expect(day!.totals.counts).toEqual({ total: 19271, good: 18848 });
    expect(day!.totals.times.productionMs).toBe(373 * MIN);
    expect(day!.totals.times.breakdownMs).toBe(47 * MIN);
    expect(day!.totals.times.plannedDownMs).toBe(60 * MIN);
  });

  it('reports no shift and neutral KPIs between shifts and for machines never heard from', () => {
    const plant = kpiTestPlant();
    const clock = manualClock(iso('2026-11-02T20:00:00+08:00'));
    const engine = createLiveKpiEngine({ plant, now: clock.now });
    expect(engine.machine('mill')).toEqual({
      shift: null, oee: { availability: 0, performance: 0, quality: 1, oee: 0 }, counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0, counting: 'none', // the fixture's mill has a state tag only
    });
    clock.set(iso('2026-11-03T09:00:00+08:00'));
    // Nothing known since the engine started: the whole shift so far is no-data.
    const m = engine.machine('washer');
    expect(m.shift?.name).toBe('Day');
    expect(m.oee.availability).toBe(0);
    expect(engine.details('washer')!.kpis.times.noDataTime).toBe(3600);
    expect(() => engine.machine('nope')).toThrow(/unknown machine "nope"/);
  });

  it('explains the current shift, books energy in a break as planned-stop, and gives line and day KPIs', () => {
    const plant = kpiTestPlant();
    const clock = manualClock(iso('2026-11-02T08:00:00+08:00'));
    const engine = createLiveKpiEngine({ plant, now: clock.now });
    engine.onState('mill', 'running', iso('2026-11-02T08:00:00+08:00'));
    engine.onState('washer', 'running', iso('2026-11-02T08:00:00+08:00'));
    engine.onCounts('mill', 3000, 2970, iso('2026-11-02T09:00:00+08:00'));
    engine.onCounts('washer', 7000, 7000, iso('2026-11-02T09:00:00+08:00'));
    engine.onState('mill', 'down', iso('2026-11-02T09:30:00+08:00'), 'E042 spindle overload');
    engine.onEnergy('mill', 2, iso('2026-11-02T09:45:00+08:00'));
    engine.onEnergy('mill', 1, iso('2026-11-02T10:05:00+08:00')); // in the 10:00 break
    engine.onState('mill', 'running', iso('2026-11-02T10:30:00+08:00'));
    engine.onState('washer', 'idle', iso('2026-11-02T10:30:00+08:00'), 'starved');
    clock.set(iso('2026-11-02T11:00:00+08:00'));

    const r = engine.report('mill')!;
    expect(r.shift).toMatchObject({ name: 'Day', date: '2026-11-02' });
    // 3 h elapsed, 15 min break, 45 min down (15 min of the stop fall in the break).
    expect(r.kpis.times).toMatchObject({ plannedOperationTime: 10800, plannedDownTime: 900, breakdownTime: 2700, actualProductionTime: 7200 });
    expect(r.kpis.explain.availability.inputs).toMatchObject({ APT: 7200, PBT: 9900 });
    expect(r.losses.byReason.find((l) => l.reason === 'E042 spindle overload')).toMatchObject({ category: 'equipment-failure', seconds: 2700, events: 1 });
    expect(r.energy.byState).toMatchObject({ down: 2, 'planned-stop': 1 });
    expect(r.energy.co2eKg).toBeCloseTo(3 * 0.5, 12);

    const line = engine.line()!;
    expect(line.bottleneck).toBe('mill'); // 1.0 s ideal cycle vs the washer's 0.5 s
    expect(line.oee).toBeCloseTo(r.kpis.oee, 12);
    expect(line.aggregate.counts.total).toBe(10000);

    const day = engine.period('mill', 'day');
    expect(day.period.start).toBe(iso('2026-11-02T00:00:00+08:00'));
    expect(day.kpis.oee).toBeCloseTo(r.kpis.oee, 12);
    // TEEP over the day so far: 11 h of calendar time.
    expect(day.kpis.utilisation).toBeCloseTo(9900 / (11 * 3600), 12);
  });

  it('takes micro-stop settings from the plant file', () => {
    const plant = { ...kpiTestPlant(), kpi: { microStopThresholdSeconds: 30, microStopsAs: 'performance' as const } };
    const clock = manualClock(iso('2026-11-02T08:00:00+08:00'));
    const engine = createLiveKpiEngine({ plant, now: clock.now });
    engine.onState('mill', 'running', iso('2026-11-02T08:00:00+08:00'));
    engine.onState('mill', 'down', iso('2026-11-02T08:10:00+08:00'), 'jam');
    engine.onState('mill', 'running', iso('2026-11-02T08:10:40+08:00')); // 40 s ≥ 30 s: a breakdown
    engine.onState('mill', 'down', iso('2026-11-02T08:20:00+08:00'), 'jam');
    engine.onState('mill', 'running', iso('2026-11-02T08:20:20+08:00')); // 20 s: a micro-stop
    clock.set(iso('2026-11-02T08:30:00+08:00'));
    const k = engine.details('mill')!.kpis;
    expect(k.stops).toMatchObject({ breakdowns: 1, microStops: 1 });
    expect(k.times.microStopTime).toBe(20);
    expect(k.availability).toBeCloseTo((1800 - 40) / 1800, 12); // micro-stop booked under performance
  });

  it('a line without machines still has its calendar shift; no line KPIs', () => {
    const plant = { ...kpiTestPlant(), machines: [] };
    const clock = manualClock(iso('2026-11-02T09:00:00+08:00'));
    const engine = createLiveKpiEngine({ plant, now: clock.now });
    expect(engine.line()).toBeNull();
    expect(engine.shift()).toEqual({ name: 'Day', date: '2026-11-02', start: iso('2026-11-02T08:00:00+08:00'), end: iso('2026-11-02T16:00:00+08:00') });
    clock.set(iso('2026-11-02T17:00:00+08:00'));
    expect(engine.shift()).toBeNull();
  });
});
