import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { PlantSchema, type PlantConfig } from '../../shared/plant-schema.js';
import { ConfigError } from './config-error.js';

/** `machines[1].tags[0].type` — the path style people search their YAML with. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

export function formatIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => `  ${file}: ${formatPath(issue.path)}: ${issue.message}`);
  return `invalid plant file ${file}:\n${lines.join('\n')}\nFix the field(s) above and start again.`;
}

/** Validates an already-parsed plant document; `file` names it in errors. */
export function parsePlant(document: unknown, file: string): PlantConfig {
  const result = PlantSchema.safeParse(document);
  if (!result.success) throw new ConfigError(formatIssues(file, result.error));
  return result.data;
}

export function loadPlantFile(file: string): PlantConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read plant file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Pass an existing file with --plant.`);
  }
  return parsePlantText(text, file);
}

/** Parses and validates a plant file's text (a hot reload hashes the text it read, then parses that same text). */
export function parsePlantText(text: string, file: string): PlantConfig {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos?.[0] ? `line ${err.linePos[0].line}, column ${err.linePos[0].col}` : 'unknown position';
      throw new ConfigError(`plant file ${file} is not valid YAML (${where}): ${err.message.split('\n')[0]}`);
    }
    // The yaml library throws a plain ReferenceError when alias expansion passes its cap (a
    // "billion laughs" file): still a file the user must fix, not a crash (found by test/fuzz).
    throw new ConfigError(`plant file ${file} cannot be read as YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parsePlant(document, file);
}
