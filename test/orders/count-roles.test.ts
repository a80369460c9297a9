// Counting any machine honestly (issue 23.1): every way a real machine counts yields total and
// good parts; a part counter alone means good parts until scrap is booked. Worked examples by hand.
import { describe, expect, it } from 'vitest';
import { PlantSchema, type PlantInput, type TagRole } from '../../shared/plant-schema.js';
import { countingModeOf } from '../../shared/count-roles.js';
import { createPlantModel, type ModelEvent } from '../../edge/model/index.js';
import { createLiveKpiEngine } from '../../edge/kpi/index.js';
import { computeShiftReport, ShiftReportInputSchema } from '../../shared/kpi/index.js';

function plantWith(roles: TagRole[]) {
  const tags = [{ name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } },
    ...roles.map((role, i) => ({ name: role, role, type: 'uint32', modbus: { table: 'holding', address: 2 + 2 * i } }))];
  const input: PlantInput = {
    site: { id: 's', name: 'Site', timezone: 'UTC' }, line: { id: 'l', name: 'Line' },
    calendar: { shifts: [{ name: 'Day', start: '00:00', end: '00:00' }] },
    devices: [{ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1' }],
    machines: [{ id: 'press', name: 'Press', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0 }, tags } as never],
  };
  return PlantSchema.parse(input);
}
const s = (tag: string, value: number, ts: number) => ({ tag: `press.${tag}`, value, quality: 'good' as const, ts, receivedTs: ts });
const countsOf = (events: ModelEvent[]) => events.filter((e) => e.kind === 'count').map((e) => e.kind === 'count' && [e.deltaTotal, e.deltaGood]);

describe('count roles', () => {
  it('names the way each machine counts from its counter tags', () => {
    expect(countingModeOf(plantWith(['totalCount', 'goodCount']).machines[0]!)).toBe('total+good');
    expect(countingModeOf(plantWith(['totalCount', 'scrapCount']).machines[0]!)).toBe('total+scrap');
    expect(countingModeOf(plantWith(['goodCount', 'scrapCount']).machines[0]!)).toBe('good+scrap');
    expect(countingModeOf(plantWith(['totalCount']).machines[0]!)).toBe('total-only');
  });

  it('turns counter deltas into total and good parts for every counting mode', () => {
    const cases: [TagRole[], Record<string, [number, number]>, [number, number]][] = [
      // roles, readings (baseline, next), expected [deltaTotal, deltaGood]
      [['totalCount', 'goodCount'], { totalCount: [100, 110], goodCount: [90, 99] }, [10, 9]],
      [['totalCount', 'scrapCount'], { totalCount: [100, 110], scrapCount: [5, 7] }, [10, 8]],
      [['goodCount', 'scrapCount'], { goodCount: [90, 99], scrapCount: [5, 7] }, [11, 9]],
      [['totalCount'], { totalCount: [100, 110] }, [10, 10]],
    ];
    for (const [roles, readings, expected] of cases) {
      const model = createPlantModel(plantWith(roles), 0);
      model.apply(Object.entries(readings).map(([tag, [a]]) => s(tag, a, 1)));
      expect(countsOf(model.apply(Object.entries(readings).map(([tag, [, b]]) => s(tag, b, 2)))), roles.join('+')).toEqual([expected]);
    }
  });

  it('a reject counting a poll after its part gives a negative good delta that sums right', () => {
    const model = createPlantModel(plantWith(['totalCount', 'scrapCount']), 0);
    model.apply([s('totalCount', 0, 1), s('scrapCount', 0, 1)]);
    expect(countsOf(model.apply([s('totalCount', 1, 2)]))).toEqual([[1, 1]]);
    expect(countsOf(model.apply([s('scrapCount', 1, 3)]))).toEqual([[0, -1]]);
  });

  it('gives a total-only machine quality 100 % until scrap is booked, then total − scrap over total', () => {
    const plant = plantWith(['totalCount']);
    const start = Date.parse('2026-11-02T08:00:00Z');
    let t = start;
    const engine = createLiveKpiEngine({ plant, now: () => t });
    const model = createPlantModel(plant, start);
    const feed = (events: ModelEvent[]) => events.forEach((e) => {
      if (e.kind === 'state') engine.onState('press', e.state, e.ts);
      if (e.kind === 'count') engine.onCounts('press', e.deltaTotal, e.deltaGood, e.ts);
    });
    feed(model.apply([s('state', 1, start), s('totalCount', 1000, start)]));
    t = start + 1000_000;
    feed(model.apply([s('totalCount', 1100, t)])); // 100 parts in 1000 s at 10 s ideal: performance 1
    expect(engine.machine('press')).toMatchObject({ counts: { total: 100, good: 100, scrap: 0 }, oee: { quality: 1, availability: 1, performance: 1 }, counting: 'total-only' });
    engine.onCounts('press', 0, -4, t); // 4 parts booked as scrap
    expect(engine.machine('press').oee.quality).toBeCloseTo(0.96, 10);
    expect(engine.report('press')!.kpis.explain.quality.formula).toMatch(/part counter only: every part is good until scrap is booked/);
  });

  it('the report CLI takes a part counter and booked scrap: quality = (total − scrap) / total', () => {
    const input = ShiftReportInputSchema.parse({
      timezone: 'UTC', shift: { start: '2026-11-02T08:00:00Z', end: '2026-11-02T09:00:00Z' }, idealCycleTimeSeconds: 10,
      states: [{ start: '2026-11-02T08:00:00Z', end: '2026-11-02T09:00:00Z', state: 'running' }], counts: { total: 300, scrap: 12 },
    });
    const report = computeShiftReport(input);
    expect(report.quality).toBeCloseTo(288 / 300, 10);
    expect(report.counts).toEqual({ total: 300, good: 288, scrap: 12 });
    const totalOnly = computeShiftReport(ShiftReportInputSchema.parse({ ...input, shift: { start: '2026-11-02T08:00:00Z', end: '2026-11-02T09:00:00Z' }, states: [], counts: { total: 300 } }));
    expect(totalOnly.quality).toBe(1);
    expect(ShiftReportInputSchema.safeParse({ ...input, shift: { start: '2026-11-02T08:00:00Z', end: '2026-11-02T09:00:00Z' }, counts: { total: 3, good: 2, scrap: 1 } }).success).toBe(false);
  });
});
