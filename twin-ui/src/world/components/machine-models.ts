// Parametric machine models, one factory per machine type. Pure: each returns new objects
// built from shared geometry and materials, local to the machine (flow along +x, operator
// side +z, floor at y = 0). Dimensions are metres, roughly those of the real machines.
import { Group, type Mesh, type Object3D } from 'three';
import { isKnownMachineType, type MachineType } from '../../../../shared/plant-schema.js';
import type { MachineVisual } from '../../../../shared/machine-visual.js';
import type { ModelLibrary } from '../systems/model-library.js';
import { createGenericMachine, GENERIC_SIZE } from './generic-machine.js';
import { createGltfMachine } from './gltf-machine.js';
import type { Materials } from './materials.js';
import { add, box, cylinder } from './geometry.js';
import { createFurnaceModel } from './furnace-model.js';

/** Height of the transfer plane: conveyors and machine in/out-feeds meet here. */
export const TRANSFER_HEIGHT = 0.85;

export interface MachineModel {
  root: Group;
  /** Bounding size of the model (picking, floor marking, label height). */
  size: { w: number; h: number; d: number };
  /** Distance along x from the centre to where a conveyor docks. */
  port: number;
  /** Meshes painted in the state colour. */
  accents: Mesh[];
  /** Called every frame; `active` is true while the machine runs. Returns whether anything
   *  moved (the loop draws only then). Must not allocate. */
  animate(time: number, dt: number, active: boolean): boolean;
  /** Where the andon tower stands and the label floats (machine frame, m), when the plant file says. */
  anchors?: { andon?: { x: number; y: number; z: number }; label?: { x: number; y: number; z: number } };
  /** Live tag values for the nodes that move with a tag (glTF machines). */
  follow?(tags: Readonly<Record<string, { value: unknown }>>): void;
  /** A glTF machine's load state and a named node's transform (tests, diagnostics). */
  inspect?(node: string): ModelInspection;
}

export type ModelLoad = 'loading' | 'loaded' | 'failed';
export interface ModelInspection {
  load: ModelLoad;
  error: string | null;
  node: { position: number[]; rotation: number[] } | null;
  /** Ids of the geometries the model's meshes draw (machines of one model share them). */
  geometries: string[];
}

const still = () => false;

/** Eases towards target; snaps when within a thousandth so a machine at rest really rests. */
function approach(current: number, target: number, rate: number, dt: number): number {
  const next = current + (target - current) * Math.min(1, rate * dt);
  return Math.abs(target - next) < 1e-3 ? target : next;
}

export function createRobot(mat: Materials): MachineModel {
  const root = new Group();
  const plinth = box(mat.darkSteel, 1.1, 0.18, 1.1, 0, 0.09, 0);
  const accent = box(mat.stateAccent['no-data'], 1.14, 0.05, 1.14, 0, 0.2, 0);
  const base = cylinder(mat.robotOrange, 0.34, 0.45, 0, 0.45, 0);
  const turntable = new Group();
  turntable.position.y = 0.68;
  turntable.userData.animated = true;
  const shoulderHousing = box(mat.robotOrange, 0.62, 0.38, 0.56, 0.05, 0.19, 0);
  const shoulder = new Group();
  shoulder.position.set(0.12, 0.36, 0);
  const motor = cylinder(mat.darkSteel, 0.16, 0.7, 0, 0, 0);
  motor.rotation.x = Math.PI / 2;
  const lowerArm = box(mat.robotOrange, 0.26, 1.25, 0.26, 0, 0.62, 0);
  const elbow = new Group();
  elbow.position.y = 1.22;
  const elbowHousing = cylinder(mat.robotOrange, 0.19, 0.42, 0, 0, 0);
  elbowHousing.rotation.x = Math.PI / 2;
  const forearm = box(mat.robotOrange, 1.05, 0.2, 0.22, 0.5, 0.05, 0);
  const wrist = new Group();
  wrist.position.set(1.05, 0.05, 0);
  const flange = cylinder(mat.darkSteel, 0.09, 0.14, 0, -0.07, 0);
  const gripperBody = box(mat.darkSteel, 0.24, 0.1, 0.16, 0, -0.18, 0);
  const fingerA = box(mat.steel, 0.04, 0.18, 0.1, -0.08, -0.3, 0);
  const fingerB = box(mat.steel, 0.04, 0.18, 0.1, 0.08, -0.3, 0);
  add(wrist, flange, gripperBody, fingerA, fingerB);
  add(elbow, elbowHousing, forearm, wrist);
  add(shoulder, motor, lowerArm, elbow);
  add(turntable, shoulderHousing, shoulder);
  // Infeed pallet with raw blanks on the robot's pick side.
  const infeed = box(mat.pallet, 0.8, 0.14, 0.8, -0.2, 0.07, 1.1);
  const blanks = box(mat.part, 0.6, 0.2, 0.6, -0.2, 0.24, 1.1);
  const controller = box(mat.cncTrim, 0.5, 1.0, 0.45, -0.9, 0.5, -0.7);
  add(root, plinth, accent, base, turntable, infeed, blanks, controller);

  let phase = 0;
  return {
    root,
    size: { w: 2.2, h: 2.4, d: 2.4 },
    port: 1.1,
    accents: [accent],
    animate(_time, dt, active) {
      if (active) {
        phase += dt;
        // Pick from the pallet (operator side), swing, place on the outfeed (+x).
        turntable.rotation.y = 0.2 + Math.sin(phase * 0.9) * 1.1;
        shoulder.rotation.z = -0.25 + Math.sin(phase * 1.8) * 0.18;
        elbow.rotation.z = -0.9 + Math.sin(phase * 1.8 + 0.6) * 0.2;
        return true;
      }
      if (turntable.rotation.y === 0 && shoulder.rotation.z === 0.1 && elbow.rotation.z === -1.3) return false;
      turntable.rotation.y = approach(turntable.rotation.y, 0, 1.5, dt);
      shoulder.rotation.z = approach(shoulder.rotation.z, 0.1, 1.5, dt);
      elbow.rotation.z = approach(elbow.rotation.z, -1.3, 1.5, dt);
      return true;
    },
  };
}

