// Turns the many small meshes of a plant into a few draw calls. The components stay simple
// (plain meshes from shared geometry + shared material); after the scene is built:
//  - static meshes are baked (transformed vertices) into one merged mesh per material and
//    removed from the graph;
//  - painted static meshes (state colours: accents, andon lamps, floor tape) are baked into one
//    merged mesh with per-vertex colours, rewritten from whatever material the world assigns;
//  - animated meshes (under an ancestor with userData.animated) stay in the graph, invisible,
//    as proxies; they are merged too, into one dynamic mesh per material, and a proxy's
//    vertices are rewritten (on the CPU) in the frames its world matrix changed.
// Why merge rather than instance: a GPU draws either in one call, but a CPU rasteriser
// (SwiftShader) pays a fixed cost per instance — 4,000 instanced boxes cost it about 200 ms a
// frame, the same triangles merged about 20 ms; the ~400 moving robot and gantry parts of a
// 200-machine plant cost it ~20 ms a frame as instances. A 200-machine plant draws in ~10-20 calls.
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  DynamicDrawUsage,
  Matrix3,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  Vector3,
  type InstancedMesh,
  type Material,
  type Object3D,
} from 'three';
import { coarseShape } from './geometry.js';

export interface CollectOptions {
  /** Draw the unit shapes with their coarse stand-ins (see geometry.ts `coarse`). */
  coarse?: boolean;
  /**
   * Bakes lighting into static opaque meshes: writes into `out` the lit colour of a surface of
   * colour `albedo` facing `normal` (world space). They are then drawn unlit, all in one mesh
   * with per-vertex colours (a flat-faced shape under directional and hemisphere lights looks
   * the same; a CPU rasteriser shades each pixel several times cheaper).
   */
  bake?: (albedo: Color, normal: Vector3, out: Color) => Color;
}

type Shaded = Material & { color?: Color; emissive?: Color; emissiveIntensity?: number };

/** Writes the baked colours of `meshes` (merged into `geometry` at `ranges`) into its colour attribute. */
function bakeColours(meshes: readonly Mesh[], geometry: BufferGeometry, ranges: readonly { start: number; count: number }[], bake: NonNullable<CollectOptions['bake']>): void {
  const normal = geometry.attributes.normal as BufferAttribute;
  const colour = geometry.attributes.color as BufferAttribute;
  const n = new Vector3();
  const out = new Color();
  meshes.forEach((m, i) => {
    const material = m.material as Shaded;
    const albedo = material.color ?? new Color(1, 1, 1);
    const emissive = material.emissive;
    const ei = material.emissiveIntensity ?? 1;
    const { start, count } = ranges[i]!;
    for (let v = start; v < start + count; v++) {
      bake(albedo, n.fromBufferAttribute(normal, v), out);
      if (emissive) out.setRGB(out.r + emissive.r * ei, out.g + emissive.g * ei, out.b + emissive.b * ei);
      colour.setXYZ(v, out.r, out.g, out.b);
    }
  });
}

/** A moving mesh's share of a dynamic merged mesh. */
interface MovingSlot {
  proxy: Mesh;
  shape: BufferGeometry;
  start: number;
  target: MovingTarget;
  last: Matrix4;
}

/** The vertex buffers of one dynamic merged mesh and whether they need uploading. */
interface MovingTarget {
  position: BufferAttribute;
  normal: BufferAttribute;
  dirty: boolean;
}

interface VertexSlot {
  colour: BufferAttribute;
  start: number;
  count: number;
}

export interface Instancer {
  /**
   * Collapses the meshes under `root` (or under each of several roots, merged together: the
   * plant's glTF models once loaded); `painted` meshes get per-instance/per-vertex colours.
   */
  collect(root: Object3D | readonly Object3D[], painted: ReadonlySet<Mesh>, options?: CollectOptions): void;
  /** Rewrites the vertices of animated proxies that moved (call after animating). */
  sync(): void;
  /** Re-reads a painted mesh's material colour; returns whether anything visible changed. */
  refresh(mesh: Mesh): boolean;
  drawCalls(): number;
}

function isMesh(o: Object3D): o is Mesh {
  return (o as Mesh).isMesh === true && !(o as InstancedMesh).isInstancedMesh;
}

/** Under a subtree that draws itself (a glTF machine: shared geometry, nodes moved by name). */
function unmergedAncestor(o: Object3D, stop: Object3D): boolean {
  for (let p: Object3D | null = o; p && p !== stop; p = p.parent) if (p.userData.unmerged) return true;
  return false;
}

