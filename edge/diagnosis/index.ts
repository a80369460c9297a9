// Machine health: learned tag baselines, anomaly scores, the fault-code catalogue.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { loadFaultCatalogue } from './fault-catalogue.js';
export { HealthMonitor, numericProcessTags } from './health-monitor.js';
export type { StoredBaseline } from './health-monitor.js';
