// Loads the fault-code catalogue (YAML) once at start-up; errors name the file and the
// field, like the plant file's.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { FaultCatalogueSchema, type FaultCatalogue } from '../../shared/alarm-fault-catalogue.js';
import { ConfigError } from '../config/index.js';
import { formatIssues } from '../config/index.js';

/** The catalogue that ships with twinline. */
export const DEFAULT_FAULT_CATALOGUE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'fault-codes.yaml');

export function loadFaultCatalogue(file = DEFAULT_FAULT_CATALOGUE): FaultCatalogue {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read fault-code catalogue ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Fix alarms.faultCatalogue in the plant file or restore config/fault-codes.yaml.`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`fault-code catalogue ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = FaultCatalogueSchema.safeParse(doc ?? {});
  if (!result.success) throw new ConfigError(formatIssues(file, result.error).replace('invalid plant file', 'invalid fault-code catalogue'));
  return result.data;
}