export function createCnc(mat: Materials): MachineModel {
  const root = new Group();
  const w = 2.6, h = 2.3, d = 2.0;
  const plinth = box(mat.cncTrim, w + 0.08, 0.16, d + 0.08, 0, 0.08, 0);
  const body = box(mat.cncBody, w, h - 0.36, d, 0, 0.16 + (h - 0.36) / 2, 0);
  const roof = box(mat.cncTrim, w, 0.2, d, 0, h - 0.1, 0);
  const accent = box(mat.stateAccent['no-data'], w + 0.02, 0.1, d + 0.02, 0, h - 0.25, 0);
  const door = box(mat.cncTrim, 1.3, 1.3, 0.06, -0.35, 1.15, d / 2 + 0.02);
  const window = box(mat.glass, 0.95, 0.75, 0.04, -0.35, 1.3, d / 2 + 0.06);
  const handle = box(mat.steel, 0.05, 0.5, 0.06, 0.22, 1.1, d / 2 + 0.08);
  const pendant = box(mat.cncTrim, 0.45, 0.7, 0.14, 0.9, 1.35, d / 2 + 0.1);
  const screen = box(mat.screen, 0.34, 0.26, 0.02, 0.9, 1.52, d / 2 + 0.18);
  const chipConveyor = box(mat.darkSteel, 0.5, 0.9, 0.7, w / 2 + 0.2, 0.6, -0.45);
  chipConveyor.rotation.z = -0.35;
  const chipBin = box(mat.darkSteel, 0.55, 0.45, 0.6, w / 2 + 0.55, 0.22, -0.45);
  const coolantTank = box(mat.cncTrim, 1.2, 0.5, 0.5, -0.4, 0.25, -d / 2 - 0.3);
  add(root, plinth, body, roof, accent, door, window, handle, pendant, screen, chipConveyor, chipBin, coolantTank);
  return { root, size: { w: w + 0.6, h, d: d + 0.6 }, port: w / 2, accents: [accent], animate: still };
}

