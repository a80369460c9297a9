// Conditions the emissions module raises from its closed records (edge/emissions/emission-conditions.ts).
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { ConditionTracker } from '../../edge/emissions/emission-conditions.js';
import type { EmissionRecord } from '../../edge/emissions/emission-store.js';

const outlets = loadPlantFile('config/demo-plant.yaml').emissions!.outlets;
const T0 = Date.parse('2026-11-03T00:00:00+08:00');
const M = 60_000;
const H = 3_600_000;
const day = (ts: number) => T0 + Math.floor((ts - T0) / (24 * H)) * 24 * H;
const rec = (r: Partial<EmissionRecord>): EmissionRecord => ({
  period: 'minute', outlet: 'stack', code: 'a21002', start: T0, avg: 100, min: 90, max: 110, zsAvg: 130, zsMin: null, zsMax: null, cou: 0.01, flag: 'N', validParts: 12, expectedParts: 12, ...r,
});

describe('emission conditions', () => {
  it('an hour over its converted limit starts a condition; a compliant hour ends it', () => {
    const c = new ConditionTracker(outlets, T0);
    const started = c.update([rec({ period: 'hour', zsAvg: 320, validParts: 58, expectedParts: 60 })], T0 + H, day);
    expect(started).toMatchObject([{ kind: 'hour-over-limit', outlet: 'stack', code: 'a21002', value: 320, limit: 300 }]);
    expect(started[0]!.zh).toContain('小时均值');
    c.update([rec({ period: 'hour', start: T0 + H, zsAvg: 250, validParts: 60, expectedParts: 60 })], T0 + 2 * H, day);
    expect(c.list()).toEqual([]);
  });
  it('an invalid hour is not judged against the limit', () => {
    const c = new ConditionTracker(outlets, T0);
    expect(c.update([rec({ period: 'hour', zsAvg: 320, validParts: 40, expectedParts: 60, flag: 'C' })], T0 + H, day)).toEqual([]);
  });
  it('five minutes without data are lost data', () => {
    const c = new ConditionTracker(outlets, T0);
    const lost = Array.from({ length: 5 }, (_, i) => rec({ start: T0 + i * M, avg: null, zsAvg: null, cou: null, flag: 'B', validParts: 0 }));
    expect(c.update(lost.slice(0, 4), T0 + 4 * M, day)).toEqual([]);
    expect(c.update(lost.slice(4), T0 + 5 * M, day)).toMatchObject([{ kind: 'data-loss', since: T0, value: 5 }]);
  });
  it("the day's mass over the permit, and a calibration overdue after 24 h without one", () => {
    const c = new ConditionTracker(outlets, T0);
    const minutes = Array.from({ length: 30 }, (_, i) => rec({ start: T0 + i * M, cou: 0.7 }));
    expect(c.update(minutes, T0 + 30 * M, day).map((x) => x.kind)).toEqual(['daily-permit-exceeded']);
    expect(c.update([], T0 + 25 * H, day).map((x) => `${x.kind} ${x.outlet}`)).toEqual(['calibration-overdue stack', 'calibration-overdue effluent']);
    c.update([rec({ start: T0 + 25 * H, flag: 'C', avg: null, zsAvg: null, validParts: 0 })], T0 + 25 * H + M, day);
    expect(c.list().filter((x) => x.kind === 'calibration-overdue').map((x) => x.outlet)).toEqual(['effluent']);
  });
});
