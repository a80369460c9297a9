// Token buckets keyed by a string (client address, user name), on an injected clock. Used
// for login attempts and for how many refusals per client reach the audit log. Bounded:
// full buckets are forgotten, and beyond maxKeys the oldest key goes first.
export interface RateLimiterOptions {
  /** Attempts allowed in a burst. */
  capacity: number;
  /** One attempt comes back every refillMs. */
  refillMs: number;
  now: () => number;
  maxKeys?: number;
}

export interface RateLimiter {
  /** Takes one token; false when the bucket is empty. */
  take(key: string): boolean;
  /** ms until `key` may try again (0 = now). */
  retryAfterMs(key: string): number;
  size(): number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { capacity, refillMs, now } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  /** Tokens may be fractional: refill is continuous. */
  const buckets = new Map<string, { tokens: number; at: number }>();

  function level(key: string, t: number): number {
    const b = buckets.get(key);
    if (!b) return capacity;
    return Math.min(capacity, b.tokens + (t - b.at) / refillMs);
  }

  return {
    take(key) {
      const t = now();
      const tokens = level(key, t);
      buckets.delete(key); // re-inserted below: Map order = least recently used first
      if (tokens < 1) {
        buckets.set(key, { tokens, at: t });
        return false;
      }
      if (tokens - 1 < capacity) buckets.set(key, { tokens: tokens - 1, at: t });
      while (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      return true;
    },
    retryAfterMs(key) {
      const tokens = level(key, now());
      return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * refillMs);
    },
    size: () => buckets.size,
  };
}
