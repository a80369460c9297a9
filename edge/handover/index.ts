// Shift handover: notes and open issues per line and shift, and the shift report made at each shift's end.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachHandover } from './handover-hook.js';
export { createHandoverService, HandoverError } from './handover-service.js';
export type { HandoverService } from './handover-service.js';
export { shiftOrders } from './shift-orders.js';
export type { OrdersReads } from './shift-orders.js';
