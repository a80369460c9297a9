// The tamper-evident audit log of who did what.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { auditAnchorFile, loadAuditKey } from './audit-key.js';
export { openAuditLog } from './audit-log.js';
export type { AuditLog } from './audit-log.js';
export { openStoreFile } from './open-store.js';
