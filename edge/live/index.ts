// The live Socket.IO server the twin listens to.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { createLiveServer } from './live-server.js';
export type { LiveServer } from './live-server.js';
