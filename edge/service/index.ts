// After-sales service cases and machine service history.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export type { StateSpan } from './reliability.js';
export { CaseError, ServiceCases } from './service-cases.js';
