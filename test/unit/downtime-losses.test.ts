// Reasons applied to a shift's losses, against a worked example done by hand (ISO 22400-2:
// A = APT / PBT, P = ideal output time / APT, Q = good / total; a planned reason is PDOT), and
// the reason tree's checks.
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOWNTIME, DowntimeConfigSchema, defaultReasonOf, reasonIndex } from '../../shared/downtime-schema.js';
import { buildStop, paretoRows, reasonedReportInput, reasonedTotals, resolveParts, withUnclassifiedBar } from '../../shared/downtime-losses.js';
import { buildKpiReport, computeShiftReport, ShiftReportInputSchema, type PeriodTotals } from '../../shared/kpi/index.js';

const S = 1000;
const T0 = Date.UTC(2026, 11, 1, 6, 0, 0); // a shift 06:00–14:00 UTC
const at = (h: number, m: number) => T0 + ((h - 6) * 3600 + m * 60) * S;
const config = DowntimeConfigSchema.parse(DEFAULT_DOWNTIME);
const cnc = reasonIndex(config, 'cnc');

/** The shift as the live engine books it (worked out by hand, not by the code under test). */
function shiftTotals(): PeriodTotals {
  return {
    start: T0, end: at(14, 0), calendarMs: 28_800 * S,
    times: { plannedOperationMs: 28_800 * S, plannedDownMs: 0, noDataMs: 0, productionMs: 24_840 * S, setupMs: 0, breakdownMs: 3_900 * S, microStopMs: 60 * S, idleMs: 0 },
    stops: { breakdowns: 3, microStops: 1, setups: 0, idles: 0 },
    reasons: {
      'breakdown|fault 301': { bucket: 'breakdown', reason: 'fault 301', ms: 1_800 * S, events: 1 },
      'breakdown|fault 999': { bucket: 'breakdown', reason: 'fault 999', ms: 1_200 * S, events: 1 },
      'breakdown|fault 702': { bucket: 'breakdown', reason: 'fault 702', ms: 900 * S, events: 1 },
      'micro-stop|fault 101': { bucket: 'micro-stop', reason: 'fault 101', ms: 60 * S, events: 1 },
    },
    counts: { total: 1000, good: 980 },
    idealOutputSeconds: 20_000,
    energy: { kWh: 0, byState: { running: 0, idle: 0, down: 0, setup: 0, 'planned-stop': 0, 'no-data': 0 }, blocks: {} },
  };
}

// 09:00–09:30 split: 10 min tool breakage, 20 min tool change; 11:00–11:20 fault 999 (no default);
// 12:00–12:15 planned maintenance; 13:00–13:01 a micro-stop.
const stops = [
  { start: at(9, 0), end: at(9, 30), stateReason: 'fault 301', parts: [{ start: at(9, 0), end: at(9, 10), reason: 'tool-breakage' }, { start: at(9, 10), end: null, reason: 'tool-change' }] },
  { start: at(11, 0), end: at(11, 20), stateReason: 'fault 999', parts: [{ start: at(11, 0), end: null, reason: 'unclassified' }] },
  { start: at(12, 0), end: at(12, 15), stateReason: 'fault 702', parts: [{ start: at(12, 0), end: null, reason: 'planned-maintenance' }] },
  { start: at(13, 0), end: at(13, 1), stateReason: 'fault 101', parts: [{ start: at(13, 0), end: null, reason: 'jam' }] },
];

