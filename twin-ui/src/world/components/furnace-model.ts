// The heat-treatment furnace beside the line, with its stack (the flue-gas outlet the CEMS
// samples, platform at sampling height) and the wastewater outlet pit at its foot. The band at
// the top of the stack and the pit show the outlets' worst emission status (environment view:
// ok green, near a limit amber, over red, invalid data grey), not the machine state.
import { Color, Group, type Material } from 'three';
import type { Materials } from './materials.js';
import { add, box, cylinder } from './geometry.js';
import type { MachineModel } from './machine-models.js';

/** Stack height (m): the CEMS sampling port sits at about two thirds of it. */
export const STACK_HEIGHT = 9;

export type OutletStatus = 'ok' | 'warn' | 'over' | 'invalid' | 'none';
const STATUS_COLOUR: Record<OutletStatus, number> = { ok: 0x3fb950, warn: 0xf5b942, over: 0xff4d4d, invalid: 0x8b949e, none: 0x4a5360 };

/** Worst status per outlet kind, set by the environment view; every furnace model shows it. */
const shownStatus: Record<'flue-gas' | 'wastewater', OutletStatus> = { 'flue-gas': 'none', wastewater: 'none' };

export function setOutletStatus(kind: 'flue-gas' | 'wastewater', status: OutletStatus): void {
  shownStatus[kind] = status;
}

type Tintable = Material & { color?: Color; emissive?: Color };

export function createFurnaceModel(mat: Materials): MachineModel {
  const root = new Group();
  const w = 3.6, h = 2.4, d = 2.2;
  const shell = box(mat.washerBody, w, h, d, 0, h / 2, 0);
  const door = box(mat.darkSteel, 1.6, 1.5, 0.08, -0.4, 1.1, d / 2 + 0.04);
  const accent = box(mat.stateAccent['no-data'], w + 0.02, 0.12, d + 0.02, 0, h - 0.15, 0);
  const quench = box(mat.darkSteel, 1.2, 0.9, d, w / 2 + 0.65, 0.45, 0);
  const duct = box(mat.steel, 0.4, 0.4, 1.6, 1.2, h + 0.2, -0.6);
  const stack = cylinder(mat.steel, 0.35, STACK_HEIGHT, 1.2, STACK_HEIGHT / 2, -1.5);
  const platform = box(mat.darkSteel, 1.3, 0.06, 1.3, 1.2, STACK_HEIGHT * 0.66, -1.5);
  const cems = box(mat.cncTrim, 0.6, 0.9, 0.4, 2.0, 0.45, -1.5);
  // Own materials: the shared state materials are repainted with the machine state.
  const bandMat = mat.stateAccent['no-data'].clone() as Tintable;
  const pitMat = mat.stateAccent['no-data'].clone() as Tintable;
  const stackBand = box(bandMat, 0.78, 0.3, 0.78, 1.2, STACK_HEIGHT - 0.4, -1.5);
  const pit = box(pitMat, 0.8, 0.08, 0.8, -1.6, 0.04, d / 2 + 0.8);
  add(root, shell, door, accent, quench, duct, stack, platform, cems, stackBand, pit);
  const painted: Record<'flue-gas' | 'wastewater', OutletStatus | null> = { 'flue-gas': null, wastewater: null };
  const tint = (m: Tintable, status: OutletStatus) => {
    m.color?.setHex(STATUS_COLOUR[status]);
    m.emissive?.setHex(STATUS_COLOUR[status]);
  };
  return {
    root, size: { w: w + 1.3, h: STACK_HEIGHT, d }, port: w / 2, accents: [accent],
    animate: () => {
      let moved = false;
      for (const [kind, m] of [['flue-gas', bandMat], ['wastewater', pitMat]] as const) {
        if (painted[kind] === shownStatus[kind]) continue;
        painted[kind] = shownStatus[kind];
        tint(m, shownStatus[kind]);
        moved = true;
      }
      return moved;
    },
  };
}
