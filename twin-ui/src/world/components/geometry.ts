// Unit primitives shared by every model; meshes scale them. One geometry per shape keeps
// GPU buffers few however many machines the plant has.
import { BoxGeometry, BufferGeometry, CylinderGeometry, Mesh, PlaneGeometry, RingGeometry, type Material, type Object3D, type Vector3 } from 'three';

export const unitBox = new BoxGeometry(1, 1, 1);
export const unitCylinder = new CylinderGeometry(1, 1, 1, 18);
export const unitCylinderLow = new CylinderGeometry(1, 1, 1, 8);
/** Same shape as unitCylinderLow; a separate object so coarse shapes can keep its ends. */
export const unitCylinderLowCapped = new CylinderGeometry(1, 1, 1, 8);

/** A unit box keeping only the faces (BoxGeometry order +x, -x, +y, -y, +z, -z) named in `keep`. */
function boxFaces(keep: readonly number[]): BufferGeometry {
  const g = new BoxGeometry(1, 1, 1);
  const index = g.index!.array;
  g.setIndex(keep.flatMap((f) => [...index.slice(f * 6, f * 6 + 6)]));
  g.clearGroups();
  return g;
}

/**
 * Coarse stand-ins for the unit shapes, for plants seen from afar on a CPU rasteriser, whose
 * time per frame grows with triangles: 6-sided cylinders (24 instead of 72 triangles), boxes
 * without the bottom face nobody sees, flat tiles for floor tape (2 instead of 12), thin posts
 * and legs as open tubes (what they stand on and what they carry hide both ends), and a 4-sided
 * andon tower (a 10 cm lamp is a few pixels) with open-ended lamps and pole.
 */
export const coarse = {
  box: boxFaces([0, 1, 2, 4, 5]),
  post: boxFaces([0, 1, 4, 5]),
  tile: new PlaneGeometry(1, 1).rotateX(-Math.PI / 2).translate(0, 0.5, 0),
  cylinder: new CylinderGeometry(1, 1, 1, 6),
  thinCylinder: new CylinderGeometry(1, 1, 1, 4),
  thinCylinderOpen: new CylinderGeometry(1, 1, 1, 4, 1, true),
};

/** The shape a mesh of geometry `g` and height scale `sy` is drawn with in coarse detail. */
export function coarseShape(g: BufferGeometry, scale: Vector3): BufferGeometry {
  if (g === unitBox) {
    if (scale.y < 0.02) return coarse.tile;
    return scale.x <= 0.1 && scale.z <= 0.1 && scale.y >= 0.5 ? coarse.post : coarse.box;
  }
  if (g === unitCylinder) return coarse.cylinder;
  if (g === unitCylinderLowCapped) return coarse.thinCylinder;
  if (g === unitCylinderLow) return coarse.thinCylinderOpen;
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
