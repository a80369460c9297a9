// What the plant file's `layout:` section puts on the 3D floor: the floor-plan drawing as a
// ground texture at its scale, the named areas as tinted rectangles with their name painted on
// the floor, and the drawn conveyors as belts between machines. Unlit materials: it is paint on
// the floor, and costs next to nothing on a software renderer.
import {
  BoxGeometry, CanvasTexture, DoubleSide, Group, LinearFilter, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace, TextureLoader,
} from 'three';
import type { FloorLayout } from '../../../../shared/floor-layout-schema.js';
import type { PlantView } from '../../../../shared/live-protocol.js';

const FLOOR_PLAN_Y = 0.006;
const AREA_Y = 0.008;

function flat(width: number, depth: number, material: MeshBasicMaterial, x: number, y: number, z: number): Mesh {
  const m = new Mesh(new PlaneGeometry(width, depth), material);
  m.rotation.x = -Math.PI / 2;
  m.position.set(x, y, z);
  return m;
}

function nameTexture(name: string, colour: string): CanvasTexture | null {
  const canvas = document.createElement('canvas');
  canvas.width = 512;
  canvas.height = 96;
  const g = canvas.getContext('2d');
  if (!g) return null;
  g.fillStyle = colour;
  g.font = 'bold 64px sans-serif';
  g.textBaseline = 'middle';
  g.fillText(name.toUpperCase(), 12, 50, 488);
  const t = new CanvasTexture(canvas);
  t.colorSpace = SRGBColorSpace;
  return t;
}

/** A group for the scene; `changed` is called when the floor-plan image has loaded (redraw). */
export function createFloorLayer(layout: FloorLayout, machines: PlantView['machines'], changed: () => void): Group {
  const root = new Group();
  root.name = 'floor-layer';
  const plan = layout.floorPlan;
  if (plan) {
    new TextureLoader().load(`api/layout/floor-plan/${encodeURIComponent(plan.image)}`, (texture) => {
      texture.colorSpace = SRGBColorSpace;
      texture.minFilter = LinearFilter;
      const img = texture.image as { width: number; height: number };
      const w = img.width * plan.metresPerPixel;
      const d = img.height * plan.metresPerPixel;
      const mesh = flat(w, d, new MeshBasicMaterial({ map: texture, transparent: true, opacity: 0.85, depthWrite: false }), plan.origin.x + w / 2, FLOOR_PLAN_Y, plan.origin.z + d / 2);
      mesh.name = 'floor-plan';
      root.add(mesh);
      changed();
    });
  }
  for (const a of layout.areas) {
    const colour = a.colour ?? '#3a7bd5';
    const cx = a.x + a.width / 2;
    const cz = a.z + a.depth / 2;
    const fill = flat(a.width, a.depth, new MeshBasicMaterial({ color: colour, transparent: true, opacity: 0.22, depthWrite: false, side: DoubleSide }), cx, AREA_Y, cz);
    fill.name = `area:${a.id}`;
    root.add(fill);
    const texture = nameTexture(a.name, colour);
    if (texture) {
      const w = Math.min(a.width * 0.9, 5.3);
      const label = flat(w, w * 96 / 512, new MeshBasicMaterial({ map: texture, transparent: true, depthWrite: false }), a.x + w / 2 + 0.2, AREA_Y + 0.002, a.z + (w * 96 / 512) / 2 + 0.2);
      root.add(label);
    }
  }
  const belt = new MeshBasicMaterial({ color: 0x3b4148 });
  const rail = new MeshBasicMaterial({ color: 0xf0b429 });
  for (const c of layout.conveyors) {
    const from = machines.find((m) => m.id === c.from)?.layout;
    const to = machines.find((m) => m.id === c.to)?.layout;
    if (!from || !to) continue;
    const dx = to.x - from.x;
    const dz = to.z - from.z;
    const length = Math.hypot(dx, dz);
    if (length < 0.1) continue;
    const group = new Group();
    group.name = `conveyor:${c.from}>${c.to}`;
    group.position.set((from.x + to.x) / 2, 0, (from.z + to.z) / 2);
    group.rotation.y = -Math.atan2(dz, dx);
    const body = new Mesh(new BoxGeometry(length, 0.5, 0.6), belt);
    body.position.y = 0.25;
    group.add(body);
    for (const side of [-0.32, 0.32]) {
      const r = new Mesh(new BoxGeometry(length, 0.06, 0.05), rail);
      r.position.set(0, 0.52, side);
      group.add(r);
    }
    root.add(group);
  }
  return root;
}
