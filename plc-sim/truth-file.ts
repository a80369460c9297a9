// Ground truth as a file, for KPI tests and offline comparison.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GroundTruthReport } from './ground-truth.js';

export async function writeTruthFile(file: string, report: GroundTruthReport): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const doc = { kind: 'twinline-ground-truth', version: 1, fromIso: new Date(report.from).toISOString(), toIso: new Date(report.to).toISOString(), ...report };
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
}
