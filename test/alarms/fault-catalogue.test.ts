// The shipped catalogue covers every fault code the simulator raises, in both languages.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { loadPlantFile, parsePlant } from '../../edge/config/load-plant.js';
import { loadFaultCatalogue } from '../../edge/diagnosis/fault-catalogue.js';
import { lookupFault } from '../../shared/alarm-fault-catalogue.js';
import { MACHINE_TYPES } from '../../shared/plant-schema.js';
import { defaultBehaviour, parseScenario, resolveScenario } from '../../plc-sim/scenario.js';

const catalogue = loadFaultCatalogue();

/** Every (machine type, code) the simulator can raise: type defaults (with a wear signal) and the demo scenario. */
function simulatorCodes(): [string, number][] {
  const out: [string, number][] = [];
  const demo = loadPlantFile('config/demo-plant.yaml');
  // 'press': a type the simulator has no figures for (issue 21) gets its generic faults.
  for (const type of [...MACHINE_TYPES, 'press']) {
    const machine = { ...demo.machines[0]!, type, tags: [...demo.machines[0]!.tags, { name: 'temperature', role: 'process' as const, type: 'float32' as const, writable: false, modbus: { table: 'holding' as const, address: 40, wordOrder: 'high-first' as const, byteOrder: 'big' as const, scale: 1, offset: 0 } }] };
    const b = defaultBehaviour(machine);
    for (const c of [b.microStop?.code, ...b.breakdowns.map((x) => x.code), b.wear?.code]) if (c) out.push([type, c]);
  }
  const scenario = resolveScenario(demo, parseScenario(parse(readFileSync('plc-sim/scenarios/demo.yaml', 'utf8')), 'demo.yaml'));
  for (const m of demo.machines) {
    const b = scenario.machines.get(m.id)!;
    for (const c of [b.microStop?.code, ...b.breakdowns.map((x) => x.code), b.wear?.code]) if (c) out.push([m.type, c]);
  }
  return out;
}

describe('fault-code catalogue', () => {
  it.each(simulatorCodes())('knows %s code %i in English and Chinese', (type, code) => {
    const en = lookupFault(catalogue, type, code, 'en');
    const zh = lookupFault(catalogue, type, code, 'zh-CN');
    expect(en.known).toBe(true);
    expect(zh.known).toBe(true);
    expect(en.checks.length).toBeGreaterThan(0);
    expect(zh.title).toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers an unknown code with what to do next', () => {
    const a = lookupFault(catalogue, 'cnc', 4242, 'en');
    expect(a).toMatchObject({ known: false, title: 'Unknown fault code 4242' });
    expect(a.remedy).toContain('config/fault-codes.yaml');
    expect(lookupFault(catalogue, 'cnc', 4242, 'zh-CN').title).toBe('未知故障代码 4242');
  });

  it('a type entry wins over the common one', () => {
    expect(lookupFault(catalogue, 'robot', 101).title).toBe('Part jammed / short stop');
  });

  it('a broken catalogue names the file and the field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'twinline-fc-')), 'codes.yaml');
    writeFileSync(file, 'types:\n  cnc:\n    301:\n      en: { title: x, cause: y, checks: [], remedy: z }\n');
    expect(() => loadFaultCatalogue(file)).toThrow(/codes\.yaml: types\.cnc\.301\.en\.checks/);
    expect(() => loadFaultCatalogue(join(tmpdir(), 'nope.yaml'))).toThrow(/cannot read fault-code catalogue/);
    void parsePlant;
  });
});
