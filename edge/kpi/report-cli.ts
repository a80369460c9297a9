// npm run kpi -- <file.json> [--table]
// KPIs for one recorded shift of one machine, as JSON (default) or a table.
// Input format and output fields: docs/kpi.md. Exit codes: 0 ok, 2 bad input or usage,
// 1 unexpected failure.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { computeShiftReport } from '../../shared/kpi/index.js';
import { ShiftReportInputSchema } from '../../shared/kpi/index.js';
import { formatPath } from '../config/index.js';
import { formatReportTable } from './report-table.js';
import { DEFAULT_DOWNTIME, DowntimeConfigSchema, defaultReasonOf, reasonIndex } from '../../shared/downtime-schema.js';
import { paretoRows, reasonedReportInput, withUnclassifiedBar } from '../../shared/downtime-losses.js';

const USAGE = 'usage: npm run kpi -- <shift.json> [--table] [--reasons=<machine type>]   (input format: docs/kpi.md, example: docs/examples/shift-mill.json; --reasons books down intervals by the default reason tree, docs/downtime.md)';

export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

export function runReport(argv: readonly string[]): string {
  const flags = argv.filter((a) => a.startsWith('-'));
  const files = argv.filter((a) => !a.startsWith('-'));
  const unknown = flags.filter((f) => f !== '--table' && !/^--reasons=[a-z][a-z0-9-]*$/.test(f));
  if (flags.includes('--help') || flags.includes('-h')) return USAGE;
  if (unknown.length > 0) throw new ReportInputError(`unknown option ${unknown.join(', ')}\n${USAGE}`);
  if (files.length !== 1) throw new ReportInputError(`${files.length === 0 ? 'no input file given' : 'give exactly one input file'}\n${USAGE}`);
  const file = files[0]!;

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Check the path.`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new ReportInputError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ShiftReportInputSchema.safeParse(document);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${file}: ${formatPath(i.path)}: ${i.message}`);
    throw new ReportInputError(`invalid shift report input ${file}:\n${lines.join('\n')}\nFix the field(s) above (format: docs/kpi.md) and run again.`);
  }
  const reasonsFlag = flags.find((f) => f.startsWith('--reasons='));
  if (!reasonsFlag) {
    const report = computeShiftReport(parsed.data);
    return flags.includes('--table') ? formatReportTable(report) : JSON.stringify(report, null, 2);
  }
  // Down intervals booked by their reasons; unclassified time its own bar and row (docs/downtime.md).
  const type = reasonsFlag.slice('--reasons='.length);
  const tree = DowntimeConfigSchema.parse(DEFAULT_DOWNTIME);
  const index = reasonIndex(tree, type);
  const report = computeShiftReport(reasonedReportInput(parsed.data, index, (code) => defaultReasonOf(tree, type, code)));
  const pareto = paretoRows(report.losses.byReason, index);
  const unclassified = pareto.find((r) => r.reason === 'unclassified')?.seconds ?? 0;
  const reasoned = { ...report, losses: { ...report.losses, waterfall: withUnclassifiedBar(report.losses.waterfall, unclassified) }, pareto };
  if (!flags.includes('--table')) return JSON.stringify(reasoned, null, 2);
  const width = Math.max(24, ...pareto.map((r) => r.name.en.length));
  const rows = pareto.map((r) => `${r.name.en.padEnd(width)}  ${r.loss.padEnd(19)}  ${String(r.events).padStart(6)}  ${(r.seconds / 60).toFixed(2).padStart(8)}  ${r.name['zh-CN']}`);
  return `${formatReportTable(reasoned)}\n\n${'Pareto by reason'.padEnd(width)}  ${'loss'.padEnd(19)}  events   minutes  中文\n${rows.join('\n')}`;
}

function main(): void {
  try {
    process.stdout.write(`${runReport(process.argv.slice(2))}\n`);
  } catch (err) {
    if (err instanceof ReportInputError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`error: the KPI report failed unexpectedly: ${(err as Error)?.message ?? String(err)}\nPlease report this with the input file.\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
