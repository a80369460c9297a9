// The public surface of shared/energy: the energy maths (docs/energy.md), pure and browser-safe.
export { BLOCK_MS, blockStartOf, demandBlocks, forecastBlock, peakDemand, type BlockForecast, type DemandBlock, type PeakDemand } from './demand.js';
export { calendarWindows, type CalendarBucket, type LabelledWindow } from './calendar-windows.js';
export { spreadOver, type TimeWindow, type WindowShare } from './spread.js';
export { liveIncrease, meterConsumption, totalIncrease, type ConsumptionInterval, type CounterEvent, type TotalReading } from './meter-readings.js';
export { tariffCost, tariffOverlaps, tariffWindows, WEEKDAYS, type TariffCost, type TariffPeriod, type Weekday } from './tariff.js';
export { meterBalance, meterTreeProblems, type BalanceEntry } from './balance.js';
export { convert, defaultFactorsFor, isKnownMedium, MEDIA, MEDIUM_DEFAULTS, siteTotals, type SiteTotals } from './conversion.js';
export { BaselineError, compareWithBaseline, enpi, fitLinear, predict, type RegressionFit } from './baseline.js';
export { computeEnergyReport, reportFromIntervals, type EnergyReport, type MeterIntervals, type ReportSettings } from './energy-report.js';
export { ENERGY_REPORT_LIMITS, EnergyReportInputSchema, EnergyReportMeterSchema, type EnergyReportInput } from './energy-report-schema.js';
