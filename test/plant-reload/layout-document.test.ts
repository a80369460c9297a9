// The layout writer and the change planner on plain text and plain data: comments and flow
// style survive a save, an unknown machine is refused naming it, and what kind of change a new
// plant file is decides whether it can be applied live.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePlantText } from '../../edge/config/index.js';
import { writeLayout } from '../../edge/layout/index.js';
import { planChanges } from '../../edge/plant-reload/index.js';

const demo = readFileSync('config/demo-plant.yaml', 'utf8');
const placements = (text: string) => parsePlantText(text, 'demo-plant.yaml').machines.map((m) => ({ id: m.id, ...m.layout }));
const floor = { gridMetres: 0.5, areas: [{ id: 'utilities', name: 'Utilities', x: -4, z: 4, width: 6, depth: 3 }], conveyors: [{ from: 'loader', to: 'mill' }] };

describe('writeLayout', () => {
  it('changes positions in place, adds the layout section, and keeps every comment and the flow style', () => {
    const machines = placements(demo).map((m) => (m.id === 'mill' ? { ...m, x: 7.25, z: -1.5, rotationDeg: 450 } : m));
    const out = writeLayout(demo, machines, floor);
    const comments = (t: string) => t.split('\n').filter((l) => l.includes('#')).map((l) => l.slice(l.indexOf('#')));
    expect(comments(out)).toEqual(expect.arrayContaining(comments(demo)));
    expect(out).toContain('layout: { x: 7.25, z: -1.5, rotationDeg: 90 }');
    const plant = parsePlantText(out, 'demo-plant.yaml');
    expect(plant.layout).toEqual(floor);
    expect(plant.machines.find((m) => m.id === 'washer')!.layout).toEqual({ x: 12, z: 0, rotationDeg: 0 });
    // The text is edited, not re-printed: the file is the original up to the mill's line, then the new section at the end.
    const original = demo.replace('    layout: { x: 6, z: 0, rotationDeg: 0 }', '    layout: { x: 7.25, z: -1.5, rotationDeg: 90 }');
    expect(out.slice(0, original.length)).toBe(original);
    expect(out.slice(original.length)).toBe('layout:\n  gridMetres: 0.5\n  areas:\n    - { id: utilities, name: Utilities, x: -4, z: 4, width: 6, depth: 3 }\n  conveyors:\n    - { from: loader, to: mill }\n');
  });

  it('refuses a machine the file does not have, naming it', () => {
    expect(() => writeLayout(demo, [{ id: 'press', x: 0, z: 0, rotationDeg: 0 }], floor)).toThrow(/no machine "press"/);
  });

  it('a layout that breaks the schema is caught by the same schema (a conveyor to nowhere)', () => {
    const out = writeLayout(demo, [], { ...floor, conveyors: [{ from: 'loader', to: 'press' }] });
    expect(() => parsePlantText(out, 'plant.yaml')).toThrow(/plant\.yaml: layout\.conveyors\[0\]\.to: no machine "press"/);
    expect(parse(out).layout.conveyors).toEqual([{ from: 'loader', to: 'press' }]);
  });
});

describe('planChanges', () => {
  const before = parsePlantText(demo, 'a.yaml');
  it('positions and the floor only: layout-only', () => {
    const after = parsePlantText(writeLayout(demo, [{ id: 'mill', x: 8, z: 0, rotationDeg: 0 }], floor), 'a.yaml');
    expect(planChanges(before, after)).toMatchObject({ layoutOnly: true, unchanged: false, machines: { moved: ['mill'], added: [], changed: [] } });
  });
  it('a changed tag, a device setting or another section is structural', () => {
    const tag = parsePlantText(demo.replace('ns=1;s=mill.SpindleSpeed', 'ns=1;s=mill.Spindle'), 'a.yaml');
    expect(planChanges(before, tag)).toMatchObject({ layoutOnly: false, unchanged: false, machines: { changed: ['mill'] } });
    const device = parsePlantText(demo.replace('port: 5020', 'port: 5030'), 'a.yaml');
    expect(planChanges(before, device)).toMatchObject({ layoutOnly: false, devices: { changed: ['plc-modbus'] } });
    const calendar = parsePlantText(demo.replace('co2eKgPerKWh: 0.5703', 'co2eKgPerKWh: 0.6'), 'a.yaml');
    expect(planChanges(before, calendar).sections).toEqual(['energy']);
  });
  it('the same plant: unchanged', () => {
    expect(planChanges(before, parsePlantText(demo, 'a.yaml'))).toMatchObject({ unchanged: true, layoutOnly: false });
  });
});
