// The input of the energy report (`npm run energy -- <file.json>`, docs/energy.md): one
// period's meter readings, a tariff, production and a baseline. Browser-safe.
import { z } from 'zod';
import { meterTreeProblems } from './balance.js';
import { defaultFactorsFor } from './conversion.js';
import { tariffOverlaps, WEEKDAYS } from './tariff.js';

const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, 'use ISO 8601 with an offset, e.g. "2026-11-02T08:00:00+08:00"')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date and time');

function isIanaTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use a local clock time "HH:MM" (00:00 … 24:00)');

/** Limits keep one report's work bounded: a year of one-minute readings for a few meters. */
export const ENERGY_REPORT_LIMITS = { meters: 200, readingsPerMeter: 600_000, tariffPeriods: 48, baselinePoints: 10_000 } as const;

const reading = z.strictObject({ ts: instant, total: z.number().finite() });

export const EnergyReportMeterSchema = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().max(200).optional(),
  /** electricity, natural-gas, water, compressed-air, steam, or any other named medium. */
  medium: z.string().min(1).max(64),
  unit: z.string().min(1).max(16),
  /** Defaults by medium (docs/energy.md) when absent and the unit is the medium's usual one. */
  kgcePerUnit: z.number().min(0).optional(),
  kgCO2ePerUnit: z.number().min(0).optional(),
  parent: z.string().min(1).nullable().default(null),
  area: z.string().max(64).optional(),
  /** The register's rollover value: a fall in the total is then a rollover, not a reset. */
  rollover: z.number().positive().optional(),
  readings: z
    .array(reading)
    .max(ENERGY_REPORT_LIMITS.readingsPerMeter)
    .superRefine((rs, ctx) => {
      const seen = new Map<number, number>();
      rs.forEach((r, i) => {
        const t = Date.parse(r.ts);
        const j = seen.get(t);
        if (j !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'ts'], message: `repeats the time of readings[${j}]; keep one reading per instant` });
        else seen.set(t, i);
      });
    }),
});

const tariffPeriod = z.strictObject({
  name: z.string().min(1).max(32),
  from: clock,
  to: clock,
  price: z.number().min(0),
  days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
});

const baselinePoint = z.strictObject({
  production: z.number().finite(),
  energyKgce: z.number().finite(),
  /** Further relevant variables (e.g. heating degree days), by name. */
  variables: z.record(z.string(), z.number().finite()).optional(),
  label: z.string().max(64).optional(),
});

export const EnergyReportInputSchema = z
  .strictObject({
    timezone: z.string().refine(isIanaTimeZone, 'not an IANA time zone (e.g. "Asia/Shanghai")'),
    period: z.strictObject({ start: instant, end: instant }),
    meters: z.array(EnergyReportMeterSchema).min(1).max(ENERGY_REPORT_LIMITS.meters),
    tariff: z
      .strictObject({
        meter: z.string().min(1),
        currency: z.string().max(8).optional(),
        periods: z.array(tariffPeriod).min(1).max(ENERGY_REPORT_LIMITS.tariffPeriods),
      })
      .optional(),
    /** The meter whose 15-minute demand is checked; default the tariff meter. */
    demandMeter: z.string().min(1).optional(),
    contractDemandKW: z.number().positive().optional(),
    production: z.strictObject({ good: z.number().min(0), variables: z.record(z.string(), z.number().finite()).optional() }).optional(),
    baseline: z.strictObject({
      /** Hours each point covers (24 for daily points): the intercept then scales with the period's length (rule 11a). */
      periodHours: z.number().positive().max(8784).optional(),
      points: z.array(baselinePoint).min(1).max(ENERGY_REPORT_LIMITS.baselinePoints),
    }).optional(),
  })
  .superRefine((doc, ctx) => {
    if (Date.parse(doc.period.end) <= Date.parse(doc.period.start)) {
      ctx.addIssue({ code: 'custom', path: ['period', 'end'], message: 'must be after period.start' });
    }
    for (const problem of meterTreeProblems(doc.meters, (i) => `meters[${i}].parent`)) {
      const [path, ...rest] = problem.split(': ');
      const m = /^meters\[(\d+)\]\.(\w+)$/.exec(path!);
      ctx.addIssue({ code: 'custom', path: m ? ['meters', Number(m[1]), m[2]!] : ['meters'], message: rest.join(': ') });
    }
    doc.meters.forEach((m, i) => {
      if (m.kgcePerUnit !== undefined && m.kgCO2ePerUnit !== undefined) return;
      if (defaultFactorsFor(m.medium, m.unit)) return;
      const missing = m.kgcePerUnit === undefined ? 'kgcePerUnit' : 'kgCO2ePerUnit';
      ctx.addIssue({ code: 'custom', path: ['meters', i, missing], message: `required: there is no default for medium "${m.medium}" in unit "${m.unit}" (defaults: docs/energy.md)` });
    });
    const ids = new Set(doc.meters.map((m) => m.id));
    if (doc.tariff && !ids.has(doc.tariff.meter)) {
      ctx.addIssue({ code: 'custom', path: ['tariff', 'meter'], message: `"${doc.tariff.meter}" is not one of the meters (${[...ids].join(', ')})` });
    }
    if (doc.demandMeter && !ids.has(doc.demandMeter)) {
      ctx.addIssue({ code: 'custom', path: ['demandMeter'], message: `"${doc.demandMeter}" is not one of the meters (${[...ids].join(', ')})` });
    }
    if (doc.tariff) {
      for (const p of tariffOverlaps(doc.tariff.periods)) ctx.addIssue({ code: 'custom', path: ['tariff', 'periods'], message: `${p}; each minute may be in one period only` });
    }
    const names = Object.keys(doc.production?.variables ?? {});
    doc.baseline?.points.forEach((pt, i) => {
      for (const v of names) {
        if (pt.variables?.[v] === undefined) ctx.addIssue({ code: 'custom', path: ['baseline', 'points', i, 'variables', v], message: `missing: production.variables names "${v}", so every baseline point needs it` });
      }
    });
  });

export type EnergyReportInput = z.infer<typeof EnergyReportInputSchema>;
