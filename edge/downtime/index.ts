// Downtime reasons: the reason tree, operators' classifications of stops (append-only), and losses by reason.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachDowntime } from './downtime-hook.js';
export { createDowntimeService, DowntimeError } from './downtime-service.js';
export type { Actor, DowntimeService, ShiftLosses } from './downtime-service.js';
