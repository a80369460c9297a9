// The public surface of shared/emissions: the emission maths (HJ 75 flags, flue-gas conversions, period averages), pure and browser-safe.
// Other folders import from here and nothing else (test/unit/module-boundaries.test.ts checks it).
export { DATA_FLAG_MEANING, DATA_FLAGS, isValidFlag, periodFlag, type DataFlag } from './data-flags.js';
export {
  convertedConcentration, dryConcentration, dryStandardFlow, emissionRateKgH, flowFromVelocity, STANDARD_PRESSURE_PA, STANDARD_TEMPERATURE_K,
  wastewaterRateKgH, type FlueGasState,
} from './flue-gas.js';
export { DAY_RULE, HOUR_RULE, minuteMassKg, minuteRule, periodValue, type FlaggedPart, type PeriodValue, type ValidityRule } from './period-average.js';
export { massSoFarKg, permitStatus, projectedYearKg, type MassPart, type PermitStatus } from './mass-totals.js';
