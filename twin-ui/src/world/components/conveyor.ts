// A belt conveyor between two machines, in the line's own frame: from `from` to `to` on the
// floor plane, belt top at TRANSFER_HEIGHT.
import { Group, Vector3 } from 'three';
import type { Materials } from './materials.js';
import { box } from './geometry.js';
import { TRANSFER_HEIGHT } from './machine-models.js';

export interface Conveyor {
  root: Group;
  length: number;
  /** Writes the point at fraction u ∈ [0,1] of the belt (world, on the belt surface) into `out`. */
  pointAt(u: number, out: Vector3): Vector3;
}

export function createConveyor(mat: Materials, from: Vector3, to: Vector3): Conveyor {
  const root = new Group();
  const dx = to.x - from.x;
  const dz = to.z - from.z;
  const length = Math.max(0.2, Math.hypot(dx, dz));
  root.position.set((from.x + to.x) / 2, 0, (from.z + to.z) / 2);
  root.rotation.y = -Math.atan2(dz, dx);
  root.add(
    box(mat.rubber, length, 0.07, 0.55, 0, TRANSFER_HEIGHT - 0.035, 0),
    box(mat.steel, length, 0.1, 0.04, 0, TRANSFER_HEIGHT - 0.02, 0.3),
    box(mat.steel, length, 0.1, 0.04, 0, TRANSFER_HEIGHT - 0.02, -0.3),
  );
  const legCount = Math.max(2, Math.round(length / 1.2) + 1);
  for (let i = 0; i < legCount; i++) {
    const x = -length / 2 + 0.15 + (i * (length - 0.3)) / (legCount - 1);
    root.add(box(mat.steel, 0.05, TRANSFER_HEIGHT - 0.07, 0.05, x, (TRANSFER_HEIGHT - 0.07) / 2, 0.26));
    root.add(box(mat.steel, 0.05, TRANSFER_HEIGHT - 0.07, 0.05, x, (TRANSFER_HEIGHT - 0.07) / 2, -0.26));
  }
  const start = from.clone();
  const end = to.clone();
  return {
    root,
    length,
    pointAt(u, out) {
      out.lerpVectors(start, end, u);
      out.y = TRANSFER_HEIGHT;
      return out;
    },
  };
}
