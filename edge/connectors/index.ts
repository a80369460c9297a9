// The connector contract: what a connector is, the batch it hands the model, the write checks
// and the reconnect backoff every connection shares. Light on purpose — it loads no protocol
// library, so the model, the command path, the uplink and the host import it freely.
// Building a connector for a device (and so loading node-opcua and modbus-serial) is
// registry.ts's job, the folder's second documented entry: only the composition roots import it.
// Other folders import from these two files and nothing else (test/unit/module-boundaries.test.ts).
export { backoffDelay } from './backoff.js';
export { tagId, tagsOfDevice } from './connector.js';
export type { BoundTag, Connector, ConnectorContext, ConnectorHealth, TagId, TagSample } from './connector.js';
export { QUALITIES, SampleBatch } from './sample-batch.js';
export { WriteRejected, checkWrite } from './write-check.js';
// Pure register decoding (no protocol library): also for the layout mode's test read of a register table.
export { decodeRegisters } from './modbus-codec.js';