function animatedAncestor(o: Object3D, stop: Object3D): boolean {
  for (let p: Object3D | null = o; p && p !== stop; p = p.parent) if (p.userData.animated) return true;
  return false;
}

/** One geometry holding every mesh's triangles in world space (positions and normals). */
function mergeMeshes(meshes: readonly Mesh[], withColour: boolean, shapeOf: (m: Mesh) => BufferGeometry): { geometry: BufferGeometry; ranges: { start: number; count: number }[] } {
  let vertices = 0;
  let indices = 0;
  for (const m of meshes) {
    const g = shapeOf(m);
    vertices += g.attributes.position!.count;
    indices += g.index ? g.index.count : g.attributes.position!.count;
  }
  const position = new Float32Array(vertices * 3);
  const normal = new Float32Array(vertices * 3);
  const index = vertices > 65535 ? new Uint32Array(indices) : new Uint16Array(indices);
  const normalMatrix = new Matrix3();
  const v = new Vector3();
  const ranges: { start: number; count: number }[] = [];
  let vo = 0;
  let io = 0;
  for (const m of meshes) {
    const g = shapeOf(m);
    const pos = g.attributes.position!;
    const nor = g.attributes.normal;
    normalMatrix.getNormalMatrix(m.matrixWorld);
    for (let i = 0; i < pos.count; i++) {
      v.fromBufferAttribute(pos, i).applyMatrix4(m.matrixWorld);
      position[(vo + i) * 3] = v.x;
      position[(vo + i) * 3 + 1] = v.y;
      position[(vo + i) * 3 + 2] = v.z;
      if (nor) {
        v.fromBufferAttribute(nor, i).applyMatrix3(normalMatrix).normalize();
        normal[(vo + i) * 3] = v.x;
        normal[(vo + i) * 3 + 1] = v.y;
        normal[(vo + i) * 3 + 2] = v.z;
      }
    }
    if (g.index) for (let i = 0; i < g.index.count; i++) index[io++] = g.index.getX(i) + vo;
    else for (let i = 0; i < pos.count; i++) index[io++] = i + vo;
    ranges.push({ start: vo, count: pos.count });
    vo += pos.count;
  }
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(position, 3));
  geometry.setAttribute('normal', new BufferAttribute(normal, 3));
  geometry.setIndex(new BufferAttribute(index, 1));
  if (withColour) geometry.setAttribute('color', new BufferAttribute(new Float32Array(vertices * 3), 3));
  geometry.computeBoundingSphere();
  geometry.computeBoundingBox();
  return { geometry, ranges };
}

