// npm run energy -- <file.json> [--table]
// One period's site energy report (consumption, kgce/tce/kgCO2e, balance, cost, peak
// demand, EnPI, baseline) as JSON (default) or a table. Input and rules: docs/energy.md.
// Exit codes: 0 ok, 2 bad input or usage, 1 unexpected failure.
import { readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BaselineError } from '../../shared/energy/index.js';
import { computeEnergyReport } from '../../shared/energy/index.js';
import { EnergyReportInputSchema } from '../../shared/energy/index.js';
import { formatPath } from '../config/index.js';
import { formatEnergyTable } from './report-table.js';

const USAGE = 'usage: npm run energy -- <period.json> [--table]   (input format: docs/energy.md, example: docs/examples/energy-day.json)';
/** A year of one-minute readings of a few meters is well under this. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

export class EnergyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnergyInputError';
  }
}

export function runEnergyReport(argv: readonly string[]): string {
  const flags = argv.filter((a) => a.startsWith('-'));
  const files = argv.filter((a) => !a.startsWith('-'));
  if (flags.includes('--help') || flags.includes('-h')) return USAGE;
  const unknown = flags.filter((f) => f !== '--table');
  if (unknown.length > 0) throw new EnergyInputError(`unknown option ${unknown.join(', ')}\n${USAGE}`);
  if (files.length !== 1) throw new EnergyInputError(`${files.length === 0 ? 'no input file given' : 'give exactly one input file'}\n${USAGE}`);
  const file = files[0]!;
  let text: string;
  try {
    if (statSync(file).size > MAX_INPUT_BYTES) throw new EnergyInputError(`${file} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; split the period into months`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof EnergyInputError) throw err;
    throw new EnergyInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Check the path.`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new EnergyInputError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = EnergyReportInputSchema.safeParse(document);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${file}: ${formatPath(i.path)}: ${i.message}`);
    throw new EnergyInputError(`invalid energy report input ${file}:\n${lines.join('\n')}\nFix the field(s) above (format: docs/energy.md) and run again.`);
  }
  let report;
  try {
    report = computeEnergyReport(parsed.data);
  } catch (err) {
    if (err instanceof BaselineError) throw new EnergyInputError(`${file}: baseline.points: ${err.message}`);
    throw err;
  }
  return flags.includes('--table') ? formatEnergyTable(report) : JSON.stringify(report, null, 2);
}

function main(): void {
  try {
    process.stdout.write(`${runEnergyReport(process.argv.slice(2))}\n`);
  } catch (err) {
    if (err instanceof EnergyInputError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`error: the energy report failed unexpectedly: ${(err as Error)?.message ?? String(err)}\nPlease report this with the input file.\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
