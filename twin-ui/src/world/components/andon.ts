// A stack light (andon tower): red = down, amber = idle, green = running, blue = setup.
// Planned stops and "no data" light nothing — a dark tower means "nobody expects output here".
import { Group, type Mesh } from 'three';
import type { MachineState } from '../../../../shared/plant-schema.js';
import type { LampColour, Materials } from './materials.js';
import { box, cylinder } from './geometry.js';

const ORDER: LampColour[] = ['red', 'amber', 'green', 'blue'];
const LAMP_FOR_STATE: Record<MachineState, LampColour | null> = {
  down: 'red', idle: 'amber', running: 'green', setup: 'blue', 'planned-stop': null, 'no-data': null,
};

export interface AndonTower {
  root: Group;
  lamps: Mesh[];
  setState(state: MachineState, blinkOn: boolean): void;
}

export function createAndonTower(mat: Materials, height = 2.4): AndonTower {
  const root = new Group();
  const pole = cylinder(mat.steel, 0.035, height, 0, height / 2, 0, true);
  const baseMount = box(mat.darkSteel, 0.12, 0.06, 0.12, 0, 0.03, 0);
  root.add(pole, baseMount);
  const lamps = new Map<LampColour, Mesh>();
  const seg = 0.17;
  ORDER.forEach((colour, i) => {
    const lamp = cylinder(mat.lampOff[colour], 0.1, seg - 0.012, 0, height + 0.05 + (ORDER.length - 1 - i) * seg, 0, true);
    lamp.castShadow = false;
    lamps.set(colour, lamp);
    root.add(lamp);
  });
  const cap = cylinder(mat.darkSteel, 0.105, 0.05, 0, height + 0.05 + ORDER.length * seg - 0.04, 0, 'capped');
  root.add(cap);
  return {
    root,
    lamps: [...lamps.values()],
    setState(state, blinkOn) {
      const lit = LAMP_FOR_STATE[state];
      for (const [colour, lamp] of lamps) {
        // Down blinks, as real stack lights do for faults that need a person.
        const on = colour === lit && (state !== 'down' || blinkOn);
        lamp.material = on ? mat.lampOn[colour] : mat.lampOff[colour];
      }
    },
  };
}
