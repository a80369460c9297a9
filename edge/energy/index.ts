// Energy metering on the edge (docs/energy.md): meters read as tags, consumption, demand and the report.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachEnergy, energyDeviceHealth, energyUplinkJson } from './energy-hook.js';
