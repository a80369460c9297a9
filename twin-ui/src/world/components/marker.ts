// A rectangular floor frame (tape-like outline) that can be re-fitted without allocating:
// used for the state marking under each machine and for the hover / selection outline.
import { Group, type Material, type Mesh } from 'three';
import { box } from './geometry.js';

export interface FloorFrame {
  root: Group;
  strips: Mesh[];
  fit(w: number, d: number): void;
  setMaterial(material: Material): void;
}

export function createFloorFrame(material: Material, width: number, y = 0.012): FloorFrame {
  const root = new Group();
  const strips = [0, 1, 2, 3].map(() => {
    const s = box(material, 1, 0.01, 1, 0, y, 0);
    s.castShadow = false;
    s.receiveShadow = false;
    return s;
  });
  root.add(...strips);
  const frame: FloorFrame = {
    root,
    strips,
    fit(w, d) {
      const [a, b, c, e] = strips as [Mesh, Mesh, Mesh, Mesh];
      a.scale.set(w + width, 0.01, width); a.position.set(0, y, -d / 2);
      b.scale.set(w + width, 0.01, width); b.position.set(0, y, d / 2);
      c.scale.set(width, 0.01, d); c.position.set(-w / 2, y, 0);
      e.scale.set(width, 0.01, d); e.position.set(w / 2, y, 0);
    },
    setMaterial(m) {
      for (const s of strips) s.material = m;
    },
  };
  frame.fit(1, 1);
  return frame;
}
