/** Reconnect backoff as data (node-opcua style): exponential with jitter, capped. */
export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0…1: share of the delay drawn at random, so many edges do not reconnect in lock-step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 250, maxDelayMs: 5000, factor: 2, jitter: 0.2 };

export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt));
  return Math.round(base * (1 - policy.jitter + policy.jitter * 2 * random()));
}
