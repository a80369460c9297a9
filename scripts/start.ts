// `npm start`: builds the twin if its sources changed, then runs the simulated line and the
// edge as child processes. Ctrl-C (or either child dying) stops both; nothing is left behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDemoPlantFile } from '../edge/demo-mode.js';

const UI_SOURCES = ['twin-ui', 'shared'];
const UI_INDEX = join('dist', 'twin-ui', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function uiIsStale(): boolean {
  if (!existsSync(UI_INDEX)) return true;
  const built = statSync(UI_INDEX).mtimeMs;
  return UI_SOURCES.some((dir) => existsSync(dir) && newestMtime(dir) > built);
}

if (uiIsStale()) {
  console.log('[start] building the twin UI…');
  const build = spawnSync(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'twin-ui/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('[start] the twin UI did not build; see the errors above');
    process.exit(1);
  }
}

const extraArgs = process.argv.slice(2);
const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

function run(name: string, script: string, args: string[] = []) {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const prefix = (chunk: Buffer, out: NodeJS.WriteStream) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) out.write(`[${name}] ${line}\n`);
  };
  proc.stdout!.on('data', (c: Buffer) => prefix(c, process.stdout));
  proc.stderr!.on('data', (c: Buffer) => prefix(c, process.stderr));
  proc.on('exit', (code, signal) => {
    // Ctrl-C reaches the children too; give our own SIGINT handler the first word.
    setTimeout(() => {
      if (stopping) return;
      console.error(`[start] ${name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }, 300);
  });
  children.push({ name, proc });
}

async function stopAll(exitCode: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(({ proc }) => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => { clearTimeout(killer); resolve(); });
      proc.kill('SIGTERM');
    })),
  );
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** The plant file given after `npm start --` (--plant f or --plant=f), if any. */
function plantArg(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--plant') return args[i + 1];
    if (args[i]!.startsWith('--plant=')) return args[i]!.slice('--plant='.length);
  }
  return undefined;
}

run('sim', 'plc-sim/main.ts');
// npm start is the zero-setup demo: demo accounts, visitors auto-logged in as operator (the edge
// says so on screen and in the log) — on the demo plant only. Another plant file runs with login
// required unless --demo is given explicitly (docs/security.md).
const plant = plantArg(extraArgs);
const demo = plant === undefined || isDemoPlantFile(plant);
if (!demo && !extraArgs.includes('--demo')) {
  console.log(`[start] ${plant} is not the demo plant: the edge requires a login (npm run user -- add <name> --role admin), or pass --demo to mean demo mode`);
}
// The demo's furnace reports its emissions over HJ 212 to a reference platform on port 9212
// (docs/emissions.md), with a published demo access password; a real plant sets its own.
if (demo) {
  process.env.TWINLINE_HJ212_PASSWORD ??= 'hj212-demo';
  run('hj212', 'edge/hj212/hj212-cli.ts', ['listen', '--port', '9212']);
}
run('edge', 'edge/main.ts', [...(demo ? ['--demo'] : []), ...extraArgs]);
console.log(`[start] twinline is starting: open http://localhost:${process.env.PORT ?? 8080} (Ctrl-C stops everything)`);
