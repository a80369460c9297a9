// Demo mode (published passwords, visitors logged in as operator) only where it was asked for
// in so many words: --demo, or TWINLINE_DEMO=1 on the demo's own plant file. An environment
// variable left over from trying twinline must not open a real plant.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config/index.js';

/** The demo's plant file: the only one demo mode starts on without an explicit --demo. */
export const DEMO_PLANT_FILE = fileURLToPath(new URL('../config/demo-plant.yaml', import.meta.url));

export function isDemoPlantFile(file: string): boolean {
  try {
    return realpathSync(file) === realpathSync(DEMO_PLANT_FILE);
  } catch {
    return false;
  }
}

/** Demo mode from --demo, or from TWINLINE_DEMO=1 on the demo plant; TWINLINE_DEMO=1 on another plant is refused. */
export function demoModeOf(options: { demoFlag: boolean; env: string | undefined; plantFile: string }): boolean {
  if (options.demoFlag) return true;
  if (options.env !== '1') return false;
  if (isDemoPlantFile(options.plantFile)) return true;
  throw new ConfigError(
    `TWINLINE_DEMO=1 asks for demo mode (published passwords, visitors logged in as operator), but ${options.plantFile} is not the demo plant: ` +
    'pass --demo if you really mean it, or unset TWINLINE_DEMO and create users (npm run user -- add <name> --role admin)',
  );
}
