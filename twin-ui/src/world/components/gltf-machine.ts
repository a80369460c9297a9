// A machine drawn from the plant's own glTF/GLB model (issue 21). It shows the generic shape at
// once and swaps it for the model when that has loaded (a big model does not hold up the twin);
// the state band stays, so the machine is painted in its state like every other. Nodes the plant
// file names follow tags: a spindle turns with its speed, a door slides with a state, so the
// model shows what the PLC says. The placeholder and the model are kept out of the instancer's
// first pass (userData.unmerged: they are not there yet); `onLoaded` hands the loaded model to
// the world, which merges it then — the nodes that move marked animated, as the built-in shapes do.
import { Group, PropertyBinding, type Mesh, type Object3D } from 'three';
import { motionTarget, type MachineVisual, type NodeMotion } from '../../../../shared/machine-visual.js';
import type { ModelLibrary } from '../systems/model-library.js';
import type { Materials } from './materials.js';
import { createGenericMachine, type GenericSize } from './generic-machine.js';
import type { MachineModel, ModelLoad } from './machine-models.js';

/** How fast a translated or rotated node eases to where its tag puts it (1/s): a door takes about a second. */
const EASE_RATE = 4;
const DEG = Math.PI / 180;

interface BoundMotion {
  spec: NodeMotion;
  node: Object3D;
  base: number;
  /** Where the tag puts the node (m, deg or deg/s); null until a value has arrived. */
  target: number | null;
  /** Offset now applied (m or deg), or the spin angle (rad). */
  current: number;
}

export function createGltfMachine(
  mat: Materials,
  visual: MachineVisual & { model: string },
  size: GenericSize,
  library: ModelLibrary,
  onChange: (loaded?: Object3D) => void,
): MachineModel {
  const placeholder = createGenericMachine(mat, size, { band: 'base' });
  const root = placeholder.root;
  // The state rim stays in root (merged with every other painted mesh); the rest waits for the model.
  const late = new Group();
  late.userData.unmerged = true;
  late.add(placeholder.body);
  root.add(late);
  const holder = new Group();
  holder.name = 'model';
  if (visual.offset) holder.position.set(visual.offset.x, visual.offset.y, visual.offset.z);
  holder.rotation.y = -(visual.rotationDeg ?? 0) * DEG; // the layout's convention: degrees clockwise seen from above
  holder.scale.setScalar(visual.scale ?? 1);
  late.add(holder);
  const motions: BoundMotion[] = [];
  const pending = new Map<string, unknown>(); // tag values that arrived before the model
  let load: ModelLoad = 'loading';
  let error: string | null = null;
  const geometries: string[] = [];

  library.instance(visual.model).then(
    (scene) => {
      scene.traverse((o) => {
        if ((o as Mesh).isMesh) {
          o.castShadow = true;
          o.receiveShadow = true;
        }
      });
      holder.add(scene);
      placeholder.body.visible = false;
      scene.traverse((o) => {
        if ((o as Mesh).isMesh) geometries.push((o as Mesh).geometry.uuid);
      });
      for (const spec of visual.moving ?? []) {
        // GLTFLoader renames nodes as PropertyBinding does ("Spindle Motor" → "Spindle_Motor").
        const node = scene.getObjectByName(spec.node) ?? scene.getObjectByName(PropertyBinding.sanitizeNodeName(spec.node));
        if (!node) {
          console.warn(`model ${visual.model}: no node "${spec.node}" to move with tag ${spec.tag}`);
          continue;
        }
        const base = spec.motion === 'translate' ? node.position[spec.axis] : node.rotation[spec.axis];
        node.userData.animated = true; // the instancer keeps it as a moving proxy
        const m: BoundMotion = { spec, node, base, target: null, current: 0 };
        if (pending.has(spec.tag)) m.target = motionTarget(spec, pending.get(spec.tag));
        motions.push(m);
      }
      load = 'loaded';
      onChange(holder);
    },
    (err: unknown) => {
      // The placeholder stays: the machine is still there, drawn plainly, and says why in the console.
      load = 'failed';
      error = err instanceof Error ? err.message : String(err);
      console.warn(error);
      onChange();
    },
  );

  return {
    root,
    size: { ...size },
    port: size.w / 2,
    accents: placeholder.accents,
    ...(visual.anchors ? { anchors: visual.anchors } : {}),
    follow(tags) {
      for (const spec of visual.moving ?? []) {
        const value = tags[spec.tag]?.value;
        if (value !== undefined) pending.set(spec.tag, value);
      }
      for (const m of motions) if (pending.has(m.spec.tag)) m.target = motionTarget(m.spec, pending.get(m.spec.tag));
    },
    animate(_time, dt) {
      let moved = false;
      for (const m of motions) {
        if (m.target === null) continue;
        const { axis, motion } = m.spec;
        if (motion === 'spin') {
          if (m.target === 0) continue;
          m.current = (m.current + m.target * DEG * dt) % (2 * Math.PI);
          m.node.rotation[axis] = m.base + m.current;
          moved = true;
          continue;
        }
        if (m.current === m.target) continue;
        const next = m.current + (m.target - m.current) * Math.min(1, EASE_RATE * dt);
        m.current = Math.abs(m.target - next) < 1e-3 ? m.target : next;
        if (motion === 'translate') m.node.position[axis] = m.base + m.current;
        else m.node.rotation[axis] = m.base + m.current * DEG;
        moved = true;
      }
      return moved;
    },
    inspect(name) {
      const node = holder.getObjectByName(name) ?? holder.getObjectByName(PropertyBinding.sanitizeNodeName(name));
      return {
        load, error, geometries,
        node: node ? { position: node.position.toArray(), rotation: [node.rotation.x, node.rotation.y, node.rotation.z] } : null,
      };
    },
  };
}