describe('reasons applied to a shift', () => {
  const adjusted = reasonedTotals({ totals: shiftTotals(), stops, plannedStops: [], reasons: cnc, microStopThresholdMs: 300 * S, until: at(14, 0) });

  it('moves each part to the bucket of its loss; unclassified stays a breakdown under its own name', () => {
    expect(adjusted.times.breakdownMs).toBe((600 + 1200) * S);
    expect(adjusted.times.setupMs).toBe(1200 * S);
    expect(adjusted.times.plannedDownMs).toBe(900 * S);
    expect(adjusted.times.microStopMs).toBe(60 * S); // grouped, untouched
    expect(adjusted.times.productionMs).toBe(24_840 * S);
    expect(adjusted.stops).toEqual({ breakdowns: 2, microStops: 1, setups: 1, idles: 0 });
    expect(Object.keys(adjusted.reasons).sort()).toEqual(['breakdown|tool-breakage', 'breakdown|unclassified', 'micro-stop|fault 101', 'planned-down|planned-maintenance', 'setup|tool-change']);
  });

  it('gives the ISO 22400 figures of the hand calculation (a planned reason leaves planned busy time)', () => {
    const k = buildKpiReport(adjusted, { microStopsAs: 'availability', co2eKgPerKWh: 0.5 }).kpis;
    expect(k.availability).toBeCloseTo(24_840 / 27_900, 12);
    expect(k.performance).toBeCloseTo(20_000 / 24_840, 12);
    expect(k.quality).toBeCloseTo(0.98, 12);
    expect(k.oee).toBeCloseTo((24_840 / 27_900) * (20_000 / 24_840) * 0.98, 12);
    // Without reasons the same shift's availability is APT / POT.
    expect(buildKpiReport(shiftTotals(), { co2eKgPerKWh: 0.5 }).kpis.availability).toBeCloseTo(24_840 / 28_800, 12);
  });

  it('Pareto by reason, largest first, unclassified and the micro-stop group as rows of their own', () => {
    const losses = buildKpiReport(adjusted, { co2eKgPerKWh: 0.5 }).losses;
    const rows = paretoRows(losses.byReason, cnc);
    expect(rows.map((r) => [r.reason, r.seconds, r.events])).toEqual([
      ['tool-change', 1200, 1], ['unclassified', 1200, 1], ['planned-maintenance', 900, 1], ['tool-breakage', 600, 1], ['micro-stops', 60, 1],
    ]);
    expect(rows.find((r) => r.reason === 'tool-change')!.name).toEqual({ en: 'Tool change', 'zh-CN': '换刀' });
    expect(rows.find((r) => r.reason === 'planned-maintenance')!.planned).toBe(true);
    const bars = withUnclassifiedBar(losses.waterfall, 1200);
    expect(bars.find((b) => b.step === 'unclassified stops')!.seconds).toBe(1200);
    expect(bars.find((b) => b.step === 'breakdowns (classified)')!.seconds).toBe(600);
    expect(bars.find((b) => b.step === 'setup and adjustments')!.seconds).toBe(1200);
    expect(bars.find((b) => b.step === 'planned down time')!.seconds).toBe(900);
  });

  it('keeps the calendar break inside a stop planned (it is not moved twice)', () => {
    const t = shiftTotals();
    // 10 of the tool-change minutes fall in a break: the engine booked them as planned down already.
    t.times.breakdownMs -= 600 * S;
    t.times.plannedDownMs += 600 * S;
    t.reasons['breakdown|fault 301']!.ms -= 600 * S;
    const a = reasonedTotals({ totals: t, stops: [stops[0]!], plannedStops: [{ start: at(9, 20), end: at(9, 30) }], reasons: cnc, microStopThresholdMs: 300 * S, until: at(14, 0) });
    expect(a.times.setupMs).toBe(600 * S);
    expect(a.reasons['breakdown|tool-breakage']!.ms).toBe(600 * S);
    expect(a.times.plannedDownMs).toBe(600 * S);
  });
});

