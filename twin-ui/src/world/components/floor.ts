// The shop floor: concrete, a painted production zone under the line, yellow walkway lines.
import { Group, GridHelper, Mesh, PlaneGeometry, type Box3 } from 'three';
import type { Materials } from './materials.js';
import { box } from './geometry.js';

export function createFloor(mat: Materials, lineBounds: Box3): Group {
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