export function createInstancer(parent: Object3D): Instancer {
  const vertexSlots = new Map<Mesh, VertexSlot>();
  const moving: MovingSlot[] = [];
  const targets: MovingTarget[] = [];
  let drawCalls = 0;
  // Unlit: state colours must read the same under any light (and cost least per pixel).
  const paintMerged = new MeshBasicMaterial({ color: 0xffffff, toneMapped: false, vertexColors: true });
  // Lit colours baked per vertex: still tone-mapped, as the lit materials they stand in for.
  const bakedMerged = new MeshBasicMaterial({ color: 0xffffff, vertexColors: true });
  const colour = new Color();
  const normalMatrix = new Matrix3();
  const v = new Vector3();

  const writeColour = (slot: VertexSlot, c: Color): boolean => {
    const a = slot.colour;
    // The buffer holds float32: compare rounded, or every repaint would look like a change.
    const r = Math.fround(c.r);
    const g = Math.fround(c.g);
    const b = Math.fround(c.b);
    if (a.getX(slot.start) === r && a.getY(slot.start) === g && a.getZ(slot.start) === b) return false;
    for (let i = slot.start; i < slot.start + slot.count; i++) a.setXYZ(i, c.r, c.g, c.b);
    a.needsUpdate = true;
    return true;
  };

  /** Writes a moving mesh's shape, placed by its current world matrix, into its vertex range. */
  const place = (m: MovingSlot): void => {
    const pos = m.shape.attributes.position!;
    const nor = m.shape.attributes.normal!;
    const world = m.proxy.matrixWorld;
    normalMatrix.getNormalMatrix(world);
    const p = m.target.position.array as Float32Array;
    const n = m.target.normal.array as Float32Array;
    for (let i = 0, o = m.start * 3; i < pos.count; i++, o += 3) {
      v.fromBufferAttribute(pos, i).applyMatrix4(world);
      p[o] = v.x;
      p[o + 1] = v.y;
      p[o + 2] = v.z;
      v.fromBufferAttribute(nor, i).applyMatrix3(normalMatrix).normalize();
      n[o] = v.x;
      n[o + 1] = v.y;
      n[o + 2] = v.z;
    }
    m.target.dirty = true;
  };

  return {
    collect(roots, painted, options = {}) {
      const shapeOf = options.coarse ? (m: Mesh) => coarseShape(m.geometry, m.scale) : (m: Mesh) => m.geometry;
      const groups = new Map<string, { material: Material; meshes: Mesh[]; paint: boolean; animated: boolean; baked: boolean }>();
      for (const root of (Array.isArray(roots) ? roots : [roots]) as readonly Object3D[]) {
        root.updateMatrixWorld(true);
        root.traverse((o) => {
          if (!isMesh(o) || Array.isArray(o.material) || !o.visible || unmergedAncestor(o, root)) return;
          const paint = painted.has(o);
          const anim = animatedAncestor(o, root);
          const baked = !!options.bake && !paint && !anim && !o.material.transparent && !!(o.material as Shaded).color;
          const key = `${anim ? 'a' : 's'}|${paint ? 'paint' : baked ? 'baked' : o.material.uuid}|${o.castShadow ? 1 : 0}${o.receiveShadow ? 1 : 0}`;
          let g = groups.get(key);
          if (!g) groups.set(key, (g = { material: paint ? paintMerged : baked ? bakedMerged : o.material, meshes: [], paint, animated: anim, baked }));
          g.meshes.push(o);
        });
      }
      for (const g of groups.values()) {
        const first = g.meshes[0]!;
        if (!g.animated && g.meshes.length < 2 && !g.paint && !g.baked) continue; // nothing to gain
        const { geometry, ranges } = mergeMeshes(g.meshes, g.paint || g.baked, shapeOf);
        if (g.baked) bakeColours(g.meshes, geometry, ranges, options.bake!);
        const merged = new Mesh(geometry, g.material);
        merged.castShadow = first.castShadow;
        merged.receiveShadow = first.receiveShadow;
        merged.matrixAutoUpdate = false; // vertices are already in world space
        const position = geometry.attributes.position as BufferAttribute;
        const normal = geometry.attributes.normal as BufferAttribute;
        const target: MovingTarget = { position, normal, dirty: false };
        if (g.animated) {
          targets.push(target);
          position.setUsage(DynamicDrawUsage);
          normal.setUsage(DynamicDrawUsage);
          merged.frustumCulled = false; // its parts move: the bounds computed now do not hold
        }
        g.meshes.forEach((m, i) => {
          if (g.paint) {
            const slot = { colour: geometry.attributes.color as BufferAttribute, start: ranges[i]!.start, count: ranges[i]!.count };
            vertexSlots.set(m, slot);
            writeColour(slot, colour.copy((m.material as MeshBasicMaterial).color));
          }
          if (g.animated) {
            moving.push({ proxy: m, shape: shapeOf(m), start: ranges[i]!.start, target, last: m.matrixWorld.clone() });
            m.visible = false; // stays in the graph so its matrixWorld keeps updating
          } else if (m.children.length) {
            m.visible = false; // a glTF mesh can carry nodes (a spindle on its head): they stay, hidden with it
          } else {
            m.removeFromParent();
          }
        });
        parent.add(merged);
        drawCalls++;
      }
    },
    sync() {
      // Only parts that really moved are rewritten and re-uploaded (a stopped robot costs nothing).
      for (let i = 0; i < moving.length; i++) {
        const m = moving[i]!;
        if (m.last.equals(m.proxy.matrixWorld)) continue;
        m.last.copy(m.proxy.matrixWorld);
        place(m);
      }
      for (let i = 0; i < targets.length; i++) {
        const t = targets[i]!;
        if (!t.dirty) continue;
        t.position.needsUpdate = true;
        t.normal.needsUpdate = true;
        t.dirty = false;
      }
    },
    refresh(mesh) {
      const slot = vertexSlots.get(mesh);
      return slot ? writeColour(slot, colour.copy((mesh.material as MeshBasicMaterial).color)) : false;
    },
    drawCalls: () => drawCalls,
  };
}
