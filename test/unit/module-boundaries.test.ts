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
 * - edge/connectors/connector.ts and edge/connectors/sample-batch.ts: the connector contract and
 *   the batch format connectors hand the model — their own entries, so the model and the command
 *   path do not load every protocol library (edge/connectors/index.ts loads the registry);
 * - plc-sim/simulator.ts: the simulator in-process (startSimulator); plc-sim/main.ts is its CLI.
 */
const ENTRIES = ['edge/logger.ts', 'edge/store/database.ts', 'edge/connectors/connector.ts', 'edge/connectors/sample-batch.ts', 'plc-sim/simulator.ts'];
const ENTRY_FILES = (file: string): boolean => /^shared\/[^/]+\.ts$/.test(file) || ENTRIES.includes(file);

/** Imports into a folder's internals not yet rewritten to its index: `importer -> imported file`. */
const ALLOWED: readonly string[] = [
  'edge/api/bounded-reads.ts -> edge/alarms/flight-recorder.ts',
  'edge/api/bounded-reads.ts -> edge/store/history-csv.ts',
  'edge/api/bounded-reads.ts -> edge/store/reads.ts',
  'edge/commands/command-service.ts -> edge/connectors/write-check.ts',
  'edge/edge-runtime.ts -> edge/alarms/alarm-service.ts',
  'edge/edge-runtime.ts -> edge/api/edge-api.ts',
  'edge/edge-runtime.ts -> edge/api/http-server.ts',
  'edge/edge-runtime.ts -> edge/api/openapi.ts',
  'edge/edge-runtime.ts -> edge/audit/audit-key.ts',
  'edge/edge-runtime.ts -> edge/audit/audit-log.ts',
  'edge/edge-runtime.ts -> edge/auth/auth-service.ts',
  'edge/edge-runtime.ts -> edge/auth/secret.ts',
  'edge/edge-runtime.ts -> edge/commands/command-service.ts',
  'edge/edge-runtime.ts -> edge/commands/read-back.ts',
  'edge/edge-runtime.ts -> edge/connectors/registry.ts',
  'edge/edge-runtime.ts -> edge/emissions/emission-hook.ts',
  'edge/edge-runtime.ts -> edge/energy/energy-hook.ts',
  'edge/edge-runtime.ts -> edge/kpi/kpi-feed.ts',
  'edge/edge-runtime.ts -> edge/kpi/live-kpi-engine.ts',
  'edge/edge-runtime.ts -> edge/live/live-server.ts',
  'edge/edge-runtime.ts -> edge/model/model-event-sink.ts',
  'edge/edge-runtime.ts -> edge/model/plant-model.ts',
  'edge/edge-runtime.ts -> edge/store/historian.ts',
  'edge/edge-runtime.ts -> edge/store/kpi-replay.ts',
  'edge/edge-runtime.ts -> edge/store/last-values.ts',
  'edge/edge-runtime.ts -> edge/store/read-worker-client.ts',
  'edge/edge-runtime.ts -> edge/uplink/edge-node.ts',
  'edge/edge-runtime.ts -> edge/uplink/remote-commands.ts',
  'edge/emissions/emission-hook.ts -> edge/model/model-event-sink.ts',
  'edge/emissions/emission-monitor.ts -> edge/model/model-event-sink.ts',
  'edge/emissions/emission-monitor.ts -> edge/model/plant-model.ts',
  'edge/emissions/emission-monitor.ts -> shared/hj212/edition.ts',
  'edge/emissions/emission-monitor.ts -> shared/kpi/zoned-time.ts',
  'edge/emissions/emission-routes.ts -> edge/api/api-route.ts',
  'edge/emissions/emission-routes.ts -> edge/api/bounded-reads.ts',
  'edge/emissions/emission-routes.ts -> edge/api/validation.ts',
  'edge/emissions/emission-routes.ts -> shared/kpi/zoned-time.ts',
  'edge/emissions/emission-store.ts -> shared/emissions/data-flags.ts',
  'edge/emissions/emission-store.ts -> shared/hj212/packet.ts',
  'edge/emissions/hj212-link.ts -> edge/hj212/framer.ts',
  'edge/emissions/hj212-link.ts -> shared/hj212/cp.ts',
  'edge/emissions/hj212-link.ts -> shared/hj212/packet.ts',
  'edge/emissions/hj212-packets.ts -> shared/hj212/cp.ts',
  'edge/emissions/hj212-packets.ts -> shared/hj212/edition.ts',
  'edge/emissions/hj212-packets.ts -> shared/hj212/packet.ts',
  'edge/emissions/outlet-sample.ts -> shared/emissions/data-flags.ts',
  'edge/emissions/outlet-sample.ts -> shared/emissions/flue-gas.ts',
  'edge/emissions/period-builder.ts -> shared/emissions/data-flags.ts',
  'edge/emissions/period-builder.ts -> shared/emissions/period-average.ts',
  'edge/emissions/period-builder.ts -> shared/kpi/zoned-time.ts',
  'edge/energy/energy-hook.ts -> edge/model/model-event-sink.ts',
  'edge/energy/energy-module.ts -> edge/connectors/registry.ts',
  'edge/energy/energy-module.ts -> edge/model/model-event-sink.ts',
  'edge/energy/energy-module.ts -> edge/model/plant-model.ts',
  'edge/energy/energy-module.ts -> shared/energy/demand.ts',
  'edge/energy/energy-module.ts -> shared/energy/energy-report.ts',
  'edge/energy/energy-module.ts -> shared/energy/meter-readings.ts',
  'edge/energy/energy-routes.ts -> edge/api/api-route.ts',
  'edge/energy/energy-routes.ts -> edge/api/bounded-reads.ts',
  'edge/energy/energy-routes.ts -> edge/api/validation.ts',
  'edge/energy/energy-routes.ts -> shared/kpi/zoned-time.ts',
  'edge/energy/meter-feed.ts -> shared/energy/demand.ts',
  'edge/energy/meter-feed.ts -> shared/energy/meter-readings.ts',
  'edge/energy/report-cli.ts -> edge/config/load-plant.ts',
  'edge/energy/report-cli.ts -> shared/energy/baseline.ts',
  'edge/energy/report-cli.ts -> shared/energy/energy-report-schema.ts',
  'edge/energy/report-cli.ts -> shared/energy/energy-report.ts',
  'edge/energy/report-table.ts -> shared/energy/energy-report.ts',
  'edge/hj212/framer.ts -> shared/hj212/packet.ts',
  'edge/hj212/hj212-cli.ts -> shared/hj212/cp.ts',
  'edge/hj212/hj212-cli.ts -> shared/hj212/crc.ts',
  'edge/hj212/hj212-cli.ts -> shared/hj212/edition.ts',
  'edge/hj212/hj212-cli.ts -> shared/hj212/encode-input.ts',
  'edge/hj212/hj212-cli.ts -> shared/hj212/packet.ts',
  'edge/hj212/reference-platform.ts -> shared/hj212/crc.ts',
  'edge/hj212/reference-platform.ts -> shared/hj212/edition.ts',
  'edge/hj212/reference-platform.ts -> shared/hj212/packet.ts',
  'edge/host/main.ts -> edge/tls-files.ts',
  'edge/host/primary-host.ts -> edge/connectors/backoff.ts',
  'edge/live/live-server.ts -> edge/api/auth-guard.ts',
  'edge/live/live-server.ts -> edge/api/security-headers.ts',
  'edge/live/live-server.ts -> edge/api/validation.ts',
  'edge/live/live-server.ts -> edge/auth/auth-service.ts',
  'edge/live/live-server.ts -> edge/auth/rate-limiter.ts',
  'edge/live/live-server.ts -> edge/commands/command-service.ts',
  'edge/live/live-server.ts -> edge/model/model-event-sink.ts',
  'edge/live/live-server.ts -> edge/model/plant-model.ts',
  'edge/store/reads.ts -> edge/alarms/alarm-kpis.ts',
  'edge/store/reads.ts -> edge/alarms/store/alarm-store.ts',
  'edge/uplink/mqtt-session.ts -> edge/connectors/backoff.ts',
  'plc-sim/furnace.ts -> shared/emissions/data-flags.ts',
  'plc-sim/furnace.ts -> shared/emissions/flue-gas.ts',
  'plc-sim/furnace.ts -> shared/emissions/period-average.ts',
  'plc-sim/utilities.ts -> shared/kpi/zoned-time.ts',
  'shared/emission-schema.ts -> shared/emissions/data-flags.ts',
  'shared/emission-schema.ts -> shared/hj212/crc.ts',
  'shared/emission-schema.ts -> shared/hj212/edition.ts',
  'shared/energy-schema.ts -> shared/energy/balance.ts',
  'shared/energy-schema.ts -> shared/energy/baseline.ts',
  'shared/energy-schema.ts -> shared/energy/conversion.ts',
  'shared/energy-schema.ts -> shared/energy/tariff.ts',
  'shared/energy/calendar-windows.ts -> shared/kpi/zoned-time.ts',
  'shared/energy/energy-report.ts -> shared/kpi/zoned-time.ts',
  'shared/energy/tariff.ts -> shared/kpi/zoned-time.ts',
  'shared/kpi-api.ts -> shared/kpi/kpi-report.ts',
  'shared/kpi-api.ts -> shared/kpi/line-oee.ts',
  'shared/kpi-api.ts -> shared/kpi/period-totals.ts',
  'twin-ui/src/ui/dashboard/dashboard.ts -> shared/kpi/kpi-report.ts',
  'twin-ui/src/ui/dashboard/dashboard.ts -> shared/kpi/losses.ts',
  'twin-ui/src/ui/dashboard/dashboard.ts -> shared/kpi/oee.ts',
  'twin-ui/src/ui/environment/environment-panel.ts -> shared/kpi/zoned-time.ts',
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
