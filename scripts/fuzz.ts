// Long fuzz runs: `npm run fuzz -- --minutes 10` runs the same properties as the short pass in
// `npm test` (test/fuzz/), with a fresh seed and the minutes spread evenly over the targets,
// one target at a time. Each target reports every kind of problem it met, once, with the input
// that showed it; the seed is printed first and in every report (FUZZ_SEED=<seed> or --seed replays).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HELP = `npm run fuzz -- [--minutes N] [--seed S] [--only <target>] [--known-bugs]

  --minutes N     total time, spread over the targets (default 5)
  --seed S        replay a run (default: a fresh random seed, printed)
  --only T        one target: ${targets().join(', ')}
  --known-bugs    also generate inputs that hit bugs already reported (see docs/security.md, Fuzzing)`;

function targets(): string[] {
  return readdirSync('test/fuzz').filter((f) => f.endsWith('.fuzz.test.ts')).map((f) => f.replace('.fuzz.test.ts', '')).sort();
}

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    only: { type: 'string' },
    'known-bugs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  console.error(`--minutes must be a positive number, got "${values.minutes}"`);
  process.exit(2);
}
const chosen = values.only ? [values.only] : targets();
const unknown = chosen.filter((t) => !targets().includes(t));
if (unknown.length) {
  console.error(`unknown target ${unknown.join(', ')}: choose from ${targets().join(', ')}`);
  process.exit(2);
}
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
const budgetMs = Math.floor((minutes * 60_000) / chosen.length);
console.log(`twinline fuzz: seed ${seed}, ${minutes} min over ${chosen.length} target(s) (${Math.round(budgetMs / 1000)} s each); replay with --seed ${seed}`);

let failed = 0;
for (const target of chosen) {
  console.log(`\n== ${target} ==`);
  const run = spawnSync('npx', ['vitest', 'run', `test/fuzz/${target}.fuzz.test.ts`], {
    stdio: 'inherit',
    env: { ...process.env, FUZZ_SEED: seed, FUZZ_BUDGET_MS: String(budgetMs), ...(values['known-bugs'] ? { FUZZ_KNOWN_BUGS: '1' } : {}) },
  });
  if (run.status !== 0) failed++;
}
console.log(`\ntwinline fuzz: ${failed ? `${failed} of ${chosen.length} target(s) found problems` : 'nothing found'} (seed ${seed})`);
process.exitCode = failed ? 1 : 0;
