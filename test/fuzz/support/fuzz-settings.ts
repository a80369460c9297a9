// How much and with which seed the fuzz properties run. `npm test` runs a short, fixed-seed pass
// (the same inputs every time, so a red run is reproducible as is); `npm run fuzz -- --minutes N`
// (scripts/fuzz.ts) gives each target a time budget and a fresh seed. Either way the seed is in
// the test's title and in fast-check's failure report; FUZZ_SEED=<seed> replays it.
import fc from 'fast-check';

const env = process.env;

/** Fixed for `npm test`; scripts/fuzz.ts passes a fresh one per long run. */
export const FUZZ_SEED = env.FUZZ_SEED !== undefined && env.FUZZ_SEED !== '' ? Number(env.FUZZ_SEED) : 16_03;
if (!Number.isInteger(FUZZ_SEED)) throw new Error(`FUZZ_SEED must be an integer, got "${env.FUZZ_SEED}"`);

/** Milliseconds the long runner gives one test file (0 = the short pass of npm test). */
export const FUZZ_BUDGET_MS = Number(env.FUZZ_BUDGET_MS ?? 0) || 0;
export const LONG_RUN = FUZZ_BUDGET_MS > 0;

/**
 * fast-check parameters for one property. Short pass: `shortRuns` runs. Long run: as many runs
 * as fit in `share` of the file's budget. No shrinking against a live edge (every shrink step is
 * real requests, and a dead edge fails every step): the failing input is reported as generated.
 */
export function fuzzParameters<T>(shortRuns: number, share = 1): fc.Parameters<T> {
  return {
    seed: FUZZ_SEED,
    numRuns: LONG_RUN ? 1_000_000 : shortRuns,
    ...(LONG_RUN ? { interruptAfterTimeLimit: Math.floor(FUZZ_BUDGET_MS * share) } : {}),
    endOnFailure: true,
    verbose: 1,
  };
}

/** Vitest time-out for a property given `share` of the budget (short pass: `shortMs`). */
export function fuzzTimeout(shortMs: number, share = 1): number {
  return LONG_RUN ? Math.floor(FUZZ_BUDGET_MS * share) + 120_000 : shortMs;
}

export const seedNote = `seed ${FUZZ_SEED}${LONG_RUN ? `, ${Math.round(FUZZ_BUDGET_MS / 1000)} s` : ''}; replay with FUZZ_SEED=${FUZZ_SEED}`;

/**
 * Inputs that hit bugs already reported (docs/security.md, Fuzzing) are left out of the
 * generators so that the suite stays a regression net; `npm run fuzz -- --known-bugs` puts them back.
 */
export const KNOWN_BUGS = env.FUZZ_KNOWN_BUGS === '1';
