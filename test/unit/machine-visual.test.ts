// Any machine type and the plant's own models (issue 21): what the plant file accepts and
// refuses, how a type's look and a machine's merge, the tag → node mapping, and that the
// simulator and the fault catalogue carry on for a type they have no figures for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlantFile, parsePlant } from '../../edge/config/load-plant.js';
import { loadFaultCatalogue } from '../../edge/diagnosis/fault-catalogue.js';
import { defaultBehaviour } from '../../plc-sim/scenario.js';
import { lookupFault } from '../../shared/alarm-fault-catalogue.js';
import { toPlantView } from '../../shared/live-protocol.js';
import { motionTarget } from '../../shared/machine-visual.js';
import { ONE_MACHINE_PLANT } from '../api/one-machine-plant.js';

const TAGS = [
  { name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } },
  { name: 'ramPosition', type: 'float32', unit: 'mm', modbus: { table: 'holding', address: 2 } },
];

/** The one-machine plant with its machine changed. */
const plantWith = (machine: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...ONE_MACHINE_PLANT, ...extra,
  machines: [{ ...ONE_MACHINE_PLANT.machines[0], tags: TAGS, ...machine }],
});

const errorOf = (doc: unknown): string => {
  try {
    parsePlant(doc, 'plant.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the plant file was accepted');
};

describe('machine type', () => {
  it('is free text: a press, an injection moulding machine, a type in Chinese', () => {
    for (const type of ['press', 'injection-moulding', 'AGV', '注塑机', 'test bench']) {
      expect(parsePlant(plantWith({ type }), 'plant.yaml').machines[0]!.type).toBe(type);
    }
  });

  it('refuses an empty type, one over 64 characters and markup', () => {
    expect(errorOf(plantWith({ type: '' }))).toMatch(/machines\[0\]\.type/);
    expect(errorOf(plantWith({ type: 'x'.repeat(65) }))).toMatch(/machines\[0\]\.type/);
    expect(errorOf(plantWith({ type: '<script>' }))).toMatch(/control characters or < >/);
  });
});

describe('visual', () => {
  const press = { type: 'press', visual: { model: 'press.glb', footprint: { w: 2, d: 1.5 }, height: 3, moving: [{ node: 'Ram', tag: 'ramPosition', motion: 'translate', axis: 'y', input: [0, 400], output: [0, -0.4] }] } };

  it('accepts a model, its size and a node moving with one of the machine\'s tags', () => {
    const m = parsePlant(plantWith(press), 'plant.yaml').machines[0]!;
    expect(m.visual).toMatchObject({ model: 'press.glb', footprint: { w: 2, d: 1.5 }, height: 3 });
  });

  it('refuses model names that leave the models folder or are not glTF', () => {
    for (const model of ['../press.glb', '/srv/press.glb', 'a/b/press.glb', 'press.obj', 'press/../../x.glb', '.hidden.glb', 'c:\\press.glb']) {
      expect(errorOf(plantWith({ ...press, visual: { ...press.visual, model } })), model).toMatch(/machines\[0\]\.visual\.model/);
    }
    expect(parsePlant(plantWith({ ...press, visual: { ...press.visual, model: 'presses/press-200t.gltf' } }), 'p.yaml').machines[0]!.visual!.model).toBe('presses/press-200t.gltf');
  });

  it('says which tag a moving node follows that the machine does not have', () => {
    const bad = { ...press, visual: { ...press.visual, moving: [{ ...press.visual.moving[0], tag: 'ramPos' }] } };
    const message = errorOf(plantWith(bad));
    expect(message).toMatch(/machines\[0\]\.visual\.moving\[0\]\.tag/);
    expect(message).toContain('"ramPos"');
    expect(message).toContain('ramPosition');
  });

  it('refuses moving nodes without a model and a mapping with one input value', () => {
    expect(errorOf(plantWith({ ...press, visual: { moving: press.visual.moving } }))).toMatch(/need a model/);
    expect(errorOf(plantWith({ ...press, visual: { ...press.visual, moving: [{ ...press.visual.moving[0], input: [5, 5] }] } }))).toMatch(/two different values/);
  });

  it('gives every machine of a type its type\'s look (machineTypes), the machine\'s own fields winning', () => {
    const doc = plantWith({ type: 'press', visual: { scale: 0.001 } }, { machineTypes: { press: { visual: press.visual } } });
    const view = toPlantView(parsePlant(doc, 'plant.yaml'));
    expect(view.machines[0]!.visual).toMatchObject({ model: 'press.glb', height: 3, scale: 0.001 });
    // A machine without a visual and a type without an entry: none in the plant view.
    expect(toPlantView(parsePlant(plantWith({ type: 'lathe' }), 'p.yaml')).machines[0]!.visual).toBeUndefined();
  });

  it('checks a type\'s moving nodes against each machine of the type', () => {
    const doc = plantWith({ type: 'press', tags: [TAGS[0]] }, { machineTypes: { press: { visual: press.visual } } });
    expect(errorOf(doc)).toMatch(/machines\[0\]\.type.*"ramPosition"/s);
  });
});

describe('motionTarget: a tag value mapped linearly and clamped', () => {
  // The demo mill's door: 0.95 m open at a standstill, shut from 300 rpm.
  const door = { input: [0, 300] as [number, number], output: [0.95, 0] as [number, number] };
  it.each([
    [0, 0.95], [150, 0.475], [300, 0], [12000, 0], [-20, 0.95],
  ])('spindle at %d rpm → door at %d m', (rpm, x) => expect(motionTarget(door, rpm)).toBeCloseTo(x, 9));
  it('maps a bool as 0/1 and ignores strings and NaN', () => {
    const lid = { input: [0, 1] as [number, number], output: [0, 90] as [number, number] };
    expect(motionTarget(lid, true)).toBe(90);
    expect(motionTarget(lid, false)).toBe(0);
    expect(motionTarget(lid, 'open')).toBeNull();
    expect(motionTarget(lid, Number.NaN)).toBeNull();
  });
});

describe('a type nobody has figures for keeps the rest working', () => {
  it('the simulator runs it as a generic machine whose faults the catalogue explains', () => {
    const machine = parsePlant(plantWith({ type: 'press' }), 'p.yaml').machines[0]!;
    const b = defaultBehaviour(machine);
    expect(b.power.running).toBeGreaterThan(b.power.idle);
    const catalogue = loadFaultCatalogue();
    for (const f of b.breakdowns) {
      expect(lookupFault(catalogue, 'press', f.code, 'en').known, `code ${f.code}`).toBe(true);
      expect(lookupFault(catalogue, 'press', f.code, 'zh-CN').title).toMatch(/[\u4e00-\u9fff]/);
    }
    // A code of a known type is not borrowed by another type.
    expect(lookupFault(catalogue, 'press', 301, 'en').known).toBe(false);
  });
});

describe('the demo models', () => {
  it('are what scripts/make-demo-models.ts makes (plain, meshopt- and Draco-compressed), and have the nodes the demo plant moves', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-model-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/make-demo-models.ts', dir], { stdio: 'pipe' });
      for (const file of ['machining-centre.glb', 'machining-centre-meshopt.glb', 'parts-washer-draco.glb']) {
        expect(readFileSync(join(dir, file)).equals(readFileSync(`config/models/${file}`)), file).toBe(true);
      }
      const modelled = loadPlantFile('config/demo-plant.yaml').machines.filter((m) => m.visual?.model);
      expect(modelled.map((m) => [m.id, m.visual!.model])).toEqual([['mill', 'machining-centre.glb'], ['washer', 'parts-washer-draco.glb']]);
      for (const m of modelled) {
        const committed = readFileSync(`config/models/${m.visual!.model}`);
        expect(committed.readUInt32LE(0)).toBe(0x46546c67); // "glTF"
        const json = JSON.parse(committed.subarray(20, 20 + committed.readUInt32LE(12)).toString('utf8')) as { nodes: { name: string }[]; extensionsRequired?: string[] };
        for (const moving of m.visual!.moving!) expect(json.nodes.map((n) => n.name)).toContain(moving.node);
        if (m.id === 'washer') expect(json.extensionsRequired).toEqual(['KHR_draco_mesh_compression']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
