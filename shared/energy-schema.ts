// The plant file's optional `metering:` section (docs/energy.md): the site's meters as a
// tree (main incomer → feeders → machines), each with its medium, unit, the tag that carries
// its running total (or its rate, integrated), conversion factors to kgce and kgCO2e, and the
// area it serves; the meter devices read by the energy module; the tariff and the contracted
// demand. Browser-safe (no Node imports); deliberately no import of plant-schema.ts, which
// imports this file.
import { z } from 'zod';
import { meterTreeProblems } from './energy/index.js';
import { BaselineError, fitLinear } from './energy/index.js';
import { defaultFactorsFor } from './energy/index.js';
import { tariffOverlaps, WEEKDAYS } from './energy/index.js';

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "-" or "_", starting with a letter');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use a local clock time "HH:MM" (00:00 … 24:00)');

/**
 * A meter on its own Modbus TCP address (a DIN-rail or panel meter behind a gateway): meters
 * are not machines, so they are not in `devices`; the energy module reads them itself.
 */
export const MeterDeviceSchema = z.strictObject({
  id: identifier,
  protocol: z.literal('modbus-tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  unitId: z.number().int().min(0).max(255).default(1),
  /** Meters change slowly; a second is plenty for 15-minute demand. */
  pollIntervalMs: z.number().int().min(100).default(1000),
  timeoutMs: z.number().int().min(50).default(1000),
  retries: z.number().int().min(0).max(5).default(1),
});
export type MeterDeviceConfig = z.infer<typeof MeterDeviceSchema>;

/** Where a meter's value comes from: a machine tag (`machine.tag`) or a register of a meter device. */
export const MeterSourceSchema = z.union([
  z.strictObject({ tag: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z][A-Za-z0-9_-]*$/, 'name a machine tag as "machine.tag", e.g. "mill.energy"') }),
  z.strictObject({
    device: identifier,
    type: z.enum(['uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']),
    modbus: z.strictObject({
      table: z.enum(['input', 'holding']),
      address: z.number().int().min(0).max(65535),
      wordOrder: z.enum(['high-first', 'low-first']).default('high-first'),
      byteOrder: z.enum(['big', 'little']).default('big'),
      scale: z.number().default(1),
    }),
  }),
]);
export type MeterSource = z.infer<typeof MeterSourceSchema>;

export const MeterSchema = z.strictObject({
  id: identifier,
  name: z.string().min(1),
  /** electricity, natural-gas, water, compressed-air, steam, or any other named medium. */
  medium: z.string().min(1).max(64),
  unit: z.string().min(1).max(16),
  /** The running total (never deadbanded). Give this or `rate`. */
  total: MeterSourceSchema.optional(),
  /** A flow or power, integrated over time when the meter has no total. */
  rate: MeterSourceSchema.optional(),
  /** Time unit of `rate`: kW with unit kWh is per hour; m³/min is per minute. */
  ratePer: z.enum(['second', 'minute', 'hour']).default('hour'),
  /** Instantaneous power (kW) for the 15-minute demand forecast; optional. */
  power: MeterSourceSchema.optional(),
  /** Register wrap value of the total: a fall is a rollover, not a reset (docs/energy.md rule 3). */
  rollover: z.number().positive().optional(),
  /** The meter upstream (a feeder's incomer); null or absent for a root meter. */
  parent: identifier.nullable().default(null),
  area: z.string().min(1).max(64).optional(),
  /** Defaults per medium (GB/T 2589-2020 and docs/energy.md) when the unit is the usual one. */
  kgcePerUnit: z.number().min(0).optional(),
  kgCO2ePerUnit: z.number().min(0).optional(),
});
export type MeterConfig = z.infer<typeof MeterSchema>;

export const TariffSchema = z.strictObject({
  meter: identifier,
  currency: z.string().max(8).default('CNY'),
  periods: z
    .array(z.strictObject({ name: z.string().min(1).max(32), from: clock, to: clock, price: z.number().min(0), days: z.array(z.enum(WEEKDAYS)).min(1).optional() }))
    .min(1)
    .max(48),
});

