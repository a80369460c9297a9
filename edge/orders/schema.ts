// The orders module's own tables: the product catalogue (every version kept), work orders with
// their events, the KPI totals of each closed stretch a machine worked on an order, and scrap
// bookings. Migrations in edge/orders/migrations (npx drizzle-kit generate --config
// drizzle.orders.config.ts), recorded in __orders_migrations.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const products = sqliteTable('products', {
  id: text('id').notNull(),
  version: integer('version').notNull(),
  bodyJson: text('body_json').notNull(),
  changedAt: integer('changed_at').notNull(),
  changedBy: text('changed_by').notNull(),
}, (t) => [primaryKey({ columns: [t.id, t.version] })]);

export const workOrders = sqliteTable('work_orders', {
  id: text('id').primaryKey(),
  productId: text('product_id').notNull(),
  productVersion: integer('product_version'),
  quantity: integer('quantity').notNull(),
  due: integer('due'),
  line: text('line').notNull(),
  status: text('status').notNull(),
  note: text('note'),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  startedAt: integer('started_at'),
  completedAt: integer('completed_at'),
}, (t) => [index('work_orders_status').on(t.status)]);

export const orderEvents = sqliteTable('order_events', {
  id: integer('id').primaryKey(),
  orderId: text('order_id').notNull(),
  ts: integer('ts').notNull(),
  kind: text('kind').notNull(),
  by: text('by').notNull(),
}, (t) => [index('order_events_order').on(t.orderId)]);

/** One closed stretch of one machine on one order: its PeriodTotals (shared/kpi) as JSON. */
export const orderSegments = sqliteTable('order_segments', {
  id: integer('id').primaryKey(),
  orderId: text('order_id').notNull(),
  machineId: text('machine_id').notNull(),
  start: integer('start').notNull(),
  end: integer('end').notNull(),
  totalsJson: text('totals_json').notNull(),
}, (t) => [index('order_segments_order').on(t.orderId)]);

export const scrapBookings = sqliteTable('scrap_bookings', {
  id: integer('id').primaryKey(),
  ts: integer('ts').notNull(),
  machineId: text('machine_id').notNull(),
  orderId: text('order_id'),
  quantity: integer('quantity').notNull(),
  reason: text('reason').notNull(),
  source: text('source').notNull(),
  by: text('by').notNull(),
}, (t) => [index('scrap_bookings_machine_ts').on(t.machineId, t.ts), index('scrap_bookings_order').on(t.orderId)]);
