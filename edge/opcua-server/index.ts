// The edge as an OPC UA server (OPC 40001-1 Machinery), for upstream systems. docs/opcua.md.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachOpcUaServer } from './opcua-server-hook.js';
export type { EdgeOpcUaServer } from './edge-opcua-server.js';
