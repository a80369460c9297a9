// Unit primitives shared by every model; meshes scale them. One geometry per shape keeps
// GPU buffers few however many machines the plant has.
import { BoxGeometry, BufferGeometry, CylinderGeometry, Mesh, PlaneGeometry, RingGeometry, type Material, type Object3D } from 'three';

export const unitBox = new BoxGeometry(1, 1, 1);
export const unitCylinder = new CylinderGeometry(1, 1, 1, 18);
export const unitCylinderLow = new CylinderGeometry(1, 1, 1, 8);
/** Same shape as unitCylinderLow; a separate object so coarse shapes can keep its ends. */
export const unitCylinderLowCapped = new CylinderGeometry(1, 1, 1, 8);

/** A box without its bottom face (the floor or the part below hides it). */
function boxWithoutBottom(): BufferGeometry {
  const g = new BoxGeometry(1, 1, 1);
  // BoxGeometry's groups are +x, -x, +y, -y, +z, -z, six indices each; -y is the fourth.
  const index = g.index!.array;
  const kept = [...index.slice(0, 18), ...index.slice(24)];
  g.setIndex(kept);
  g.clearGroups();
  return g;
}

/**
 * Coarse stand-ins for the unit shapes, for plants seen from afar on a CPU rasteriser, whose
 * time per frame grows with triangles: 6-sided cylinders (24 instead of 72 triangles), boxes
 * without the bottom face nobody sees, flat tiles for floor tape (2 instead of 12), open-ended
 * cylinders where stacked parts hide the ends (the andon pole and lamps).
 */
export const coarse = {
  box: boxWithoutBottom(),
  tile: new PlaneGeometry(1, 1).rotateX(-Math.PI / 2).translate(0, 0.5, 0),
  cylinder: new CylinderGeometry(1, 1, 1, 6),
  cylinderOpen: new CylinderGeometry(1, 1, 1, 6, 1, true),
};

/** The shape a mesh of geometry `g` and height scale `sy` is drawn with in coarse detail. */
export function coarseShape(g: BufferGeometry, sy: number): BufferGeometry {
  if (g === unitBox) return sy < 0.02 ? coarse.tile : coarse.box;
  if (g === unitCylinder || g === unitCylinderLowCapped) return coarse.cylinder;
  if (g === unitCylinderLow) return coarse.cylinderOpen;
  return g;
}

export function box(material: Material, w: number, h: number, d: number, x = 0, y = 0, z = 0): Mesh {
  const m = new Mesh(unitBox, material);
  m.scale.set(w, h, d);
  m.position.set(x, y, z);
  m.castShadow = true;
  m.receiveShadow = true;
  return m;
}

/** A vertical cylinder (axis y); rotate the result for other axes. */
export function cylinder(material: Material, radius: number, height: number, x = 0, y = 0, z = 0, lowPoly: boolean | 'capped' = false): Mesh {
  const m = new Mesh(lowPoly === 'capped' ? unitCylinderLowCapped : lowPoly ? unitCylinderLow : unitCylinder, material);
  m.scale.set(radius, height, radius);
  m.position.set(x, y, z);
  m.castShadow = true;
  m.receiveShadow = true;
  return m;
}

/** Flat outline on the floor (rounded look comes from a many-sided ring). */
export function floorRing(material: Material, inner: number, outer: number, segments = 48): Mesh {
  const m = new Mesh(new RingGeometry(inner, outer, segments), material);
  m.rotation.x = -Math.PI / 2;
  return m;
}

export function add(parent: Object3D, ...children: Object3D[]): Object3D {
  for (const c of children) parent.add(c);
  return parent;
}
