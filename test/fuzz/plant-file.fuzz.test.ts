// Fuzzes the plant-file loader (edge/config/load-plant.ts) with random bytes, random YAML and
// the demo plant file mutated at random places: every file either loads or is refused with the
// loader's own ConfigError naming the file (and, for a bad field, its path), within a bounded
// time; nothing else may escape (a TypeError, a RangeError, a YAML library error).
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { ConfigError } from '../../edge/config/config-error.js';
import { nastyNumber, nastyString, wrongValue } from './support/json-schema-arbitrary.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'twinline-fuzz-plant-'));
const DEMO_TEXT = readFileSync('config/demo-plant.yaml', 'utf8');
const DEMO = parse(DEMO_TEXT) as unknown;
const findings: string[] = [];
let n = 0;

afterAll(() => {
  if (findings.length) console.error(`plant-file fuzz findings (${seedNote}):\n${findings.join('\n')}`);
  rmSync(dir, { recursive: true, force: true });
});

/** Loads `content` from a fresh file; null when the outcome is acceptable, else what went wrong. */
function problemLoading(content: string | Buffer): string | null {
  const file = join(dir, `plant-${n++}.yaml`);
  writeFileSync(file, content);
  const started = performance.now();
  try {
    loadPlantFile(file);
  } catch (err) {
    const ms = performance.now() - started;
    if (!(err instanceof ConfigError)) return `${(err as Error)?.constructor?.name ?? typeof err}: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
    if (!err.message.includes(file)) return `ConfigError does not name the file: ${err.message.slice(0, 300)}`;
    if (err.message.startsWith('invalid plant file') && !/: \S.*: /.test(err.message)) return `ConfigError names no field: ${err.message.slice(0, 300)}`;
    if (ms > 5000) return `refusing took ${Math.round(ms)} ms`;
    return null;
  }
  const ms = performance.now() - started;
  return ms > 5000 ? `loading took ${Math.round(ms)} ms` : null;
}

type Path = Array<string | number>;

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}
const DEMO_PATHS = paths(DEMO).filter((p) => p.length > 0);

function mutate(doc: unknown, path: Path, how: string, wrong: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (how === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (how === 'duplicate' && Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]));
  else if (how === 'many' && Array.isArray(parent)) {
    const item = parent[Number(last)];
    for (let i = 0; i < 100; i++) parent.push(structuredClone(item));
  } else if (how === 'extra-key' && !Array.isArray(parent)) parent[`unexpected${String(last)}`] = wrong;
  else parent[last] = wrong;
  return copy;
}

const YAML_NASTIES = [
  // Alias expansion ("billion laughs"): the yaml library caps it; the cap must surface as a ConfigError.
  `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
  'site: 1\nsite: 2\n', '!!js/function "function(){}"', '--- !<tag:yaml.org,2002:python/object> {}', '%YAML 9.9\n---\na: 1',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`, `${'- '.repeat(5000)}x`, 'a: !!binary AAAA', '<<: *nope', 'a: &x 1\n<<: *x\n',
  '\uFEFF', '\u0000', '---\n---\n---\n', 'a: 1e999999', 'x: 0o999', '? [a, b]\n: c', '"\\ud800"', `${'x: '.repeat(1000)}1`,
];

describe(`plant-file loader under fuzz (${seedNote})`, () => {
  it('random bytes and text: loads or a ConfigError naming the file', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)), fc.string({ maxLength: 2000 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constantFrom(...YAML_NASTIES)), (content) => {
        const p = problemLoading(content);
        if (p) findings.push(`${JSON.stringify(String(content).slice(0, 200))} → ${p}`);
        expect(p).toBeNull();
      }),
      fuzzParameters(150, 0.2),
    );
  }, fuzzTimeout(20_000, 0.2));

  it('random YAML documents: loads or a ConfigError naming the file and field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.object({ maxDepth: 3 })), (doc) => {
        const text = stringify(doc);
        const p = problemLoading(text);
        if (p) findings.push(`${JSON.stringify(text.slice(0, 200))} → ${p}`);
        expect(p).toBeNull();
      }),
      fuzzParameters(100, 0.2),
    );
  }, fuzzTimeout(20_000, 0.2));

  it('the demo plant file mutated at one or more places: loads or a ConfigError naming the file and field', () => {
    const mutation = fc.record({
      path: fc.constantFrom(...DEMO_PATHS),
      how: fc.constantFrom('replace', 'replace', 'delete', 'duplicate', 'many', 'extra-key'),
      wrong: fc.oneof(wrongValue(), nastyString(), nastyNumber()),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (mutations, asText) => {
        let doc = DEMO;
        for (const m of mutations) {
          try {
            doc = mutate(doc, m.path, m.how, m.wrong);
          } catch {
            // an earlier mutation removed this path: skip it
          }
        }
        const text = asText ? stringify(doc, { aliasDuplicateObjects: false }) : JSON.stringify(doc);
        const p = problemLoading(text);
        const what = mutations.map((m) => `${m.how} ${m.path.join('.')} = ${JSON.stringify(m.wrong)?.slice(0, 80)}`).join('; ');
        if (p) findings.push(`${what} → ${p}`);
        expect(p).toBeNull();
      }),
      fuzzParameters(40, 0.5),
    );
  }, fuzzTimeout(40_000, 0.5));

  it('refuses a folder, a missing file and a file of megabytes with a ConfigError', () => {
    const folder = join(dir, 'a-folder.yaml');
    mkdirSync(folder);
    for (const file of [folder, join(dir, 'missing.yaml')]) {
      expect(() => loadPlantFile(file)).toThrow(ConfigError);
    }
    expect(problemLoading(`${DEMO_TEXT}\n# ${'x'.repeat(8_000_000)}\n`)).toBeNull();
  });
});
