// Writes a layout into the plant file's YAML text so the file stays the source of truth as
// people wrote it. The text is edited, not re-printed: each position value is replaced where it
// stands (found through the yaml package's Document API, which knows every node's place in the
// source) and the top-level `layout:` section is replaced or appended as a block. Every other
// byte — comments, their alignment, flow style, key order — is left as it was, so a save shows up
// in a diff as exactly what moved. A position written in a shape that cannot be edited in place
// (e.g. a machine without rotationDeg) falls back to the Document's own printing, which still
// keeps the comments.
import { Document, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { FloorLayout } from '../../shared/floor-layout-schema.js';
import type { MachinePlacement } from '../../shared/layout-api.js';

export class LayoutWriteError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'LayoutWriteError';
  }
}

function setValue(doc: Document, path: (string | number)[], value: unknown): void {
  const node = doc.getIn(path, true);
  if (isScalar(node)) node.value = value;
  else doc.setIn(path, doc.createNode(value));
}

/** Rounds to millimetres and tenths of a degree: a drag should not write 4.000000000000001. */
const round = (v: number, places: number) => Number(v.toFixed(places));

interface Edit { start: number; end: number; text: string }

/** The new text of the `layout:` section: a block at the top level, as a person would write it. */
function layoutBlock(layout: FloorLayout): string {
  const section: Record<string, unknown> = { gridMetres: layout.gridMetres };
  if (layout.floorPlan) section.floorPlan = layout.floorPlan;
  if (layout.areas.length) section.areas = layout.areas;
  if (layout.conveyors.length) section.conveyors = layout.conveyors;
  const doc = new Document({ layout: section });
  // Areas and conveyors one per line, in flow style like the machines' own layout.
  for (const key of ['areas', 'conveyors']) {
    const seq = doc.getIn(['layout', key], true);
    if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  const floorPlan = doc.getIn(['layout', 'floorPlan', 'origin'], true);
  if (isMap(floorPlan)) floorPlan.flow = true;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

export function writeLayout(text: string, machines: readonly MachinePlacement[], layout: FloorLayout): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new LayoutWriteError(`the plant file is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}): fix it by hand first`);
  const seq = doc.get('machines', true);
  // A new plant (no machines yet) can still get its floor: only placements need the list.
  if (!isSeq(seq) && machines.length) throw new LayoutWriteError('the plant file has no machines: list');
  const index = new Map<string, number>();
  (isSeq(seq) ? seq.items : []).forEach((item, i) => {
    if (isMap(item)) index.set(String(item.get('id')), i);
  });
  const edits: Edit[] = [];
  let inPlace = true;
  machines.forEach((m, i) => {
    const at = index.get(m.id);
    if (at === undefined) throw new LayoutWriteError(`no machine "${m.id}" in the plant file (it may have been removed meanwhile): reload the layout`, `machines[${i}].id`);
    const values = { x: round(m.x, 3), z: round(m.z, 3), rotationDeg: round(((m.rotationDeg % 360) + 360) % 360, 1) };
    for (const [key, value] of Object.entries(values)) {
      const path = ['machines', at, 'layout', key];
      const node = doc.getIn(path, true);
      if (isScalar(node) && node.range && typeof node.value === 'number') {
        if (node.value !== value) edits.push({ start: node.range[0], end: node.range[1], text: String(value) });
      } else {
        inPlace = false;
      }
      setValue(doc, path, value);
    }
  });
  if (!inPlace) return printWhole(doc, layout);
  const block = layoutBlock(layout);
  const pair = isMap(doc.contents) ? doc.contents.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'layout') : undefined;
  if (pair && isScalar(pair.key) && pair.key.range && (pair.value as { range?: [number, number, number] } | null)?.range) {
    const end = (pair.value as { range: [number, number, number] }).range[2];
    edits.push({ start: pair.key.range[0], end, text: block.endsWith('\n') && text[end - 1] !== '\n' ? block.slice(0, -1) : block });
  } else if (pair) {
    return printWhole(doc, layout);
  } else {
    edits.push({ start: text.length, end: text.length, text: `${text.endsWith('\n') ? '' : '\n'}${block}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function printWhole(doc: Document, layout: FloorLayout): string {
  if (!doc.has('layout')) doc.set('layout', doc.createNode({}));
  setValue(doc, ['layout', 'gridMetres'], layout.gridMetres);
  for (const key of ['floorPlan', 'areas', 'conveyors'] as const) {
    const value = layout[key];
    const empty = value === undefined || (Array.isArray(value) && value.length === 0);
    if (empty) doc.deleteIn(['layout', key]);
    else doc.setIn(['layout', key], doc.createNode(value));
  }
  return doc.toString({ lineWidth: 0 });
}
