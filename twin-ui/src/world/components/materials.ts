// Every material in the scene is made once here and shared: state changes swap a mesh's
// material reference instead of creating or mutating per-machine materials.
import { Color, MeshStandardMaterial, MeshLambertMaterial, MeshBasicMaterial, DoubleSide } from 'three';
import type { MachineState } from '../../../../shared/plant-schema.js';

/** Colours of the state legend; the CSS uses the same values (styles.css --state-*). */
export const STATE_COLOURS: Record<MachineState, number> = {
  running: 0x22c55e,
  idle: 0xf59e0b,
  down: 0xef4444,
  setup: 0x38bdf8,
  'planned-stop': 0xa78bfa,
  'no-data': 0x6b7280,
};

export const STATES = Object.keys(STATE_COLOURS) as MachineState[];

export type LampColour = 'red' | 'amber' | 'green' | 'blue';
const LAMP_COLOURS: Record<LampColour, number> = { red: 0xff2d2d, amber: 0xffb020, green: 0x2cff6a, blue: 0x3aa7ff };

type Lit = MeshStandardMaterial | MeshLambertMaterial;
type LitExtra = { emissive?: Color; emissiveIntensity?: number; transparent?: boolean; opacity?: number };

/** `physical`: PBR (a GPU); otherwise Lambert, several times cheaper per pixel on a CPU rasteriser. */
export function createMaterials(physical = true) {
  const std = (color: number, roughness = 0.6, metalness = 0.1, extra: LitExtra = {}): Lit =>
    physical ? new MeshStandardMaterial({ color, roughness, metalness, ...extra }) : new MeshLambertMaterial({ color, ...extra });
  const stateFloor = {} as Record<MachineState, Lit>;
  const stateAccent = {} as Record<MachineState, Lit>;
  for (const s of STATES) {
    const c = STATE_COLOURS[s];
    stateFloor[s] = std(c, 0.5, 0, { emissive: new Color(c), emissiveIntensity: 0.35, transparent: true, opacity: 0.85 });
    stateAccent[s] = std(c, 0.4, 0.1, { emissive: new Color(c), emissiveIntensity: 0.55 });
  }
  const lampOn = {} as Record<LampColour, Lit>;
  const lampOff = {} as Record<LampColour, Lit>;
  for (const [name, c] of Object.entries(LAMP_COLOURS) as [LampColour, number][]) {
    lampOn[name] = std(c, 0.3, 0, { emissive: new Color(c), emissiveIntensity: 2.2 });
    lampOff[name] = std(new Color(c).multiplyScalar(0.28).getHex(), 0.35, 0, { transparent: true, opacity: 0.9 });
  }
  return {
    stateFloor,
    stateAccent,
    lampOn,
    lampOff,
    floor: std(0x5a626b, 0.92, 0),
    zone: std(0x3f5a57, 0.85, 0),
    walkway: std(0xf2c12e, 0.7, 0),
    hatch: std(0x1d2227, 0.7, 0),
    // Machine paints: RAL-like colours seen on real shop floors.
    robotOrange: std(0xf08a1c, 0.45, 0.2),
    cncBody: std(0xd8dde3, 0.5, 0.2),
    cncTrim: std(0x2b3440, 0.5, 0.3),
    washerBody: std(0xb9c3cc, 0.3, 0.65),
    washerTrim: std(0x1f5f9e, 0.5, 0.2),
    inspectionBody: std(0xe7ebef, 0.45, 0.1),
    packingFrame: std(0x3b6fb6, 0.5, 0.3),
    cardboard: std(0xb8895a, 0.9, 0),
    pallet: std(0x9a7448, 0.9, 0),
    steel: std(0x9aa3ad, 0.35, 0.75),
    darkSteel: std(0x3a4049, 0.5, 0.6),
    rubber: std(0x1c1f24, 0.85, 0),
    glass: std(0x5a86a8, 0.1, 0.3, { transparent: true, opacity: 0.45 }),
    screen: std(0x0f2a44, 0.3, 0, { emissive: new Color(0x3b9be8), emissiveIntensity: 0.6 }),
    cameraLight: std(0xffffff, 0.2, 0, { emissive: new Color(0xdff4ff), emissiveIntensity: 1.5 }),
    part: std(0xc9ced4, 0.3, 0.8),
    hover: new MeshBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.55, side: DoubleSide, depthWrite: false }),
    selected: new MeshBasicMaterial({ color: 0x67e8f9, transparent: true, opacity: 0.9, side: DoubleSide, depthWrite: false }),
  };
}

export type Materials = ReturnType<typeof createMaterials>;

/** OEE / energy heat-map ramp: red (bad) → amber → green (good); t in [0,1]. */
export function heatColour(t: number, target: Color): Color {
  const x = Math.min(1, Math.max(0, t));
  if (x < 0.5) return target.setRGB(0.94, 0.27 + x * 2 * 0.55, 0.27);
  return target.setRGB(0.94 - (x - 0.5) * 2 * 0.8, 0.82 - (x - 0.5) * 2 * 0.05, 0.27 + (x - 0.5) * 2 * 0.1);
}
