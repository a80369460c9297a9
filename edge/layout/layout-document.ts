// Writes a layout into the plant file's YAML text with the yaml package's Document API, so the
// file stays the source of truth as people wrote it: comments, key order and formatting outside
// the changed values survive. Existing scalars are changed in place (a comment after `x: 4 # by
// the door` stays); the `layout:` section's lists are replaced as a whole.
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
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

export function writeLayout(text: string, machines: readonly MachinePlacement[], layout: FloorLayout): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new LayoutWriteError(`the plant file is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}): fix it by hand first`);
  const seq = doc.get('machines', true);
  if (!isSeq(seq)) throw new LayoutWriteError('the plant file has no machines: list');
  const index = new Map<string, number>();
  seq.items.forEach((item, i) => {
    if (isMap(item)) index.set(String(item.get('id')), i);
  });
  machines.forEach((m, i) => {
    const at = index.get(m.id);
    if (at === undefined) throw new LayoutWriteError(`no machine "${m.id}" in the plant file (it may have been removed meanwhile): reload the layout`, `machines[${i}].id`);
    setValue(doc, ['machines', at, 'layout', 'x'], round(m.x, 3));
    setValue(doc, ['machines', at, 'layout', 'z'], round(m.z, 3));
    setValue(doc, ['machines', at, 'layout', 'rotationDeg'], round(((m.rotationDeg % 360) + 360) % 360, 1));
  });
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
