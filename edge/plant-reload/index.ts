// Plant file hot reload (issue 21.5): runs the edge from a plant file and applies changes to it.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { describeChanges, planChanges, type PlantChanges } from './plant-changes.js';
export { runPlantFile, type PlantSupervisor, type PlantSupervisorOptions, type ReloadableEdge } from './plant-supervisor.js';
// For the composition root: connectors kept across a recomposition, and stop steps with a deadline.
export { ConnectorFeed, connectorKey, positionsMap, type HandedConnector } from './connector-handover.js';
export { boundedStep } from './bounded-step.js';
export { plantFileStatus } from './plant-file-status.js';
