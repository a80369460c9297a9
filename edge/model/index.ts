// The live plant model and the one contract for everything downstream of it (ModelEventSink).
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { fanOut } from './model-event-sink.js';
export type { ModelEventSink } from './model-event-sink.js';
export { TOTAL_ROLES, createPlantModel, machinesIn, tagChangesIn } from './plant-model.js';
export type { MachineEvent, MachineStatus, ModelEvent } from './plant-model.js';
export { TagChanges } from './tag-changes.js';
export type { TagChange, TagReading } from './tag-changes.js';