export function createWasher(mat: Materials): MachineModel {
  const root = new Group();
  const w = 3.0, h = 1.9, d = 1.5;
  const tank = box(mat.darkSteel, w - 0.2, 0.35, d - 0.1, 0, 0.175, 0);
  const cabinet = box(mat.washerBody, w, h - 0.35, d, 0, 0.35 + (h - 0.35) / 2, 0);
  const band = box(mat.washerTrim, w + 0.02, 0.22, d + 0.02, 0, 1.45, 0);
  const accent = box(mat.stateAccent['no-data'], w + 0.02, 0.1, d + 0.02, 0, h - 0.2, 0);
  const inlet = box(mat.rubber, 0.04, 0.45, 0.8, -w / 2 - 0.01, TRANSFER_HEIGHT + 0.2, 0);
  const outlet = box(mat.rubber, 0.04, 0.45, 0.8, w / 2 + 0.01, TRANSFER_HEIGHT + 0.2, 0);
  const porthole1 = box(mat.glass, 0.5, 0.4, 0.04, -0.7, 1.0, d / 2 + 0.02);
  const porthole2 = box(mat.glass, 0.5, 0.4, 0.04, 0.1, 1.0, d / 2 + 0.02);
  const panel = box(mat.cncTrim, 0.5, 0.6, 0.1, 1.05, 1.05, d / 2 + 0.05);
  const screen = box(mat.screen, 0.36, 0.24, 0.02, 1.05, 1.15, d / 2 + 0.11);
  const stack = cylinder(mat.steel, 0.13, 1.1, 0.9, h + 0.55, -0.3);
  const blower = box(mat.washerTrim, 0.7, 0.4, 0.6, -0.8, h + 0.2, -0.2);
  add(root, tank, cabinet, band, accent, inlet, outlet, porthole1, porthole2, panel, screen, stack, blower);
  return { root, size: { w, h: h + 1.1, d }, port: w / 2, accents: [accent], animate: still };
}

export function createInspection(mat: Materials): MachineModel {
  const root = new Group();
  const w = 2.2, d = 1.0;
  const legs = [-0.9, 0.9].flatMap((x) => [-0.3, 0.3].map((z) => box(mat.steel, 0.08, TRANSFER_HEIGHT - 0.05, 0.08, x, (TRANSFER_HEIGHT - 0.05) / 2, z)));
  const belt = box(mat.rubber, w, 0.08, 0.7, 0, TRANSFER_HEIGHT - 0.04, 0);
  const hoodTop = box(mat.inspectionBody, 1.3, 0.12, d + 0.1, 0, 1.95, 0);
  const sideA = box(mat.inspectionBody, 1.3, 1.1, 0.08, 0, 1.4, -d / 2);
  const sideB = box(mat.glass, 1.3, 1.1, 0.04, 0, 1.4, d / 2);
  const accent = box(mat.stateAccent['no-data'], 1.32, 0.07, d + 0.12, 0, 2.03, 0);
  const camera = box(mat.cncTrim, 0.28, 0.28, 0.4, 0, 2.2, 0);
  const lens = cylinder(mat.rubber, 0.07, 0.2, 0, 1.85, 0);
  const lightRing = cylinder(mat.cameraLight, 0.22, 0.04, 0, 1.72, 0);
  const pole = box(mat.steel, 0.06, 1.5, 0.06, 0.9, 0.75, d / 2 + 0.3);
  const monitor = box(mat.cncTrim, 0.5, 0.35, 0.06, 0.9, 1.6, d / 2 + 0.3);
  const monitorScreen = box(mat.screen, 0.44, 0.29, 0.02, 0.9, 1.6, d / 2 + 0.34);
  const rejectBin = box(mat.stateFloor.down, 0.5, 0.5, 0.5, 0.6, 0.25, -d / 2 - 0.4);
  add(root, ...legs, belt, hoodTop, sideA, sideB, accent, camera, lens, lightRing, pole, monitor, monitorScreen, rejectBin);
  return { root, size: { w, h: 2.4, d: d + 1.2 }, port: w / 2, accents: [accent], animate: still };
}

