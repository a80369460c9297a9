// The one error shape of the REST API, for every status it answers with an error: 400, 401, 403,
// 404, 409, 413, 415, 422, 429, 5xx. Browser-safe: the twin reads `error` (a sentence saying what
// to do next) and `field` (which input was wrong).
import { z } from 'zod';

export const ApiErrorSchema = z.object({
  /** What went wrong and what to do next, for a person. */
  error: z.string(),
  /** Machine-readable reason, e.g. unauthenticated, forbidden, invalid, not-found, rate-limited, too-large. */
  code: z.string(),
  /** The bad input for validation errors: a query or path parameter ("from", "id") or a body field path ("value"). */
  field: z.string().optional(),
  /** Anything else a client may act on (e.g. the limit that was exceeded). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