export const MeteringSchema = z.strictObject({
  devices: z.array(MeterDeviceSchema).default([]),
  meters: z.array(MeterSchema).min(1).max(500),
  tariff: TariffSchema.optional(),
  /** Contracted maximum 15-minute demand of the demand meter (the tariff meter unless given), kW. */
  contractDemandKW: z.number().positive().optional(),
  demandMeter: identifier.optional(),
  /** Warn when the running block's forecast reaches this share of the contract. */
  demandAlarmAt: z.number().gt(0).max(1.5).default(0.95),
  /**
   * ISO 50006 energy baseline: the site's kgce against good output over periods of the baseline
   * year (e.g. one point per day). Reports given the period's output (`good`) show the expected
   * energy, savings and SEnPI.
   */
  baseline: z
    .strictObject({
      description: z.string().max(200).optional(),
      /**
       * Hours each point covers (24 for daily points). With it, a report over another length of
       * time gets the baseline's fixed part (the intercept) in proportion (docs/energy.md rule 11a),
       * so today-so-far or a month compare fairly with daily points.
       */
      periodHours: z.number().positive().max(8784).optional(),
      points: z.array(z.strictObject({ production: z.number().min(0), energyKgce: z.number().min(0), label: z.string().max(64).optional() })).min(3).max(10_000),
    })
    .optional(),
  /** Stored meter totals: at most one row per meter per this many seconds (every sample kept below it is a waste, none is dropped by value). */
  storeIntervalSeconds: z.number().int().min(1).max(900).default(60),
});
export type MeteringConfig = z.infer<typeof MeteringSchema>;

/**
 * Checks that need the rest of the plant: machine tags named by meters, the meter tree
 * (unknown parents, cycles), devices, factors without a default, the tariff.
 */
export function checkMetering(
  metering: MeteringConfig,
  machines: ReadonlyArray<{ id: string; tags: ReadonlyArray<{ name: string }> }>,
  issue: (path: (string | number)[], message: string) => void,
): void {
  const tags = new Set(machines.flatMap((m) => m.tags.map((t) => `${m.id}.${t.name}`)));
  const devices = new Set<string>();
  metering.devices.forEach((d, i) => {
    if (devices.has(d.id)) issue(['devices', i, 'id'], `duplicate meter device id "${d.id}"`);
    devices.add(d.id);
  });
  const checkSource = (src: MeterSource | undefined, path: (string | number)[]) => {
    if (!src) return;
    if ('tag' in src) {
      if (!tags.has(src.tag)) issue([...path, 'tag'], `no machine tag "${src.tag}"; name one as "machine.tag" from machines[].tags`);
    } else if (!devices.has(src.device)) {
      issue([...path, 'device'], `no meter device "${src.device}" in metering.devices (known: ${[...devices].join(', ') || 'none'})`);
    }
  };
  metering.meters.forEach((m, i) => {
    if (!m.total && !m.rate) issue(['meters', i, 'total'], 'give the meter a total (its running total) or a rate (integrated over time)');
    checkSource(m.total, ['meters', i, 'total']);
    checkSource(m.rate, ['meters', i, 'rate']);
    checkSource(m.power, ['meters', i, 'power']);
    if ((m.kgcePerUnit === undefined || m.kgCO2ePerUnit === undefined) && !defaultFactorsFor(m.medium, m.unit)) {
      issue(['meters', i, m.kgcePerUnit === undefined ? 'kgcePerUnit' : 'kgCO2ePerUnit'], `required: there is no default for medium "${m.medium}" in unit "${m.unit}" (defaults: docs/energy.md)`);
    }
  });
  for (const problem of meterTreeProblems(metering.meters, (i) => `meters[${i}].parent`)) {
    const [where, ...rest] = problem.split(': ');
    const match = /^meters\[(\d+)\]\.(\w+)$/.exec(where!);
    issue(match ? ['meters', Number(match[1]), match[2]!] : ['meters'], rest.join(': '));
  }
  const ids = new Set(metering.meters.map((m) => m.id));
  if (metering.tariff && !ids.has(metering.tariff.meter)) issue(['tariff', 'meter'], `"${metering.tariff.meter}" is not one of the meters (${[...ids].join(', ')})`);
  if (metering.demandMeter && !ids.has(metering.demandMeter)) issue(['demandMeter'], `"${metering.demandMeter}" is not one of the meters (${[...ids].join(', ')})`);
  if (metering.tariff) for (const p of tariffOverlaps(metering.tariff.periods)) issue(['tariff', 'periods'], `${p}; each minute may be in one period only`);
  if (metering.baseline) {
    try {
      fitLinear(metering.baseline.points.map((p) => [p.production]), metering.baseline.points.map((p) => p.energyKgce));
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      issue(['baseline', 'points'], `${err.message}; give points over periods with different output`);
    }
  }
}

/** A meter's factors, with the medium's defaults filled in (checkMetering guarantees one exists). */
export function meterFactors(m: MeterConfig): { kgcePerUnit: number; kgCO2ePerUnit: number } {
  const d = defaultFactorsFor(m.medium, m.unit);
  return { kgcePerUnit: m.kgcePerUnit ?? d?.kgcePerUnit ?? 0, kgCO2ePerUnit: m.kgCO2ePerUnit ?? d?.kgCO2ePerUnit ?? 0 };
}
