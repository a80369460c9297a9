import { describe, expect, it } from 'vitest';
import { calendarWindows } from './calendar-windows.js';
import { meterConsumption } from './meter-readings.js';
import { tariffCost, tariffOverlaps, type TariffPeriod } from './tariff.js';

const dayNight: TariffPeriod[] = [
  { name: 'valley', from: '00:00', to: '08:00', price: 0.3 },
  { name: 'flat', from: '08:00', to: '24:00', price: 0.6 },
];

/** One meter read at two local midnights in Berlin, used evenly over the day between. */
function berlinDay(startIso: string, endIso: string, kWh: number) {
  return meterConsumption(
    [{ ts: Date.parse(startIso), total: 0 }, { ts: Date.parse(endIso), total: kWh }],
    { start: Date.parse(startIso), end: Date.parse(endIso) },
  ).intervals;
}

describe('tariff cost by local clock time', () => {
  it.each([
    // 100 kWh each real hour; the DST day has 23 or 25 of them, and the change falls in the valley.
    { day: 'ordinary day', start: '2026-03-28T00:00:00+01:00', end: '2026-03-29T00:00:00+01:00', kWh: 2400, valley: 800, flat: 1600 },
    { day: 'spring forward (23 h)', start: '2026-03-29T00:00:00+01:00', end: '2026-03-30T00:00:00+02:00', kWh: 2300, valley: 700, flat: 1600 },
    { day: 'fall back (25 h)', start: '2026-10-25T00:00:00+02:00', end: '2026-10-26T00:00:00+01:00', kWh: 2500, valley: 900, flat: 1600 },
  ])('Europe/Berlin $day', ({ start, end, kWh, valley, flat }) => {
    const c = tariffCost(berlinDay(start, end, kWh), dayNight, 'Europe/Berlin');
    expect(c.byPeriod.valley!.units).toBeCloseTo(valley, 9);
    expect(c.byPeriod.flat!.units).toBeCloseTo(flat, 9);
    expect(c.total).toBeCloseTo(valley * 0.3 + flat * 0.6, 9);
    expect(c.unpricedUnits).toBeCloseTo(0, 9);
  });

  it('handles a period across midnight and day types, and leaves gaps unpriced', () => {
    const periods: TariffPeriod[] = [
      { name: 'night', from: '22:00', to: '06:00', price: 0.2, days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      { name: 'weekend', from: '00:00', to: '00:00', price: 0.1, days: ['sat', 'sun'] },
    ];
    // Friday 2026-11-06 20:00 → Saturday 02:00 +08:00, 10 kWh an hour.
    const iv = meterConsumption(
      [{ ts: Date.parse('2026-11-06T20:00:00+08:00'), total: 0 }, { ts: Date.parse('2026-11-07T02:00:00+08:00'), total: 60 }],
      { start: Date.parse('2026-11-06T00:00:00+08:00'), end: Date.parse('2026-11-08T00:00:00+08:00') },
    ).intervals;
    // Friday's night period runs into Saturday, which is all weekend: the input schema
    // rejects that overlap, so it must be reported.
    expect(tariffOverlaps(periods)[0]).toMatch(/periods\[0\] "night" and periods\[1\] "weekend" overlap on sat at 00:00/);
    // Fri 20–22 in no period; Fri 22–24 night; Sat 00–02 weekend.
    const fixed: TariffPeriod[] = [{ ...periods[0]!, to: '24:00' }, periods[1]!];
    expect(tariffOverlaps(fixed)).toEqual([]);
    const d = tariffCost(iv, fixed, 'Asia/Shanghai');
    expect(d.byPeriod.night!.units).toBeCloseTo(20, 9);
    expect(d.byPeriod.weekend!.units).toBeCloseTo(20, 9);
    expect(d.unpricedUnits).toBeCloseTo(20, 9);
    expect(d.total).toBeCloseTo(20 * 0.2 + 20 * 0.1, 9);
  });
});

describe('calendar windows', () => {
  it('gives a spring-forward day 23 local hours and months their local midnights', () => {
    const hours = calendarWindows(Date.parse('2026-03-29T00:00:00+01:00'), Date.parse('2026-03-30T00:00:00+02:00'), 'hour', 'Europe/Berlin');
    expect(hours).toHaveLength(23);
    expect(hours.map((h) => h.label).slice(1, 3)).toEqual(['2026-03-29T01', '2026-03-29T03']);
    const months = calendarWindows(Date.parse('2026-10-15T00:00:00+02:00'), Date.parse('2026-11-02T00:00:00+01:00'), 'month', 'Europe/Berlin');
    expect(months.map((m) => [m.label, new Date(m.start).toISOString()])).toEqual([
      ['2026-10', '2026-09-30T22:00:00.000Z'],
      ['2026-11', '2026-10-31T23:00:00.000Z'],
    ]);
  });
});
