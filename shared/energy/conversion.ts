// Standard coal (kgce) and CO2e per medium, with the defaults documented in docs/energy.md,
// and site totals that count each unit of energy once. Pure and browser-safe.

export const MEDIA = ['electricity', 'natural-gas', 'water', 'compressed-air', 'steam'] as const;
export type KnownMedium = (typeof MEDIA)[number];

export interface MediumDefaults {
  unit: string;
  kgcePerUnit: number;
  kgCO2ePerUnit: number;
}

/**
 * kgce: GB/T 2589-2020 appendices A and B (electricity as equivalent value 当量值).
 * kgCO2e: electricity MEE/NBS 2024 national grid average for 2022; natural gas from
 * GB/T 32151 defaults (NCV 389.31 GJ/10⁴ m³, 15.32 tC/TJ, 99 % oxidised); purchased steam
 * at 0.11 tCO2/GJ (the national reporting guidelines' heat factor) × 3.763 GJ/t. Water and
 * compressed air carry 0 CO2e by default: air made on site is already in the compressor's
 * electricity, and tap water is outside scopes 1 and 2; set a supplier's factor to count it.
 * Sources and the sums: docs/energy.md § "Conversion factors".
 */
export const MEDIUM_DEFAULTS: Record<KnownMedium, MediumDefaults> = {
  electricity: { unit: 'kWh', kgcePerUnit: 0.1229, kgCO2ePerUnit: 0.5366 },
  'natural-gas': { unit: 'm3', kgcePerUnit: 1.2143, kgCO2ePerUnit: 2.165 },
  water: { unit: 'm3', kgcePerUnit: 0.0857, kgCO2ePerUnit: 0 },
  'compressed-air': { unit: 'm3', kgcePerUnit: 0.04, kgCO2ePerUnit: 0 },
  steam: { unit: 't', kgcePerUnit: 128.6, kgCO2ePerUnit: 413.9 },
};

export function isKnownMedium(medium: string): medium is KnownMedium {
  return (MEDIA as readonly string[]).includes(medium);
}

/** The medium's default factors when its unit is the usual one ("m³" and "m3" alike), else undefined. */
export function defaultFactorsFor(medium: string, unit: string): MediumDefaults | undefined {
  if (!isKnownMedium(medium)) return undefined;
  const d = MEDIUM_DEFAULTS[medium];
  const norm = (u: string): string => u.replace('³', '3').toLowerCase();
  return norm(d.unit) === norm(unit) ? d : undefined;
}

export interface ConvertedMeter {
  id: string;
  parent: string | null;
  medium: string;
  consumption: number;
  kgce: number;
  kgCO2e: number;
}

export function convert(consumption: number, factors: { kgcePerUnit: number; kgCO2ePerUnit: number }): { kgce: number; kgCO2e: number } {
  return { kgce: consumption * factors.kgcePerUnit, kgCO2e: consumption * factors.kgCO2ePerUnit };
}

export interface SiteTotals {
  totalKgce: number;
  totalTce: number;
  totalKgCO2e: number;
  byMedium: Record<string, { consumption: number; kgce: number; kgCO2e: number }>;
}

/** Only meters without a parent count: a child's consumption is already in its parent's. */
export function siteTotals(meters: readonly ConvertedMeter[]): SiteTotals {
  let totalKgce = 0;
  let totalKgCO2e = 0;
  const byMedium: SiteTotals['byMedium'] = {};
  for (const m of meters) {
    if (m.parent !== null) continue;
    totalKgce += m.kgce;
    totalKgCO2e += m.kgCO2e;
    const b = (byMedium[m.medium] ??= { consumption: 0, kgce: 0, kgCO2e: 0 });
    b.consumption += m.consumption;
    b.kgce += m.kgce;
    b.kgCO2e += m.kgCO2e;
  }
  return { totalKgce, totalTce: totalKgce / 1000, totalKgCO2e, byMedium };
}
