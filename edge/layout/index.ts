// The twin's layout mode on the edge (issue 21.3): REST routes that read and save machine
// placements and the floor into the plant file (comments kept), and floor-plan images.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachLayout } from './layout-hook.js';
export type { PlantFileHandle, ReloadOutcome, ReloadTrigger } from './plant-file-handle.js';
export { writeLayout } from './layout-document.js';
