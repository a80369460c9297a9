// Minute, hour and day values from flagged parts, with HJ 75-2017's validity rules: a period with
// too few valid parts is marked invalid (and carries the flag that ate it), never averaged over
// what is left. Mass (Cou) is the sum over the valid parts; invalid parts add nothing (HJ 75's
// substitution of missing data in totals is not applied — docs/emissions.md).
import { isValidFlag, periodFlag, type DataFlag } from './data-flags.js';

export interface FlaggedPart {
  /** The part's value (a sample, or a shorter period's average); null when none was made. */
  value: number | null;
  /** A shorter period's minimum/maximum; a sample's are its value. */
  min?: number | null;
  max?: number | null;
  /** Mass of the part (kg, or m³ for a flow); absent when the factor has none. */
  cou?: number | null;
  flag: DataFlag;
}

export interface PeriodValue {
  avg: number | null;
  min: number | null;
  max: number | null;
  cou: number | null;
  validParts: number;
  expectedParts: number;
  valid: boolean;
  flag: DataFlag;
}

export interface ValidityRule {
  /** How many parts the period should have. */
  expected: number;
  /** How many of them must be valid for the period to be valid. */
  minValid: number;
  /** Where the rule comes from, for the record. */
  source: string;
}

/** HJ 75-2017: an hourly average needs at least 45 valid minutes in the hour. */
export const HOUR_RULE: ValidityRule = { expected: 60, minValid: 45, source: 'HJ 75-2017: ≥ 45 valid minutes per hour' };
/** HJ 75-2017: a daily average needs at least 20 valid hourly averages. */
export const DAY_RULE: ValidityRule = { expected: 24, minValid: 20, source: 'HJ 75-2017: ≥ 20 valid hours per day' };

/**
 * A minute from samples taken every `sampleSeconds`: twinline asks the same share of valid
 * samples as HJ 75 asks of minutes in an hour (45/60 = ¾); HJ 75 does not say it for minutes.
 */
export function minuteRule(sampleSeconds: number): ValidityRule {
  const expected = Math.max(1, Math.round(60 / sampleSeconds));
  return { expected, minValid: Math.ceil((expected * 3) / 4), source: 'twinline: ≥ ¾ of the minute\'s samples valid (the HJ 75 hourly share)' };
}

export function periodValue(parts: readonly FlaggedPart[], rule: ValidityRule): PeriodValue {
  let sum = 0;
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let cou: number | null = null;
  const flags: DataFlag[] = [];
  for (const p of parts) {
    flags.push(p.flag);
    if (!isValidFlag(p.flag) || p.value === null || !Number.isFinite(p.value)) continue;
    n++;
    sum += p.value;
    min = Math.min(min, p.min ?? p.value);
    max = Math.max(max, p.max ?? p.value);
    if (p.cou !== undefined && p.cou !== null) cou = (cou ?? 0) + p.cou;
  }
  // Parts that never arrived count as lost communication.
  for (let i = parts.length; i < rule.expected; i++) flags.push('B');
  const valid = n >= rule.minValid;
  return {
    avg: valid ? sum / n : null,
    min: valid ? min : null,
    max: valid ? max : null,
    cou,
    validParts: n,
    expectedParts: rule.expected,
    valid,
    flag: periodFlag(flags, valid),
  };
}

/** Mass of one minute from paired samples: mean of (C′ × Qsn) over the valid pairs × 1/60 h × 10⁻⁶ (kg). */
export function minuteMassKg(pairs: ReadonlyArray<{ concentrationMgM3: number; dryStandardFlowM3h: number }>): number | null {
  if (!pairs.length) return null;
  let s = 0;
  for (const p of pairs) s += p.concentrationMgM3 * p.dryStandardFlowM3h;
  return (s / pairs.length) * (1 / 60) * 1e-6;
}
