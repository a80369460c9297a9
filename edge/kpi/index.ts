// Live ISO 22400 KPIs fed by model events.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { feedKpis, kpiSink } from './kpi-feed.js';
export type { KpiEvent, KpiInput } from './kpi-feed.js';
export { createLiveKpiEngine } from './live-kpi-engine.js';
export type { ClosedShift, LiveKpiEngine } from './live-kpi-engine.js';
