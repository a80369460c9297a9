// Unit primitives shared by every model; meshes scale them. One geometry per shape keeps
// GPU buffers few however many machines the plant has.
import { BoxGeometry, CylinderGeometry, Mesh, RingGeometry, type Material, type Object3D } from 'three';

export const unitBox = new BoxGeometry(1, 1, 1);
export const unitCylinder = new CylinderGeometry(1, 1, 1, 18);
export const unitCylinderLow = new CylinderGeometry(1, 1, 1, 8);

export function box(material: Material, w: number, h: number, d: number, x = 0, y = 0, z = 0): Mesh {
  const m = new Mesh(unitBox, material);
  m.scale.set(w, h, d);
  m.position.set(x, y, z);
  m.castShadow = true;
  m.receiveShadow = true;
  return m;
}

/** A vertical cylinder (axis y); rotate the result for other axes. */
export function cylinder(material: Material, radius: number, height: number, x = 0, y = 0, z = 0, lowPoly = false): Mesh {
  const m = new Mesh(lowPoly ? unitCylinderLow : unitCylinder, material);
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
