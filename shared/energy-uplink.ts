// The Sparkplug node metric `Energy/Meters` (edge → plant host): the contract between the
// edge's energy module and the host's plant energy (edge/host/plant-energy.ts). Apart from
// energy-api.ts so the twin, which never reads it, does not bundle the tariff schema's maths.
import { z } from 'zod';
import { TariffSchema } from './energy-schema.js';

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'an id from the plant file: letters, digits, "-" or "_"').max(64);

/**
 * The Sparkplug node metric `Energy/Meters` (edge → plant host), JSON: every meter with its
 * last *stored* total (so it changes once per storeIntervalSeconds, not every poll), and what
 * the host needs to report on it with the shared maths: factors, rollover, the tariff and the
 * contract. The host keeps the totals in the line's history and aggregates the lines.
 */
export const EnergyUplinkSchema = z.object({
  meters: z.array(z.object({
    id,
    name: z.string().max(200),
    medium: z.string().min(1).max(64),
    unit: z.string().min(1).max(32),
    parent: id.nullable(),
    area: z.string().max(64).nullable(),
    kgcePerUnit: z.number().min(0).max(1e6),
    kgCO2ePerUnit: z.number().min(0).max(1e6),
    rollover: z.number().positive().max(1e15).nullable(),
    total: z.number().finite().nullable(),
    ts: z.number().nullable(),
  })).max(200),
  tariff: TariffSchema.nullable(),
  contractDemandKW: z.number().positive().nullable(),
});
export type EnergyUplink = z.infer<typeof EnergyUplinkSchema>;
/** Longest `Energy/Meters` JSON the host accepts (200 meters and a tariff fit well inside). */
export const MAX_ENERGY_UPLINK_CHARS = 128 * 1024;
