// Continuous emission monitoring on the edge (docs/emissions.md): outlet periods, limits, the HJ 212 uplink.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachEmissions } from './emission-hook.js';
