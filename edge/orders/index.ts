// Products, work orders, scrap booking and KPIs per order and product (issue 23 items 1-3).
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachOrders } from './orders-hook.js';
export { createOrdersModule, OrderRefused } from './orders-module.js';
export type { OrderKpis, OrdersModule } from './orders-module.js';
export { createOrderTracker } from './order-tracker.js';
export type { OrderTracker } from './order-tracker.js';
export { parseOrderCsv } from './order-csv.js';
export { openOrderStore } from './order-store.js';
