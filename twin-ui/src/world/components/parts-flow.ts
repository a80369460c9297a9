// Parts riding the conveyors, driven by real count deltas: when a machine's total count goes
// up by n, n parts leave it on the conveyor to the next machine. One InstancedMesh for all
// parts of the plant; fixed-size typed arrays, so nothing is allocated per frame.
import { InstancedMesh, Matrix4, Quaternion, Vector3 } from 'three';
import type { Materials } from './materials.js';
import { unitBox } from './geometry.js';
import type { Conveyor } from './conveyor.js';

const BELT_SPEED = 0.9; // m/s
const MAX_BURST = 6; // a jump after a reconnect is not replayed part by part
const SPACING = 0.45; // m between parts released in one burst

export interface PartsFlow {
  mesh: InstancedMesh;
  /** Parts leave machine `fromIndex` (plant order) on its outgoing conveyor. */
  release(fromIndex: number, parts: number): void;
  /** Moves the parts; returns whether any part was (or just stopped being) on screen. */
  tick(dt: number): boolean;
  active(): number;
}

export function createPartsFlow(mat: Materials, conveyors: readonly (Conveyor | null)[], capacity = 512): PartsFlow {
  const mesh = new InstancedMesh(unitBox, mat.part, capacity);
  mesh.count = 0;
  mesh.castShadow = true;
  mesh.frustumCulled = false;
  const pos = new Float32Array(capacity); // metres travelled (negative = still queued inside the machine)
  const lane = new Int32Array(capacity);
  let n = 0;
  const m4 = new Matrix4();
  const p = new Vector3();
  const q = new Quaternion();
  const s = new Vector3(0.28, 0.16, 0.28);

  return {
    mesh,
    release(fromIndex, parts) {
      const conveyor = conveyors[fromIndex];
      if (!conveyor) return;
      // Queue behind the last part already waiting on this lane.
      let queueStart = 0;
      for (let i = 0; i < n; i++) {
        if (lane[i] === fromIndex && pos[i]! < SPACING) queueStart = Math.min(queueStart, pos[i]! - SPACING);
      }
      const k = Math.min(parts, MAX_BURST);
      for (let j = 0; j < k && n < capacity; j++) {
        pos[n] = queueStart - j * SPACING;
        lane[n] = fromIndex;
        n++;
      }
    },
    tick(dt) {
      if (n === 0 && mesh.count === 0) return false;
      let visible = 0;
      for (let i = 0; i < n; ) {
        const conveyor = conveyors[lane[i]!]!;
        pos[i] = pos[i]! + dt * BELT_SPEED;
        if (pos[i]! >= conveyor.length) {
          n--;
          pos[i] = pos[n]!;
          lane[i] = lane[n]!;
          continue;
        }
        if (pos[i]! >= 0) {
          conveyor.pointAt(pos[i]! / conveyor.length, p);
          p.y += 0.08;
          m4.compose(p, q, s);
          mesh.setMatrixAt(visible++, m4);
        }
        i++;
      }
      const wasShowing = mesh.count > 0;
      mesh.count = visible;
      mesh.instanceMatrix.needsUpdate = true;
      return visible > 0 || wasShowing;
    },
    active: () => n,
  };
}
