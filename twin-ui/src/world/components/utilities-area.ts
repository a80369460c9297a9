// The utilities area in 3D: the screw compressor, the main meter cabinet and the washer's gas
// heater, beside the line. Their live state comes from the site meters (/api/energy/meters):
// the compressor's fan turns with its feeder's power, the cabinet's meter lamps are green while
// their meters count (amber when a meter seems stuck), the heater's flame shows while gas flows.
// Own materials, outside the machines' instancing; shows only once meter data has arrived.
import { Box3, Group, MeshStandardMaterial, type Mesh } from 'three';
import { box, cylinder } from './geometry.js';

export interface UtilityMeterState {
  id: string;
  medium: string;
  parent: string | null;
  powerKW: number | null;
  ratePerHour: number | null;
  suspectStuck?: boolean;
}

export interface UtilitiesArea {
  root: Group;
  update(meters: readonly UtilityMeterState[]): void;
  /** Returns whether anything moved (the loop draws only then). */
  animate(dt: number): boolean;
  bounds(): Box3;
}

const LAMP_OK = 0x22c55e;
const LAMP_STUCK = 0xf59e0b;
const LAMP_OFF = 0x334155;

export function createUtilitiesArea(): UtilitiesArea {
  const root = new Group();
  root.name = 'utilities-area';
  root.visible = false;
  const grey = new MeshStandardMaterial({ color: 0x64748b, roughness: 0.6, metalness: 0.3 });
  const blue = new MeshStandardMaterial({ color: 0x2563eb, roughness: 0.5, metalness: 0.2 });
  const dark = new MeshStandardMaterial({ color: 0x1e293b, roughness: 0.8 });
  const flameMat = new MeshStandardMaterial({ color: 0xf97316, emissive: 0xf97316, emissiveIntensity: 1.2 });

  // Screw compressor: a cabinet with a cooling fan on top.
  const compressor = new Group();
  compressor.add(box(blue, 1.6, 1.4, 1.0, 0, 0.7, 0), box(dark, 0.2, 0.2, 0.2, 0.9, 0.3, 0));
  const fan = new Group();
  fan.position.set(0, 1.42, 0);
  for (let i = 0; i < 3; i++) {
    const blade = box(grey, 0.9, 0.03, 0.12, 0, 0, 0);
    blade.rotation.y = (i * Math.PI) / 3;
    fan.add(blade);
  }
  compressor.add(fan, cylinder(dark, 0.5, 0.04, 0, 1.4, 0));
  compressor.position.set(0, 0, 0);

  // Meter cabinet: one lamp per electricity meter of the utilities feeders, in a row.
  const cabinet = new Group();
  cabinet.add(box(grey, 1.2, 1.9, 0.45, 0, 0.95, 0));
  cabinet.position.set(2.2, 0, 0);
  const lamps: Mesh[] = [];
  const lampMats: MeshStandardMaterial[] = [];
  for (let i = 0; i < 6; i++) {
    const mat = new MeshStandardMaterial({ color: LAMP_OFF, emissive: LAMP_OFF, emissiveIntensity: 0.6 });
    const lamp = box(mat, 0.14, 0.1, 0.04, -0.4 + (i % 3) * 0.4, 1.5 - Math.floor(i / 3) * 0.35, 0.24);
    lamp.visible = false;
    lamps.push(lamp);
    lampMats.push(mat);
    cabinet.add(lamp);
  }

  // Gas heater of the parts washer: a burner box with a flame.
  const heater = new Group();
  heater.add(box(dark, 0.8, 0.9, 0.8, 0, 0.45, 0), cylinder(grey, 0.08, 0.9, 0.25, 1.3, 0.25));
  const flame = cylinder(flameMat, 0.14, 0.3, 0, 0.2, 0.42);
  flame.visible = false;
  heater.add(flame);
  heater.position.set(4.0, 0, 0);

  root.add(compressor, cabinet, heater);
  let fanSpeed = 0; // rad/s
  let flameOn = false;

  return {
    root,
    update(meters) {
      root.visible = meters.length > 0;
      // The compressor's feeder: an electricity meter whose id or name says compressor, else none.
      const comp = meters.find((m) => m.medium === 'electricity' && /compressor/i.test(m.id));
      const kW = comp?.powerKW ?? comp?.ratePerHour ?? 0;
      fanSpeed = Math.min(25, Math.max(0, kW) * 0.8);
      const gas = meters.find((m) => m.medium === 'natural-gas');
      flameOn = (gas?.ratePerHour ?? 0) > 0;
      flame.visible = flameOn;
      const shown = meters.filter((m) => m.medium === 'electricity' && (m.parent === null || meters.some((p) => p.id === m.parent && p.parent === null))).slice(0, lamps.length);
      lamps.forEach((lamp, i) => {
        const m = shown[i];
        lamp.visible = m !== undefined;
        if (!m) return;
        const colour = m.suspectStuck ? LAMP_STUCK : (m.powerKW ?? m.ratePerHour ?? 0) > 0 ? LAMP_OK : LAMP_OFF;
        lampMats[i]!.color.setHex(colour);
        lampMats[i]!.emissive.setHex(colour);
      });
    },
    animate(dt) {
      if (!root.visible || fanSpeed === 0) return false;
      fan.rotation.y += fanSpeed * dt;
      return true;
    },
    bounds: () => new Box3().setFromObject(root),
  };
}
