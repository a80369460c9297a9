// Users, sessions, tokens and roles.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { createAuthService } from './auth-service.js';
export type { AuthMode, AuthService, Principal, Refusal } from './auth-service.js';
export { createRateLimiter } from './rate-limiter.js';
export type { RateLimiter } from './rate-limiter.js';
export { SecretError, loadKey, loadSecret } from './secret.js';
export type { LoadedSecret } from './secret.js';
