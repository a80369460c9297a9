// Flue-gas conversions, each a pure function of plain numbers (formulas and worked examples in
// docs/emissions.md, checked by shared/emissions/emission-maths.test.ts).

/** Standard conditions of HJ 75-2017 and GB/T 16157: 273 K, 101 325 Pa, dry gas. */
export const STANDARD_TEMPERATURE_K = 273;
export const STANDARD_PRESSURE_PA = 101_325;

export interface FlueGasState {
  /** Flow at stack conditions, m³/h (wet, actual temperature and pressure). */
  flowActualM3h: number;
  /** Flue-gas temperature, °C. */
  temperatureC: number;
  /** Static pressure of the flue gas against ambient, Pa (negative under suction). */
  staticPressurePa: number;
  /** Ambient (barometric) pressure, Pa. */
  ambientPressurePa: number;
  /** Water vapour volume fraction, 0–1 (8 % → 0.08). */
  moisture: number;
}

/**
 * Flow at standard conditions, dry (HJ 75-2017 and HJ 212-2017 Appendix D):
 * Qsn = Qs × 273 / (273 + ts) × (Ba + Ps) / 101 325 × (1 − Xsw).
 */
export function dryStandardFlow(s: FlueGasState): number {
  if (!(s.moisture >= 0 && s.moisture < 1)) throw new RangeError(`moisture ${s.moisture} must be a fraction 0 ≤ Xsw < 1`);
  if (!(s.temperatureC > -STANDARD_TEMPERATURE_K)) throw new RangeError(`temperature ${s.temperatureC} °C is below absolute zero`);
  return s.flowActualM3h * (STANDARD_TEMPERATURE_K / (STANDARD_TEMPERATURE_K + s.temperatureC))
    * ((s.ambientPressurePa + s.staticPressurePa) / STANDARD_PRESSURE_PA) * (1 - s.moisture);
}

/** Stack flow from the mean velocity and the duct's cross-section: Qs = 3600 × F × Vs (m³/h). */
export function flowFromVelocity(velocityMs: number, areaM2: number): number {
  return 3600 * areaM2 * velocityMs;
}

/** A concentration measured in wet gas on a dry basis: C_dry = C_wet / (1 − Xsw). */
export function dryConcentration(wetMgM3: number, moisture: number): number {
  if (!(moisture >= 0 && moisture < 1)) throw new RangeError(`moisture ${moisture} must be a fraction 0 ≤ Xsw < 1`);
  return wetMgM3 / (1 - moisture);
}

/**
 * Converted (折算) concentration at the reference oxygen content, as GB 13271, GB 9078 and HJ 75-2017
 * define it: C = C′ × (21 − O2ref) / (21 − O2), C′ the measured dry concentration, O2 the measured
 * dry oxygen content in %. Undefined when O2 reaches 21 %: returns null (no combustion gas to convert).
 */
export function convertedConcentration(measuredMgM3: number, o2Percent: number, referenceO2Percent: number): number | null {
  if (!(o2Percent < 21)) return null;
  return measuredMgM3 * (21 - referenceO2Percent) / (21 - o2Percent);
}

/** Emission rate G = C′ × Qsn × 10⁻⁶ (kg/h): the measured dry concentration times the dry standard flow. */
export function emissionRateKgH(measuredMgM3: number, dryStandardFlowM3h: number): number {
  return measuredMgM3 * dryStandardFlowM3h * 1e-6;
}

/** Wastewater load G = C × Q × 10⁻³ (kg/h): C in mg/L, Q in m³/h (1 m³ = 1000 L, 1 kg = 10⁶ mg). */
export function wastewaterRateKgH(concentrationMgL: number, flowM3h: number): number {
  return concentrationMgL * flowM3h * 1e-3;
}
