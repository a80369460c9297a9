// The worked examples of docs/emissions.md, computed there by hand; the code must agree.
import { describe, expect, it } from 'vitest';
import { convertedConcentration, dryConcentration, dryStandardFlow, emissionRateKgH, flowFromVelocity, wastewaterRateKgH } from './flue-gas.js';
import { DAY_RULE, HOUR_RULE, minuteMassKg, minuteRule, periodValue, type FlaggedPart } from './period-average.js';
import { periodFlag } from './data-flags.js';

describe('flue gas (docs/emissions.md examples A–E)', () => {
  const stack = { flowActualM3h: 100_000, temperatureC: 120, staticPressurePa: -325, ambientPressurePa: 101_325, moisture: 0.1 };
  it('A: 100 000 m³/h at 120 °C, −325 Pa, 10 % water is 62 318.5 m³/h dry at standard conditions', () => {
    expect(dryStandardFlow(stack)).toBeCloseTo(62_318.5, 0);
  });
  it('B: 60 mg/m³ at 13 % O2 is 90 mg/m³ at the 9 % reference', () => {
    expect(convertedConcentration(60, 13, 9)).toBeCloseTo(90, 10);
    expect(convertedConcentration(60, 21, 9)).toBeNull();
  });
  it('C: 60 mg/m³ × 62 318.5 m³/h is 3.739 kg/h', () => {
    expect(emissionRateKgH(60, dryStandardFlow(stack))).toBeCloseTo(3.739, 3);
  });
  it('D: 54 mg/m³ measured wet at 10 % water is 60 mg/m³ dry', () => {
    expect(dryConcentration(54, 0.1)).toBeCloseTo(60, 10);
  });
  it('E: one minute at 60 mg/m³ and 62 318.5 m³/h emits 62.3 g', () => {
    expect(minuteMassKg([{ concentrationMgM3: 60, dryStandardFlowM3h: 62_318.5 }])).toBeCloseTo(0.0623, 4);
  });
  it('velocity × area: 10 m/s through 1.5 m² is 54 000 m³/h', () => {
    expect(flowFromVelocity(10, 1.5)).toBe(54_000);
  });
  it('H: COD 40 mg/L at 12 m³/h is 0.48 kg/h', () => {
    expect(wastewaterRateKgH(40, 12)).toBeCloseTo(0.48, 10);
  });
  it('refuses impossible inputs', () => {
    expect(() => dryStandardFlow({ ...stack, moisture: 1 })).toThrow(/moisture/);
  });
});

const minutes = (n: number, part: FlaggedPart): FlaggedPart[] => Array.from({ length: n }, () => ({ ...part }));

describe('validity (docs/emissions.md examples F–G)', () => {
  it('F1: ten minutes of calibration leave a valid hour averaged over the 50 valid minutes', () => {
    const hour = periodValue([
      ...minutes(10, { value: 0, flag: 'C' }),
      ...minutes(25, { value: 80, flag: 'N', min: 78, max: 83 }),
      ...minutes(25, { value: 100, flag: 'N', min: 97, max: 104 }),
    ], HOUR_RULE);
    expect(hour).toMatchObject({ avg: 90, min: 78, max: 104, validParts: 50, valid: true, flag: 'N' });
  });
  it('F2: twenty minutes of calibration make the hour invalid, flagged C, not averaged', () => {
    const hour = periodValue([...minutes(20, { value: 0, flag: 'C' }), ...minutes(40, { value: 90, flag: 'N' })], HOUR_RULE);
    expect(hour).toMatchObject({ avg: null, min: null, max: null, validParts: 40, valid: false, flag: 'C' });
  });
  it('G: 21 valid hours make a valid day, 19 do not (flag D)', () => {
    expect(periodValue([...minutes(21, { value: 90, flag: 'N', cou: 3.7 }), ...minutes(3, { value: null, flag: 'D' })], DAY_RULE))
      .toMatchObject({ avg: 90, valid: true, flag: 'N' });
    const bad = periodValue([...minutes(19, { value: 90, flag: 'N', cou: 3.7 }), ...minutes(5, { value: null, flag: 'D' })], DAY_RULE);
    expect(bad).toMatchObject({ avg: null, valid: false, flag: 'D' });
    expect(bad.cou).toBeCloseTo(19 * 3.7, 10);
  });
  it('missing parts count as lost communication (B)', () => {
    expect(periodValue(minutes(30, { value: 1, flag: 'N' }), HOUR_RULE)).toMatchObject({ valid: false, flag: 'B' });
  });
  it('an over-range value is kept and marks its period T', () => {
    expect(periodValue([...minutes(59, { value: 10, flag: 'N' }), { value: 500, flag: 'T' }], HOUR_RULE)).toMatchObject({ valid: true, flag: 'T', max: 500 });
  });
  it('a minute of 5-second samples needs 9 of 12 valid', () => {
    expect(minuteRule(5)).toMatchObject({ expected: 12, minValid: 9 });
    expect(periodFlag(['N', 'M', 'M', 'D'], false)).toBe('M');
  });
});
