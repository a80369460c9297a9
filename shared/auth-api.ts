// Users, roles and sessions on the wire (POST /api/login, GET /api/session, the Socket.IO
// `session` event). Browser-safe: the twin's login form and banner import it.
import { z } from 'zod';

/** Ordered: each role may do everything the roles before it may. */
/**
 * Sent by the twin with every state-changing REST call. A cross-site form cannot set a header,
 * and a cross-origin script only after a CORS preflight the edge never grants, so the edge
 * honours its session cookie for writes only when this header comes with it.
 */
export const CSRF_HEADER = 'x-twinline-request';

export const ROLES = ['operator', 'maintenance', 'manager', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True when `role` is `minimum` or above it (operator < maintenance < manager < admin). */
export function hasRole(role: Role, minimum: Role): boolean {
  return roleRank(role) >= roleRank(minimum);
}

export const UsernameSchema = z
  .string()
  .min(1, 'a user name is required')
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "-" or "_", starting with a letter');

export const LoginBodySchema = z.strictObject({
  username: UsernameSchema,
  /** Bounded: scrypt work is per request, a megabyte password must not cost a megabyte of hashing. */
  password: z.string().min(1, 'a password is required').max(256),
});
export type LoginBody = z.infer<typeof LoginBodySchema>;

/** What the edge tells a client about its own session (and about demo mode, which the twin must show). */
export const SessionSchema = z.object({
  user: z.string(),
  role: RoleSchema,
  /** Epoch ms when the token stops working; null for the demo auto-login, which has no token. */
  expiresAt: z.number().nullable(),
  /** How this session was established. */
  via: z.enum(['token', 'demo-auto-login']),
  demo: z
    .object({
      /** Sentence for a banner, e.g. "Demo mode: known passwords, not for a real plant". */
      notice: z.string(),
      /** The demo accounts and their (public) passwords. */
      accounts: z.array(z.object({ username: z.string(), password: z.string(), role: RoleSchema })),
    })
    .nullable(),
});
export type Session = z.infer<typeof SessionSchema>;

export const LoginResponseSchema = z.object({
  /** Send as `Authorization: Bearer <token>` (REST) or `auth: { token }` (Socket.IO). */
  token: z.string(),
  expiresAt: z.number(),
  session: SessionSchema,
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** Every refusal and validation error of the API has this shape (shared/api-error.ts). */
export { ApiErrorSchema, type ApiError } from './api-error.js';

/** Part of GET /api/health (public): enough for a login page to know what to offer. */
export const AuthHealthSchema = z.object({
  mode: z.enum(['demo', 'required']),
  users: z.number(),
  notice: z.string().nullable(),
});
export type AuthHealth = z.infer<typeof AuthHealthSchema>;
