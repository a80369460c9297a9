// What every twin is told about the plant file (live event `plant-file`): an invalid file on
// disk is news for whoever watches the line — the plant that runs is no longer what the file says.
import { basename, dirname, sep } from 'node:path';
import { PLANT_FILE_ERROR_MAX, type PlantFileStatus } from '../../shared/layout-api.js';
import type { ReloadOutcome } from '../layout/index.js';

export function plantFileStatus(path: string, last: ReloadOutcome | null, now: number): PlantFileStatus {
  const file = basename(path).slice(0, 255);
  if (last?.result !== 'invalid') return { file, state: 'ok', at: last?.at ?? now };
  // The file's folder is the edge's business: the twin gets the file's name only.
  const error = (last.error ?? last.summary).split(dirname(path) + sep).join('');
  return { file, state: 'invalid', error: error.length > PLANT_FILE_ERROR_MAX ? `${error.slice(0, PLANT_FILE_ERROR_MAX - 1)}…` : error, at: last.at };
}
