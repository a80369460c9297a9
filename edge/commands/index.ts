// Commands to the PLCs: validation, limits, read-back and audit.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { CommandRefused, createCommandService } from './command-service.js';
export type { CommandContext, CommandService } from './command-service.js';
export { createReadBackWatch } from './read-back.js';
export { remoteCommandPolicy } from './remote-command-policy.js';
