// The orders module's own connection to the edge's SQLite file (schema.ts): products by
// version, work orders and their events, closed order segments and scrap bookings.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Order, OrderStatus, StoredScrap } from '../../shared/order-api.js';
import type { Product, ProductBody } from '../../shared/product-api.js';
import type { PeriodTotals } from '../../shared/kpi/index.js';
import { migrateModule, openDatabase } from '../store/index.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface StoredSegment { orderId: string; machineId: string; start: number; end: number; totals: PeriodTotals }

export interface OrderStore {
  latestProducts(): Product[];
  product(id: string, version?: number): Product | undefined;
  productVersions(id: string): Product[];
  /** Stores the next version; returns it. */
  saveProduct(id: string, body: ProductBody, by: string, ts: number): Product;
  orders(status: OrderStatus | undefined, limit: number): Order[];
  order(id: string): Order | undefined;
  insertOrder(order: Order): void;
  /** Sets the status (and start/complete times) and records the event. */
  setStatus(id: string, status: OrderStatus, ts: number, by: string, kind: string, productVersion?: number | null): Order;
  events(orderId: string): { ts: number; kind: string; by: string }[];
  addSegment(segment: StoredSegment): void;
  segments(orderId: string): StoredSegment[];
  addScrap(s: Omit<StoredScrap, 'id'>): StoredScrap;
  scrap(query: { machineId?: string; orderId?: string; limit: number }): StoredScrap[];
  close(): void;
}

interface OrderRow extends Omit<Order, 'status'> { status: string }

export function openOrderStore(file: string): OrderStore {
  const sqlite = openDatabase(file);
  migrateModule(sqlite, { folder: MIGRATIONS, table: '__orders_migrations' });
  const productOf = (r: { id: string; version: number; bodyJson: string; changedAt: number; changedBy: string }): Product =>
    ({ ...(JSON.parse(r.bodyJson) as ProductBody), id: r.id, version: r.version, changedAt: r.changedAt, changedBy: r.changedBy });
  const productCols = 'id, version, body_json AS bodyJson, changed_at AS changedAt, changed_by AS changedBy';
  const orderCols = 'id, product_id AS productId, product_version AS productVersion, quantity, due, line, status, note, created_at AS createdAt, created_by AS createdBy, started_at AS startedAt, completed_at AS completedAt';
  const q = {
    latest: sqlite.prepare(`SELECT ${productCols} FROM products p WHERE version = (SELECT MAX(version) FROM products WHERE id = p.id) ORDER BY id`),
    productAt: sqlite.prepare(`SELECT ${productCols} FROM products WHERE id = ? AND version = ?`),
    productLast: sqlite.prepare(`SELECT ${productCols} FROM products WHERE id = ? ORDER BY version DESC LIMIT 1`),
    versions: sqlite.prepare(`SELECT ${productCols} FROM products WHERE id = ? ORDER BY version`),
    insertProduct: sqlite.prepare('INSERT INTO products (id, version, body_json, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)'),
    ordersAll: sqlite.prepare(`SELECT ${orderCols} FROM work_orders ORDER BY created_at DESC, id LIMIT ?`),
    ordersBy: sqlite.prepare(`SELECT ${orderCols} FROM work_orders WHERE status = ? ORDER BY created_at DESC, id LIMIT ?`),
    order: sqlite.prepare(`SELECT ${orderCols} FROM work_orders WHERE id = ?`),
    insertOrder: sqlite.prepare('INSERT INTO work_orders (id, product_id, product_version, quantity, due, line, status, note, created_at, created_by, started_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    status: sqlite.prepare('UPDATE work_orders SET status = ?, started_at = COALESCE(started_at, ?), completed_at = ?, product_version = COALESCE(?, product_version) WHERE id = ?'),
    event: sqlite.prepare('INSERT INTO order_events (order_id, ts, kind, by) VALUES (?, ?, ?, ?)'),
    events: sqlite.prepare('SELECT ts, kind, by FROM order_events WHERE order_id = ? ORDER BY ts, id'),
    segment: sqlite.prepare('INSERT INTO order_segments (order_id, machine_id, start, end, totals_json) VALUES (?, ?, ?, ?, ?)'),
    segments: sqlite.prepare('SELECT order_id AS orderId, machine_id AS machineId, start, end, totals_json AS totalsJson FROM order_segments WHERE order_id = ? ORDER BY start, id'),
    scrap: sqlite.prepare('INSERT INTO scrap_bookings (ts, machine_id, order_id, quantity, reason, source, by) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    scrapList: sqlite.prepare(`SELECT id, ts, machine_id AS machineId, order_id AS orderId, quantity, reason, source, by FROM scrap_bookings
      WHERE (? IS NULL OR machine_id = ?) AND (? IS NULL OR order_id = ?) ORDER BY ts DESC, id DESC LIMIT ?`),
  };
  const asOrder = (r: OrderRow | undefined): Order | undefined => (r ? { ...r, status: r.status as OrderStatus } : undefined);
  const setStatus = sqlite.transaction((id: string, status: OrderStatus, ts: number, by: string, kind: string, productVersion: number | null) => {
    q.status.run(status, status === 'running' ? ts : null, status === 'completed' ? ts : null, productVersion, id);
    q.event.run(id, ts, kind, by);
  });
  return {
    latestProducts: () => (q.latest.all() as Parameters<typeof productOf>[0][]).map(productOf),
    product(id, version) {
      const r = (version === undefined ? q.productLast.get(id) : q.productAt.get(id, version)) as Parameters<typeof productOf>[0] | undefined;
      return r && productOf(r);
    },
    productVersions: (id) => (q.versions.all(id) as Parameters<typeof productOf>[0][]).map(productOf),
    saveProduct(id, body, by, ts) {
      const last = q.productLast.get(id) as { version: number } | undefined;
      const version = (last?.version ?? 0) + 1;
      q.insertProduct.run(id, version, JSON.stringify(body), ts, by);
      return { ...body, id, version, changedAt: ts, changedBy: by };
    },
    orders: (status, limit) => (status ? q.ordersBy.all(status, limit) : q.ordersAll.all(limit)).map((r) => asOrder(r as OrderRow)!),
    order: (id) => asOrder(q.order.get(id) as OrderRow | undefined),
    insertOrder(o) {
      q.insertOrder.run(o.id, o.productId, o.productVersion, o.quantity, o.due, o.line, o.status, o.note, o.createdAt, o.createdBy, o.startedAt, o.completedAt);
    },
    setStatus(id, status, ts, by, kind, productVersion = null) {
      setStatus(id, status, ts, by, kind, productVersion);
      return asOrder(q.order.get(id) as OrderRow)!;
    },
    events: (orderId) => q.events.all(orderId) as { ts: number; kind: string; by: string }[],
    addSegment: (s) => void q.segment.run(s.orderId, s.machineId, s.start, s.end, JSON.stringify(s.totals)),
    segments: (orderId) => (q.segments.all(orderId) as { orderId: string; machineId: string; start: number; end: number; totalsJson: string }[])
      .map((r) => ({ orderId: r.orderId, machineId: r.machineId, start: r.start, end: r.end, totals: JSON.parse(r.totalsJson) as PeriodTotals })),
    addScrap(s) {
      const info = q.scrap.run(s.ts, s.machineId, s.orderId, s.quantity, s.reason, s.source, s.by);
      return { ...s, id: Number(info.lastInsertRowid) };
    },
    scrap: ({ machineId, orderId, limit }) => q.scrapList.all(machineId ?? null, machineId ?? null, orderId ?? null, orderId ?? null, limit) as StoredScrap[],
    close: () => sqlite.close(),
  };
}
