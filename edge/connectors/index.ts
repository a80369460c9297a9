// Protocol connectors (OPC UA, Modbus TCP/RTU) behind one interface, built by one registry.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { backoffDelay } from './backoff.js';
export { tagId, tagsOfDevice } from './connector.js';
export type { BoundTag, Connector, ConnectorHealth, TagId, TagSample } from './connector.js';
export { createConnector } from './registry.js';
export { QUALITIES, SampleBatch } from './sample-batch.js';
export { WriteRejected, checkWrite } from './write-check.js';
