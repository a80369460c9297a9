import { describe, expect, it } from 'vitest';
import { ShiftCalendarSchema, type ShiftCalendarConfig } from '../plant-schema.js';
import { shiftAt, shiftsBetween, shiftInstance } from './shift-calendar.js';
import { fromLocal, toLocal } from './zoned-time.js';

const H = 3_600_000;
const iso = (s: string): number => Date.parse(s);

const threeShifts: ShiftCalendarConfig = ShiftCalendarSchema.parse({
  shifts: [
    { name: 'Early', start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '10:20' }] },
    { name: 'Late', start: '14:00', end: '22:00' },
    { name: 'Night', start: '22:00', end: '06:00', breaks: [{ start: '02:00', end: '02:20', reason: 'meal' }] },
  ],
});

describe('zoned time', () => {
  it('resolves wall times in a zone without DST', () => {
    expect(fromLocal({ year: 2026, month: 11, day: 2 }, 8, 0, 'Asia/Shanghai')).toBe(iso('2026-11-02T08:00:00+08:00'));
    expect(toLocal(iso('2026-11-02T00:30:00Z'), 'Asia/Shanghai')).toMatchObject({ year: 2026, month: 11, day: 2, hour: 8, minute: 30 });
  });

  it('takes the first of a repeated wall time and skips forward over a missing one (Temporal "compatible")', () => {
    // Europe/Berlin falls back 03:00 CEST → 02:00 CET on 2026-10-25: 02:30 happens twice.
    expect(fromLocal({ year: 2026, month: 10, day: 25 }, 2, 30, 'Europe/Berlin')).toBe(iso('2026-10-25T02:30:00+02:00'));
    // It springs forward 02:00 CET → 03:00 CEST on 2026-03-29: 02:30 does not exist.
    expect(fromLocal({ year: 2026, month: 3, day: 29 }, 2, 30, 'Europe/Berlin')).toBe(iso('2026-03-29T03:30:00+02:00'));
  });
});

describe('shift calendar', () => {
  it('finds the shift at an instant, including a night shift that crosses midnight', () => {
    const tz = 'Asia/Shanghai';
    expect(shiftAt(threeShifts, tz, iso('2026-11-02T09:00:00+08:00'))).toMatchObject({
      name: 'Early', date: '2026-11-02', start: iso('2026-11-02T06:00:00+08:00'), end: iso('2026-11-02T14:00:00+08:00'),
      plannedStops: [{ start: iso('2026-11-02T10:00:00+08:00'), end: iso('2026-11-02T10:20:00+08:00'), reason: 'break' }],
    });
    const night = shiftAt(threeShifts, tz, iso('2026-11-03T01:00:00+08:00'));
    expect(night).toMatchObject({
      name: 'Night', date: '2026-11-02', start: iso('2026-11-02T22:00:00+08:00'), end: iso('2026-11-03T06:00:00+08:00'),
      plannedStops: [{ start: iso('2026-11-03T02:00:00+08:00'), end: iso('2026-11-03T02:20:00+08:00'), reason: 'meal' }],
    });
    // Boundaries: start inclusive, end exclusive.
    expect(shiftAt(threeShifts, tz, iso('2026-11-02T14:00:00+08:00'))?.name).toBe('Late');
    expect(shiftAt(threeShifts, tz, iso('2026-11-02T13:59:59.999+08:00'))?.name).toBe('Early');
  });

  it('gives a night shift across the spring-forward change 7 hours and across the fall-back change 9 hours', () => {
    const tz = 'Europe/Berlin';
    const spring = shiftAt(threeShifts, tz, iso('2026-03-29T01:00:00+01:00'))!;
    expect(spring.name).toBe('Night');
    expect(spring.end - spring.start).toBe(7 * H);
    const fall = shiftAt(threeShifts, tz, iso('2026-10-25T01:00:00+02:00'))!;
    expect(fall.name).toBe('Night');
    expect(fall.end - fall.start).toBe(9 * H);
    // The 02:00–02:20 meal break on the fall-back night is the first 02:00 (CEST).
    expect(fall.plannedStops[0]).toEqual({ start: iso('2026-10-25T02:00:00+02:00'), end: iso('2026-10-25T02:20:00+02:00'), reason: 'meal' });
    // New York: 2026-03-08 springs forward, 2026-11-01 falls back.
    const ny = shiftsBetween(threeShifts, 'America/New_York', iso('2026-11-01T00:00:00-04:00'), iso('2026-11-02T00:00:00-05:00'));
    expect(ny.map((s) => [s.name, (s.end - s.start) / H])).toEqual([['Night', 9], ['Early', 8], ['Late', 8], ['Night', 8]]);
  });

  it('skips non-working weekdays and dates; a Friday night shift still runs into Saturday', () => {
    const cal = ShiftCalendarSchema.parse({ ...threeShifts, workingDays: [1, 2, 3, 4, 5], nonWorkingDates: ['2026-10-01'] });
    const tz = 'Asia/Shanghai';
    // 2026-10-03 is a Saturday.
    expect(shiftAt(cal, tz, iso('2026-10-03T09:00:00+08:00'))).toBeNull();
    expect(shiftAt(cal, tz, iso('2026-10-03T03:00:00+08:00'))).toMatchObject({ name: 'Night', date: '2026-10-02' });
    expect(shiftAt(cal, tz, iso('2026-10-01T09:00:00+08:00'))).toBeNull();
    expect(shiftAt(cal, tz, iso('2026-10-02T09:00:00+08:00'))?.name).toBe('Early');
  });

  it('treats equal start and end as a 24-hour shift', () => {
    const s = shiftInstance({ name: 'Day', start: '07:00', end: '07:00', breaks: [] }, { year: 2026, month: 6, day: 1 }, 'UTC');
    expect(s.end - s.start).toBe(24 * H);
  });
});
