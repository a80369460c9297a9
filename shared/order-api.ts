// Work orders and scrap bookings on the wire (/api/orders…, /api/scrap) and the live `order`
// message. Browser-safe: the twin's order panel and scrap form import it.
import { z } from 'zod';
import { ProductIdSchema } from './product-api.js';

export const OrderIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "-" or "_", e.g. WO-1001');
const machineId = z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use the machine id from the plant file, e.g. mill');

export const ORDER_STATUSES = ['planned', 'running', 'paused', 'completed'] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** ISO 8601 with an offset, or epoch ms. */
const instant = z.union([
  z.number().int().min(0),
  z.string().max(40).regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, 'use ISO 8601 with an offset, e.g. 2026-11-02T14:00:00+08:00')
    .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date and time'),
]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

export const OrderCreateSchema = z.strictObject({
  id: OrderIdSchema,
  productId: ProductIdSchema,
  quantity: z.number().int().min(1).max(10_000_000),
  due: instant.optional(),
  /** The plant file's line id (default: the plant's line). */
  line: z.string().min(1).max(64).optional(),
  note: z.string().trim().max(500).optional(),
});
export type OrderCreate = z.infer<typeof OrderCreateSchema>;

/** CSV import: a header row naming id, product, quantity and optionally due, line, note. */
export const OrderImportSchema = z.strictObject({ csv: z.string().min(1).max(256 * 1024) });

export const OrderStartSchema = z.strictObject({
  /**
   * 'download' writes the product's recipe through the command service (needs a role that may
   * write setpoints; read back and audited); 'skip' starts without touching the PLCs. Never implied.
   */
  recipe: z.enum(['download', 'skip']).default('skip'),
});
export const OrderActionSchema = z.strictObject({ note: z.string().trim().max(500).optional() });
export const OrderPathSchema = z.strictObject({ id: OrderIdSchema });
export const OrderListQuerySchema = z.strictObject({
  status: OrderStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const OrderReportQuerySchema = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

export const ScrapBookingSchema = z.strictObject({
  machineId,
  quantity: z.number().int().min(1).max(100_000),
  reason: z.string().trim().min(2, 'say why (at least 2 characters), e.g. "burr on bore" or "毛刺"').max(200),
  /** Who found it: the operator at the machine or a quality station. */
  source: z.enum(['operator', 'quality']).default('operator'),
  /** Default: the order the machine is working on. */
  orderId: OrderIdSchema.optional(),
});
export type ScrapBooking = z.infer<typeof ScrapBookingSchema>;
export const ScrapQuerySchema = z.strictObject({
  machineId: machineId.optional(),
  orderId: OrderIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export interface Order {
  id: string;
  productId: string;
  productVersion: number | null;
  quantity: number;
  due: number | null;
  line: string;
  status: OrderStatus;
  note: string | null;
  createdAt: number;
  createdBy: string;
  startedAt: number | null;
  completedAt: number | null;
}

export interface StoredScrap {
  id: number;
  ts: number;
  machineId: string;
  orderId: string | null;
  quantity: number;
  reason: string;
  source: 'operator' | 'quality';
  by: string;
}

/** Where an order stands, as the live `order` message and GET /api/orders/current carry it. */
export const OrderProgressSchema = z.object({
  ts: z.number(),
  line: z.object({
    id: z.string(), orderId: z.string().nullable(), productId: z.string().nullable(), status: OrderStatusSchema.nullable(),
    quantity: z.number().nullable(), good: z.number(), progress: z.number().nullable(),
  }),
  /** The order each machine works on and who said so (a PLC tag wins over the operator's start). */
  machines: z.array(z.object({ machineId: z.string(), orderId: z.string().nullable(), source: z.enum(['plc', 'operator']).nullable(), changeover: z.boolean() })),
});
export type OrderProgress = z.infer<typeof OrderProgressSchema>;
