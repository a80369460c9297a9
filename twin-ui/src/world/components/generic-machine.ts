// The shape of a machine whose type the twin has no model for (a press, an AGV, a test bench…):
// a plain cabinet of the plant file's footprint and height, with the state band at the top and an
// operator panel on the operator side (+z), like the built-in machines. Also the placeholder a
// glTF machine shows until its model has loaded. Pure: shared unit geometry, shared materials.
import { Group } from 'three';
import type { Materials } from './materials.js';
import { add, box } from './geometry.js';
import type { MachineModel } from './machine-models.js';

export interface GenericSize {
  /** Along the flow (x), metres. */
  w: number;
  /** Across the flow (z), metres. */
  d: number;
  /** Height, metres. */
  h: number;
}

export const GENERIC_SIZE: GenericSize = { w: 2.0, d: 1.6, h: 2.0 };

export interface GenericMachine extends MachineModel {
  /** Everything but the state band: hidden when a real model replaces the placeholder. */
  body: Group;
}

/**
 * `band: 'base'` puts the state colour in a rim round the foot instead of a band at the top: a
 * glTF model keeps it when the cabinet goes, and a lid over the model would hide its moving parts.
 */
export function createGenericMachine(mat: Materials, size: GenericSize = GENERIC_SIZE, options: { band?: 'top' | 'base' } = {}): GenericMachine {
  const { w, d, h } = size;
  const root = new Group();
  const body = new Group();
  const plinth = Math.min(0.16, h * 0.1);
  const band = Math.min(0.1, h * 0.06);
  add(
    body,
    box(mat.cncTrim, w + 0.06, plinth, d + 0.06, 0, plinth / 2, 0),
    box(mat.inspectionBody, w, h - plinth - band, d, 0, plinth + (h - plinth - band) / 2, 0),
  );
  // An operator panel with its screen, where the machine is big enough to carry one.
  if (h > 1.2 && w > 0.8) {
    const py = Math.min(1.4, h * 0.6);
    add(body, box(mat.cncTrim, 0.45, 0.55, 0.1, w / 2 - 0.35, py, d / 2 + 0.05), box(mat.screen, 0.34, 0.24, 0.02, w / 2 - 0.35, py + 0.08, d / 2 + 0.11));
  }
  const accent = options.band === 'base'
    ? box(mat.stateAccent['no-data'], w + 0.16, 0.06, d + 0.16, 0, 0.03, 0)
    : box(mat.stateAccent['no-data'], w + 0.02, band, d + 0.02, 0, h - band / 2, 0);
  add(root, body, accent);
  return { root, body, size: { w, h, d }, port: w / 2, accents: [accent], animate: () => false };
}
