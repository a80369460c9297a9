// The environment view's figures (twin-ui/src/ui/environment/environment-model.ts): limits on the
// converted value for flue gas and on the measured value for wastewater, HJ 75 hour validity,
// today's mass against the permit, and the outlet's worst status.
import { describe, expect, it } from 'vitest';
import { outletView, statusOf, type ApiOutlet, type ApiRecord } from '../../twin-ui/src/ui/environment/environment-model.js';

const stack: ApiOutlet = {
  id: 'stack', name: 'Stack', kind: 'flue-gas', mn: 'X', referenceO2: 9,
  factors: [
    { code: 'a21002', name: 'NOx', unit: 'mg/m3', role: 'pollutant', limits: { hour: 300 }, permit: { dailyKg: 20 } },
    { code: 'a19001', name: 'O2', unit: '%', role: 'o2', limits: null, permit: null },
  ],
  latest: { ts: 0, status: 'N', factors: [{ code: 'a21002', value: 200, flag: 'N', zs: 250, rate: 1 }, { code: 'a19001', value: 11.4, flag: 'N', zs: null, rate: null }] },
};
const hour = (code: string, zsAvg: number | null, validParts: number, flag: string, cou: number | null): ApiRecord => ({ code, start: 0, avg: 1, zsAvg, cou, flag, validParts, expectedParts: 60 });

describe('environment view', () => {
  it('holds a flue-gas pollutant against its limit on the converted value (250 of 300 is amber)', () => {
    const v = outletView(stack, [hour('a21002', 240, 60, 'N', 2)]);
    expect(v.rows[0]).toMatchObject({ measured: 200, converted: 250, limit: 300, status: 'warn', todayKg: 2, hour: { value: 240, valid: true } });
    expect(v.rows[1]).toMatchObject({ limit: null, status: 'ok' });
    expect(v.worst).toBe('warn');
  });
  it('an hour with too few valid minutes is invalid and outranks a normal value', () => {
    const v = outletView(stack, [hour('a21002', null, 40, 'C', 1)]);
    expect(v.rows[0]!.hour).toMatchObject({ valid: false, flag: 'C' });
    expect(v.worst).toBe('invalid');
  });
  it("today's mass over the daily permit is over, whatever the concentration", () => {
    const hours = Array.from({ length: 12 }, () => hour('a21002', 100, 60, 'N', 2));
    expect(outletView(stack, hours).rows[0]).toMatchObject({ todayKg: 24, status: 'over' });
  });
  it('statuses', () => {
    expect(statusOf(301, 300, 'N')).toBe('over');
    expect(statusOf(100, 300, 'D')).toBe('invalid');
    expect(statusOf(null, 300, 'N')).toBe('none');
  });
});
