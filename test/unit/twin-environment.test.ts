// The environment view's figures (twin-ui/src/ui/environment/environment-model.ts): limits on the
// converted value for flue gas and on the measured value for wastewater, HJ 75 hour validity,
// today's mass against the permit, and the outlet's worst status.
import { describe, expect, it } from 'vitest';
import { outletView, statusOf, type ApiOutlet, type ApiRecord } from '../../twin-ui/src/ui/environment/environment-model.js';
import { dayReportHtml } from '../../twin-ui/src/ui/environment/day-report-view.js';
import type { EmissionDayReport } from '../../shared/emission-api.js';

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
  it("today's average is the mean of the valid hours only, with their count (HJ 75: 20 make a day)", () => {
    const hours = [hour('a21002', 200, 60, 'N', 1), hour('a21002', null, 40, 'C', 1), hour('a21002', 260, 50, 'N', 1)];
    expect(outletView(stack, hours).rows[0]!.day).toEqual({ value: 230, validHours: 2 });
    expect(outletView(stack, []).rows[0]!.day).toBeNull();
  });
  it('statuses', () => {
    expect(statusOf(301, 300, 'N')).toBe('over');
    expect(statusOf(100, 300, 'D')).toBe('invalid');
    expect(statusOf(null, 300, 'N')).toBe('none');
  });
});

describe('environment view: the year against the annual permit', () => {
  // A calm stack: 120 of 300 mg/m³ converted, so only the year can colour it.
  const calm: ApiOutlet = { ...stack, latest: { ...stack.latest!, factors: [{ code: 'a21002', value: 100, flag: 'N', zs: 120, rate: 1 }, stack.latest!.factors[1]!] } };
  const total = (annual: string, yearKg: number) => ({ outlet: 'stack', code: 'a21002', todayKg: 3, yearKg, projectedYearKg: yearKg * 1.2, permitDailyKg: 20, permitAnnualKg: 6000, daily: 'ok', annual });
  it("takes today's mass from the edge's totals (the open hour too) and shows the year", () => {
    const row = outletView(calm, [hour('a21002', 100, 60, 'N', 2)], [total('ok', 1200)]).rows[0]!;
    expect(row).toMatchObject({ todayKg: 3, yearKg: 1200, projectedYearKg: 1440, status: 'ok' });
  });
  it('a year approaching its permit is amber, over it red', () => {
    expect(outletView(calm, [hour('a21002', 100, 60, 'N', 2)], [total('approaching', 5000)]).worst).toBe('warn');
    expect(outletView(calm, [hour('a21002', 100, 60, 'N', 2)], [total('exceeded', 6100)]).worst).toBe('over');
  });
});

describe('the printable daily report', () => {
  const report: EmissionDayReport = {
    date: '2026-11-03', timezone: 'Asia/Shanghai', from: Date.parse('2026-11-03T00:00:00+08:00'), to: Date.parse('2026-11-04T00:00:00+08:00'), open: false,
    generatedAt: Date.parse('2026-11-04T08:05:00+08:00'),
    outlets: [{
      id: 'stack', name: 'Stack DA001', kind: 'flue-gas', mn: 'MN1', referenceO2: 9,
      factors: [{ code: 'a21002', name: 'NOx', unit: 'mg/m3', role: 'pollutant', hourLimit: 300, dayLimit: null, permitDailyKg: 20, permitAnnualKg: 6000 }],
      hours: [
        { start: Date.parse('2026-11-03T09:00:00+08:00'), cells: { a21002: { avg: 240, min: 200, max: 280, zsAvg: 330, cou: 1.25, flag: 'N', validParts: 60, expectedParts: 60, over: true } } },
        { start: Date.parse('2026-11-03T03:00:00+08:00'), cells: { a21002: { avg: null, min: null, max: null, zsAvg: null, cou: 0.2, flag: 'C', validParts: 40, expectedParts: 60, over: false } } },
      ],
      day: { a21002: { avg: 150, min: 90, max: 280, zsAvg: 190, cou: 21, flag: 'N', validParts: 23, expectedParts: 24, over: false } },
      mass: [{ code: 'a21002', dayKg: 21, yearKg: 6100, permitDailyKg: 20, permitAnnualKg: 6000 }],
    }],
  };
  it('marks the hour over its limit, shows an invalid hour by its flag, and the mass over the permits', () => {
    const html = dayReportHtml(report, 'en');
    // No DOM in unit tests: the cells of one row as [class, text] pairs.
    const row = (start: string) => {
      const tr = new RegExp(`${start}(.*?)</tr>`).exec(html)![1]!;
      return [...tr.matchAll(/<td(?: class="([^"]*)")?>([^<]*)<\/td>/g)].map((m) => [(m[1] ?? '').trim(), m[2]!]);
    };
    expect(row('<tr data-hour="9">')).toEqual([['env-r-over', '240.00'], ['env-r-over', '330.00'], ['', '1.250'], ['env-r-flag env-r-over', 'N']]);
    expect(row('<tr data-hour="3">')).toEqual([['env-r-invalid', '—'], ['env-r-invalid', '—'], ['', '0.200'], ['env-r-flag env-r-invalid', 'C']]);
    expect(row('<tr data-code="a21002">')).toEqual([['env-r-over', '21.000'], ['', '20.0'], ['env-r-over', '6100.0'], ['', '6000']]);
    expect(dayReportHtml(report, 'zh-CN')).toContain('排放日报表');
  });
});