describe('a stop and its parts', () => {
  it('takes the fault code default when no operator classified it, and asks only without one', () => {
    const defaulted = buildStop({ machineId: 'mill', interval: { start: at(9, 0), end: at(9, 30), reason: 'fault 301' }, now: at(10, 0), latest: null, defaultReason: defaultReasonOf(config, 'cnc', 301), promptAfterMs: 120 * S });
    expect(defaulted.parts).toEqual([{ start: at(9, 0), end: at(9, 30), reason: 'tool-breakage', source: 'plc' }]);
    expect(defaulted.needsReason).toBe(false);
    const unknown = buildStop({ machineId: 'mill', interval: { start: at(9, 0), end: null, reason: 'fault 901' }, now: at(9, 3), latest: null, defaultReason: defaultReasonOf(config, 'cnc', 901), promptAfterMs: 120 * S });
    expect(unknown.parts[0]!.reason).toBe('unclassified');
    expect(unknown.durationSeconds).toBe(180);
    expect(unknown.needsReason).toBe(true);
  });

  it('checks a split: consecutive, inside the stop, known reasons', () => {
    const stop = { start: at(9, 0), end: at(9, 30) };
    expect(resolveParts(stop, [{ reason: 'jam', end: at(9, 10) }, { reason: 'tool-change' }], cnc, at(10, 0))).toEqual([
      { start: at(9, 0), end: at(9, 10), reason: 'jam' }, { start: at(9, 10), end: null, reason: 'tool-change' },
    ]);
    expect(resolveParts(stop, [{ reason: 'nonsense' }], cnc, at(10, 0))).toMatch(/parts\[0\]\.reason/);
    expect(resolveParts(stop, [{ reason: 'jam', end: at(9, 40) }, { reason: 'jam' }], cnc, at(10, 0))).toMatch(/inside the stop/);
    expect(resolveParts(stop, [{ reason: 'jam', end: at(9, 20) }, { reason: 'jam', end: at(9, 10) }, { reason: 'jam' }], cnc, at(10, 0))).toMatch(/parts\[1\]\.end/);
    expect(resolveParts(stop, [{ reason: 'jam' }, { reason: 'jam' }], cnc, at(10, 0))).toMatch(/needs an end/);
    // A stop still running can be split up to now.
    expect(resolveParts({ start: at(9, 0), end: null }, [{ reason: 'jam', end: at(9, 5) }, { reason: 'coolant' }], cnc, at(9, 6))).not.toBeTypeOf('string');
  });
});

describe('the reason tree', () => {
  it('the default tree is valid, bilingual, and gives each type its own reasons on top of the common ones', () => {
    expect(cnc.get('tool-breakage')!.category).toBe('equipment');
    expect(reasonIndex(config, 'washer').has('tool-breakage')).toBe(false);
    expect(defaultReasonOf(config, 'robot', 201)).toBe('gripper');
    expect(defaultReasonOf(config, 'cnc', 901)).toBeNull();
  });

  it('names the bad field: a fault code to an unknown reason, a planned reason booked as a failure', () => {
    const bad = DowntimeConfigSchema.safeParse({
      common: [{ id: 'x', name: { en: 'X', 'zh-CN': '某' }, reasons: [{ id: 'pm', name: { en: 'PM', 'zh-CN': '保养' }, planned: true, loss: 'equipment-failure' }] }],
      faultCodes: { types: { cnc: { '5': 'nope' } } },
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages.some((m) => m.startsWith('common.0.reasons.0.loss'))).toBe(true);
    expect(messages.some((m) => m.startsWith('faultCodes.types.cnc.5') && m.includes('"nope"'))).toBe(true);
  });
});

describe('the report CLI input with reasons', () => {
  it('books reason ids by their loss and leaves the rest unclassified (worked example)', () => {
    const input = ShiftReportInputSchema.parse({
      timezone: 'UTC', shift: { start: '2026-12-01T06:00:00Z', end: '2026-12-01T14:00:00Z' }, idealCycleTimeSeconds: 20,
      states: [
        { start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:10:00Z', state: 'down', reason: 'fault 301' },
        { start: '2026-12-01T09:10:00Z', end: '2026-12-01T09:30:00Z', state: 'down', reason: 'tool-change' },
        { start: '2026-12-01T11:00:00Z', end: '2026-12-01T11:20:00Z', state: 'down' },
        { start: '2026-12-01T12:00:00Z', end: '2026-12-01T12:15:00Z', state: 'down', reason: 'planned-maintenance' },
      ],
      counts: { total: 1000, good: 980 },
    });
    const r = computeShiftReport(reasonedReportInput(input, cnc, (code) => defaultReasonOf(config, 'cnc', code)));
    expect(r.times.plannedDownTime).toBe(900);
    expect(r.times.actualSetupTime).toBe(1200);
    expect(r.times.breakdownTime).toBe(600 + 1200);
    expect(r.availability).toBeCloseTo(24_900 / 27_900, 12); // no micro-stop in this input: APT = 28,800 − 3,900 s
    expect(paretoRows(r.losses.byReason, cnc).map((x) => [x.reason, x.seconds])).toEqual([
      ['tool-change', 1200], ['unclassified', 1200], ['planned-maintenance', 900], ['tool-breakage', 600],
    ]);
  });
});
