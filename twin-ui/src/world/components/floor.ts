// The shop floor: concrete, a painted production zone under the line, yellow walkway lines.
import { BufferAttribute, BufferGeometry, Color, GridHelper, Group, Mesh, MeshBasicMaterial, PlaneGeometry, type Box3, type MeshLambertMaterial, type MeshStandardMaterial } from 'three';
import type { Materials } from './materials.js';
import { box } from './geometry.js';

/** Turns a surface colour into the colour a lit, upward-facing surface shows (see lights.ts). */
export type FloorBake = (albedo: Color) => Color;

/**
 * The floor. With `bake`, it is one unlit mesh of non-overlapping rectangles whose colours are
 * the lit colours of the paints: a flat floor under directional and hemisphere lights is one
 * colour per paint anyway, and on a CPU rasteriser the floor is most of the pixels of a frame
 * (lit, and drawn twice where the zone lies on the concrete, it was over half the frame time).
 * Without shadows nothing tells the two apart.
 */
export function createFloor(mat: Materials, lineBounds: Box3, bake?: FloorBake): Group {
  if (bake) return createBakedFloor(mat, lineBounds, bake);
  const root = new Group();
  const cx = (lineBounds.min.x + lineBounds.max.x) / 2;
  const cz = (lineBounds.min.z + lineBounds.max.z) / 2;
  const w = lineBounds.max.x - lineBounds.min.x;
  const d = lineBounds.max.z - lineBounds.min.z;
  const size = Math.max(w, d) + 60;
  const concrete = new Mesh(new PlaneGeometry(size, size), mat.floor);
  concrete.rotation.x = -Math.PI / 2;
  concrete.position.set(cx, 0, cz);
  concrete.receiveShadow = true;
  const grid = new GridHelper(size, Math.round(size / 2), 0x6a737c, 0x6a737c);
  grid.position.set(cx, 0.002, cz);
  (grid.material as { transparent: boolean; opacity: number }).transparent = true;
  (grid.material as { transparent: boolean; opacity: number }).opacity = 0.25;
  // Production zone: epoxy paint 1.5 m around the machines, edged by walkway lines.
  const zw = w + 3;
  const zd = d + 3;
  const zone = new Mesh(new PlaneGeometry(zw, zd), mat.zone);
  zone.rotation.x = -Math.PI / 2;
  zone.position.set(cx, 0.004, cz);
  zone.receiveShadow = true;
  const line = 0.12;
  const edges = [
    box(mat.walkway, zw + line, 0.01, line, cx, 0.006, cz - zd / 2),
    box(mat.walkway, zw + line, 0.01, line, cx, 0.006, cz + zd / 2),
    box(mat.walkway, line, 0.01, zd + line, cx - zw / 2, 0.006, cz),
    box(mat.walkway, line, 0.01, zd + line, cx + zw / 2, 0.006, cz),
  ];
  for (const e of edges) e.castShadow = false;
  // Walkway in front of the line (operator side), edged both sides.
  const aisleZ = cz + zd / 2 + 1.6;
  const aisle = [
    box(mat.walkway, zw + 6, 0.01, line, cx, 0.006, aisleZ + 1.2),
  ];
  for (const a of aisle) a.castShadow = false;
  root.add(concrete, grid, zone, ...edges, ...aisle);
  return root;
}

type Paint = MeshStandardMaterial | MeshLambertMaterial;

function createBakedFloor(mat: Materials, lineBounds: Box3, bake: FloorBake): Group {
  const cx = (lineBounds.min.x + lineBounds.max.x) / 2;
  const cz = (lineBounds.min.z + lineBounds.max.z) / 2;
  const w = lineBounds.max.x - lineBounds.min.x;
  const d = lineBounds.max.z - lineBounds.min.z;
  const size = Math.max(w, d) + 60;
  const zw = w + 3;
  const zd = d + 3;
  const line = 0.12;
  const aisleZ = cz + zd / 2 + 1.6 + 1.2;
  const positions: number[] = [];
  const colours: number[] = [];
  const c = new Color();
  // Axis-aligned rectangle [x0,x1]×[z0,z1] at height y, facing up.
  const rect = (x0: number, x1: number, z0: number, z1: number, y: number, paint: Paint) => {
    bake(c.copy(paint.color));
    positions.push(x0, y, z0, x0, y, z1, x1, y, z1, x0, y, z0, x1, y, z1, x1, y, z0);
    for (let i = 0; i < 6; i++) colours.push(c.r, c.g, c.b);
  };
  const h = size / 2;
  const [zx0, zx1, zz0, zz1] = [cx - zw / 2, cx + zw / 2, cz - zd / 2, cz + zd / 2];
  // Concrete as four bands around the zone, so no pixel is shaded twice.
  rect(cx - h, cx + h, cz - h, zz0, 0, mat.floor);
  rect(cx - h, cx + h, zz1, cz + h, 0, mat.floor);
  rect(cx - h, zx0, zz0, zz1, 0, mat.floor);
  rect(zx1, cx + h, zz0, zz1, 0, mat.floor);
  rect(zx0, zx1, zz0, zz1, 0, mat.zone);
  const t = line / 2;
  rect(zx0 - t, zx1 + t, zz0 - t, zz0 + t, 0.006, mat.walkway);
  rect(zx0 - t, zx1 + t, zz1 - t, zz1 + t, 0.006, mat.walkway);
  rect(zx0 - t, zx0 + t, zz0 - t, zz1 + t, 0.006, mat.walkway);
  rect(zx1 - t, zx1 + t, zz0 - t, zz1 + t, 0.006, mat.walkway);
  rect(cx - zw / 2 - 3, cx + zw / 2 + 3, aisleZ - t, aisleZ + t, 0.006, mat.walkway);
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(new Float32Array(positions), 3));
  geometry.setAttribute('color', new BufferAttribute(new Float32Array(colours), 3));
  geometry.computeBoundingSphere();
  const floor = new Mesh(geometry, new MeshBasicMaterial({ vertexColors: true }));
  // Drawn after the machines: the depth test then skips the floor pixels they cover.
  floor.renderOrder = 1;
  // No 2 m grid here: ~200 long blended lines cost a CPU rasteriser as much as all the machines
  // of a 200-machine plant; the zone and walkway tape still give the floor its scale.
  const root = new Group();
  root.add(floor);
  return root;
}