export function createPacking(mat: Materials): MachineModel {
  const root = new Group();
  const w = 2.4, d = 2.0, h = 2.3;
  const posts = [-w / 2, w / 2].flatMap((x) => [-d / 2, d / 2].map((z) => box(mat.packingFrame, 0.1, h, 0.1, x, h / 2, z)));
  const beamA = box(mat.packingFrame, w + 0.1, 0.12, 0.12, 0, h, -d / 2);
  const beamB = box(mat.packingFrame, w + 0.1, 0.12, 0.12, 0, h, d / 2);
  const gantry = box(mat.darkSteel, 0.16, 0.16, d, 0.2, h - 0.05, 0);
  const head = box(mat.darkSteel, 0.2, 0.6, 0.2, 0.2, h - 0.4, 0);
  const accent = box(mat.stateAccent['no-data'], 0.12, 0.12, d + 0.2, 0, h + 0.1, 0);
  const table = box(mat.steel, w - 0.3, 0.1, d - 0.6, 0, TRANSFER_HEIGHT - 0.05, 0);
  const guard = box(mat.glass, w, 1.2, 0.03, 0, 1.5, -d / 2);
  const pallet = box(mat.pallet, 1.2, 0.15, 1.0, w / 2 + 1.0, 0.075, 0.2);
  const cartons = [
    box(mat.cardboard, 0.55, 0.4, 0.45, w / 2 + 0.72, 0.35, -0.05),
    box(mat.cardboard, 0.55, 0.4, 0.45, w / 2 + 1.28, 0.35, -0.05),
    box(mat.cardboard, 0.55, 0.4, 0.45, w / 2 + 0.72, 0.35, 0.45),
    box(mat.cardboard, 0.55, 0.4, 0.45, w / 2 + 1.28, 0.35, 0.45),
    box(mat.cardboard, 0.55, 0.4, 0.45, w / 2 + 0.72, 0.75, 0.2),
  ];
  const carton = box(mat.cardboard, 0.5, 0.35, 0.4, -0.3, TRANSFER_HEIGHT + 0.17, 0);
  const panel = box(mat.cncTrim, 0.4, 0.55, 0.1, -w / 2 + 0.3, 1.25, d / 2 + 0.1);
  const screen = box(mat.screen, 0.32, 0.22, 0.02, -w / 2 + 0.3, 1.35, d / 2 + 0.16);
  gantry.userData.animated = true;
  head.userData.animated = true;
  add(root, ...posts, beamA, beamB, gantry, head, accent, table, guard, pallet, ...cartons, carton, panel, screen);
  let phase = 0;
  return {
    root,
    size: { w: w + 1.6, h: h + 0.2, d },
    port: w / 2,
    accents: [accent],
    animate(_time, dt, active) {
      if (!active) return false;
      phase += dt;
      gantry.position.x = Math.sin(phase * 1.2) * 0.7;
      head.position.x = gantry.position.x;
      head.position.y = h - 0.4 - Math.max(0, Math.sin(phase * 2.4)) * 0.5;
      return true;
    },
  };
}

export function createConveyorMachine(mat: Materials): MachineModel {
  const root = new Group();
  const w = 3.0;
  const belt = box(mat.rubber, w, 0.08, 0.6, 0, TRANSFER_HEIGHT - 0.04, 0);
  const railA = box(mat.steel, w, 0.12, 0.05, 0, TRANSFER_HEIGHT, 0.33);
  const railB = box(mat.steel, w, 0.12, 0.05, 0, TRANSFER_HEIGHT, -0.33);
  const accent = box(mat.stateAccent['no-data'], 0.4, 0.3, 0.3, 0, 0.5, 0.5);
  const legs = [-1.3, 0, 1.3].flatMap((x) => [-0.28, 0.28].map((z) => box(mat.steel, 0.06, TRANSFER_HEIGHT - 0.08, 0.06, x, (TRANSFER_HEIGHT - 0.08) / 2, z)));
  add(root, belt, railA, railB, accent, ...legs);
  return { root, size: { w, h: 1.2, d: 1.0 }, port: w / 2, accents: [accent], animate: still };
}

const FACTORIES: Record<MachineType, (mat: Materials) => MachineModel> = {
  robot: createRobot,
  cnc: createCnc,
  washer: createWasher,
  inspection: createInspection,
  packing: createPacking,
  conveyor: createConveyorMachine,
  furnace: createFurnaceModel,
};

export function createMachineModel(type: MachineType, mat: Materials): MachineModel {
  return FACTORIES[type](mat);
}

/**
 * The shape for a machine of the plant file: its own glTF model when it (or its type) names one,
 * else the built-in shape of a known type, else a generic cabinet of its footprint and height.
 */
export function createMachineShape(
  machine: { type: string; visual?: MachineVisual },
  mat: Materials,
  library: ModelLibrary,
  onChange: (loaded?: Object3D) => void,
): MachineModel {
  const v = machine.visual;
  // A known type keeps its shape; footprint and height size the generic shape and a model's placeholder.
  const known = isKnownMachineType(machine.type) ? FACTORIES[machine.type] : null;
  if (v?.model) {
    // The placeholder takes the size the plant file gives, else that of the type's own shape.
    const size = known && !v.footprint && !v.height ? known(mat).size : sizeOf(v);
    return createGltfMachine(mat, { ...v, model: v.model }, size, library, onChange);
  }
  const shape = known ? known(mat) : createGenericMachine(mat, sizeOf(v));
  return v?.anchors ? { ...shape, anchors: v.anchors } : shape;
}

const sizeOf = (v: MachineVisual | undefined) => ({ w: v?.footprint?.w ?? GENERIC_SIZE.w, d: v?.footprint?.d ?? GENERIC_SIZE.d, h: v?.height ?? GENERIC_SIZE.h });
