// An injected NOx exceedance, end to end without sockets: the simulator's furnace publishes its
// analyser readings, the edge's emissions module samples them every 5 s (as it would read them
// over Modbus), closes the hour by HJ 75 and raises the hourly-limit alarm in the real ISA-18.2
// alarm engine; the hour, the alarm's value, today's mass and the daily report are checked
// against the simulator's ground truth, not against the module's own output.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createLineModel } from '../../plc-sim/line-model.js';
import { resolveScenario } from '../../plc-sim/scenario.js';
import { attachFurnace } from '../../plc-sim/furnace.js';
import { createEmissionMonitor } from '../../edge/emissions/emission-monitor.js';
import { openEmissionStore } from '../../edge/emissions/emission-store.js';
import { buildDayReport, csvLines } from '../../edge/emissions/day-report.js';
import { createAlarmEngine } from '../../edge/alarms/alarm-engine.js';
import { alarmSettings } from '../../shared/alarm-rules.js';
import { TagChanges } from '../../edge/model/tag-changes.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const H = 3_600_000;
const M = 60_000;
// A Tuesday morning: no calibration (03:00/04:00) and no Wednesday maintenance in the window.
const START = Date.parse('2026-11-03T09:00:00+08:00');
const dir = mkdtempSync(join(tmpdir(), 'twinline-emalarm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an injected exceedance through the emissions module and the alarm engine', () => {
  it('the hour over 300 mg/m³ raises emission-stack-hour-a21002@furnace with the true hour average; mass and report agree with the truth', async () => {
    const model = createLineModel({ plant, scenario: resolveScenario(plant), seed: 11, startTime: START });
    const furnace = attachFurnace(model, { plant, seed: 11, startTime: START })!;
    let t = START;
    const engine = createAlarmEngine({ plant, settings: alarmSettings(plant.alarms), now: () => t });
    const store = openEmissionStore(join(dir, 'edge.db'));
    const logged: string[] = [];
    // No platform password in env: the module runs without links (transmission is tested elsewhere).
    const monitor = createEmissionMonitor({ plant, store, now: () => t, log: (_l, m) => logged.push(m), env: {}, alarms: engine });
    furnace.inject({ kind: 'exceedance', outlet: 'stack', code: 'a21002', factor: 3, minutes: 70 });
    for (; t <= START + H + 2 * M; t += 5000) {
      model.advanceTo(t);
      const signals = furnace.signals();
      const changes = TagChanges.from(Object.entries(signals).map(([tagName, value]) => ({ machineId: 'furnace', tagName, value, quality: 'good' as const, ts: t, receivedTs: t })));
      monitor.onModelEvents([{ kind: 'tags', changes }]);
      monitor.tick(t);
    }

    const truth = furnace.truth.hour('stack', 'a21002', START);
    expect(truth.valid, JSON.stringify({ ...truth, flags: furnace.truth.minutes("stack", "a21002", START, START + H).map((m) => m.flag).join("") })).toBe(true);
    expect(truth.zsAvg!).toBeGreaterThan(300);
    const hour = store.records('hour', 'stack', START, START + 1).find((r) => r.code === 'a21002')!;
    expect(Math.abs(hour.zsAvg! - truth.zsAvg!) / truth.zsAvg!).toBeLessThan(0.01);

    const alarm = engine.view('emission-stack-hour-a21002@furnace')!;
    expect(alarm).toMatchObject({ state: 'active-unacked', kind: 'derived', priority: 'high', faultCode: 1801 });
    expect(Math.abs(alarm.value! - truth.zsAvg!) / truth.zsAvg!).toBeLessThan(0.01);
    expect(monitor.conditions().map((c) => c.kind)).toContain('hour-over-limit');
    expect(logged.some((l) => l.includes('hourly') || l.includes('hour average'))).toBe(true);

    // Today's mass: the valid hour plus the open hour's valid minutes, by the truth's own minutes.
    const openMinutes = furnace.truth.minutes('stack', 'a21002', START + H, Math.floor(t / M) * M - M + 1)
      .filter((m) => m.flag === 'N' || m.flag === 'T' || m.flag === 'S');
    const expectedToday = truth.cou! + openMinutes.reduce((s, m) => s + (m.cou ?? 0), 0);
    const nox = monitor.totals().find((x) => x.outlet === 'stack' && x.code === 'a21002')!;
    expect(Math.abs(nox.todayKg - expectedToday) / expectedToday).toBeLessThan(0.02);
    expect(nox.yearKg).toBeCloseTo(nox.todayKg, 9); // nothing stored before today

    const report = buildDayReport({
      date: '2026-11-03', timezone: plant.site.timezone, from: Date.parse('2026-11-03T00:00:00+08:00'), to: Date.parse('2026-11-04T00:00:00+08:00'),
      yearStart: Date.parse('2026-01-01T00:00:00+08:00'), now: t, outlets: plant.emissions!.outlets, records: (p, o, a, b) => store.records(p, o, a, b),
    });
    const stack = report.outlets.find((o) => o.id === 'stack')!;
    const cell = stack.hours.find((h) => h.start === START)!.cells.a21002!;
    expect(cell.over).toBe(true);
    expect(Math.abs(cell.zsAvg! - truth.zsAvg!) / truth.zsAvg!).toBeLessThan(0.01);
    expect(report.open).toBe(true);
    expect(stack.day.a21002).toBeNull(); // the day has not closed
    // The report's mass of the open day is the module's today (closed hours and the open hour's minutes).
    expect(stack.mass.find((m) => m.code === 'a21002')!.dayKg).toBeCloseTo(nox.todayKg, 9);
    const line = csvLines(report).find((l) => l.startsWith('2026-11-03,stack,') && l.includes(',hour,2026-11-03T09:00') && l.includes(',a21002,'));
    expect(line?.endsWith(',300,true')).toBe(true);

    await monitor.stop();
    store.close();
  }, 60_000);
});
