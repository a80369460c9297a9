// Pure KPI maths (ISO 22400 OEE, shift calendar, periods, reports), the same for the live engine, the CLI and the host.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { counterStep } from './counter.js';
export type { CounterBits } from './counter.js';
export { buildKpiReport } from './kpi-report.js';
export type { KpiReport, KpiReportOptions } from './kpi-report.js';
export { computeLineKpis } from './line-oee.js';
export type { LineKpis } from './line-oee.js';
export { SIX_BIG_LOSSES } from './losses.js';
export { computeKpis, computeOeeFactors } from './oee.js';
export type { Explained, KpiOptions, KpiResult, OeeFactors } from './oee.js';
export { sumPeriodTotals } from './period-totals.js';
export type { PeriodTotals } from './period-totals.js';
export { periodBounds, totalsForPeriod } from './periods.js';
export type { PeriodKind } from './periods.js';
export { ShiftAccumulator } from './shift-accumulator.js';
export { nextShiftAfter, shiftAt, shiftsBetween } from './shift-calendar.js';
export type { ShiftInstance } from './shift-calendar.js';
export { ShiftReportInputSchema } from './shift-report-schema.js';
export { computeShiftReport } from './shift-report.js';
export type { ShiftReportOutput } from './shift-report.js';
export { addDays, formatInstant, fromLocal, isoWeekday, localDateOf, parseClockTime, toLocal, zoneOffsetMs } from './zoned-time.js';
export type { LocalDate } from './zoned-time.js';
