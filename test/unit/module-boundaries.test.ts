// Folder public surfaces (issue 17.5): code in one folder imports another folder only through
// that folder's surface — its index.ts, or a documented entry file listed in ENTRY_FILES — never
// its internals. Checked over the production code (edge/, shared/, plc-sim/, twin-ui/src/);
// tests and benchmarks may reach inside the modules they test.
//
// A "folder" is a top-level folder of edge/ or of shared/ (edge/alarms/store belongs to
// edge/alarms), plc-sim/ as a whole, and twin-ui/. Imports that still reach inside are listed
// in ALLOWED, each to be rewritten to the folder's index and then removed from the list: the
// test fails on an import that is neither through a surface nor listed, and on a listed one
// that is gone (so the list only shrinks). On failure it prints the list as it should be.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Documented entry files besides index.ts:
 * - shared/*.ts: each top-level file of shared/ is one contract (the zod schemas and types of
 *   the plant file, a wire protocol or a REST body), imported by edge, host and the twin's
 *   browser bundle alike, so each is its own entry rather than one index the bundle would pull whole;
 * - edge/logger.ts: the Log function every module is handed;
 * - edge/store/database.ts: the one connection factory every module opens the edge's database
 *   with — its own entry, so opening a database does not load the historian;
 * - edge/connectors/registry.ts: builds a device's connector and so loads every protocol library
 *   (node-opcua, modbus-serial) — its own entry, imported only by the composition roots, so that
 *   edge/connectors/index.ts (the contract, the sample batch, write checks, backoff) stays light
 *   for the model, the command path, the uplink and the host;
 * - edge/tls-files.ts: reads the PEM files for HTTPS, shared by the edge's and the host's main;
 * - shared/kpi/zoned-time.ts: plant-local time arithmetic, which imports nothing — its own entry
 *   for shared/energy, because shared/kpi/index.ts loads period-totals → plant-schema →
 *   energy-schema → shared/energy/index.ts, a load cycle through two index files;
 * - plc-sim/simulator.ts: the simulator in-process (startSimulator); plc-sim/main.ts is its CLI.
 */
const ENTRIES = ['edge/logger.ts', 'edge/tls-files.ts', 'edge/store/database.ts', 'edge/connectors/registry.ts', 'shared/kpi/zoned-time.ts', 'plc-sim/simulator.ts'];
const ENTRY_FILES = (file: string): boolean => /^shared\/[^/]+\.ts$/.test(file) || ENTRIES.includes(file);

/** Imports into a folder's internals not yet rewritten to its index: `importer -> imported file`. */
const ALLOWED: readonly string[] = [
];

function folderOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] === 'edge' || parts[0] === 'shared') return parts.length === 2 ? parts[0] : `${parts[0]}/${parts[1]}`;
  if (parts[0] === 'plc-sim' || parts[0] === 'twin-ui') return parts[0];
  return null;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.tsx?$/.test(name) && !/\.(test|d)\.ts$/.test(name)) out.push(path);
  }
  return out;
}

// Static imports and re-exports (type-only too: a type couples folders as much as a value), dynamic imports, side-effect imports.
const IMPORT = /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|\bimport\s+['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import in the production code that crosses from one folder into another. */
function crossFolderImports(): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  const roots = ['edge', 'shared', 'plc-sim', join('twin-ui', 'src')].map((d) => join(ROOT, d)).filter(existsSync);
  for (const abs of roots.flatMap((d) => sourceFiles(d))) {
    const from = relative(ROOT, abs).split('\\').join('/');
    const text = readFileSync(abs, 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      const to = relative(ROOT, resolve(dirname(abs), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
      const target = folderOf(to);
      if (target && target !== folderOf(from)) out.push({ from, to });
    }
  }
  return out;
}

const throughSurface = (to: string) => to.endsWith('/index.ts') || ENTRY_FILES(to);

describe('folder public surfaces', () => {
  const imports = crossFolderImports();
  const inside = [...new Set(imports.filter((i) => !throughSurface(i.to)).map((i) => `${i.from} -> ${i.to}`))].sort();
  const listing = `the list as it should be now:\n${inside.map((l) => `  '${l}',`).join('\n')}`;
  // PRINT_BOUNDARIES=1 npx vitest run test/unit/module-boundaries.test.ts prints it whole.
  if (process.env.PRINT_BOUNDARIES) console.log(listing);

  it('finds the cross-folder imports it is meant to check', () => {
    // A regex that stopped matching would make the next two tests pass for nothing.
    expect(imports.length).toBeGreaterThan(200);
    expect(imports.some((i) => i.to === 'edge/logger.ts')).toBe(true);
  });

  it('imports another folder only through its index.ts or a documented entry file', () => {
    const unlisted = inside.filter((l) => !ALLOWED.includes(l));
    expect(unlisted, `import these through the folder's index.ts (add the name there if it is missing); ${listing}`).toEqual([]);
  });

  it('the list of imports still to rewrite only shrinks', () => {
    const gone = ALLOWED.filter((l) => !inside.includes(l));
    expect(gone, `these no longer reach inside another folder: remove them from ALLOWED; ${listing}`).toEqual([]);
  });

  it('each index.ts re-exports only its own folder', () => {
    const indexes = imports.filter((i) => i.from.endsWith('/index.ts'));
    expect(indexes.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });
});
