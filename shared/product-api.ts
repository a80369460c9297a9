// The product catalogue on the wire (GET/PUT /api/products…): what is made, how fast each
// machine should make it, and the recipe (setpoints written to writable PLC tags when an order
// starts). Every PUT makes a new version; old versions stay readable. Browser-safe.
import { z } from 'zod';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "-" or "_", e.g. HSG-100');
const machineId = z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use the machine id from the plant file, e.g. mill');

/** One setpoint of a recipe: a writable tag, the value to write, and the band the product allows. */
export const RecipeParameterSchema = z.strictObject({
  machineId,
  tag: machineId,
  value: z.union([z.number().finite(), z.boolean()]),
  /** The product's own limits (within the tag's min/max from the plant file). */
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
}).refine((p) => typeof p.value !== 'number' || ((p.min === undefined || p.value >= p.min) && (p.max === undefined || p.value <= p.max)), {
  message: 'value is outside the parameter\'s min/max', path: ['value'],
});
export type RecipeParameter = z.infer<typeof RecipeParameterSchema>;

export const ProductBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  /** Unit of the ordered quantity, e.g. pcs. */
  units: z.string().trim().min(1).max(16).default('pcs'),
  /** Ideal cycle time per machine (s); machines left out use the plant file's. */
  idealCycleTimes: z.record(machineId, z.number().positive().max(86_400)).default({}),
  recipe: z.array(RecipeParameterSchema).max(200).default([]),
  /** The number a PLC's productId register carries for this product, when the PLC knows it. */
  plcCode: z.number().int().min(0).max(4_294_967_295).optional(),
  /** What changed, for the version history and the audit log. */
  note: z.string().trim().max(500).optional(),
});
export type ProductBody = z.infer<typeof ProductBodySchema>;

export const ProductSchema = ProductBodySchema.safeExtend({
  id,
  version: z.number().int().min(1),
  changedAt: z.number(),
  changedBy: z.string(),
});
export type Product = z.infer<typeof ProductSchema>;

export const ProductPathSchema = z.strictObject({ id });
export const ProductQuerySchema = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
export { id as ProductIdSchema };
