// Turns the many small meshes of a plant into a few draw calls. The components stay simple
// (plain meshes from shared geometry + shared material); after the scene is built:
//  - static meshes are baked (transformed vertices) into one merged mesh per material and
//    removed from the graph;
//  - painted static meshes (state colours: accents, andon lamps, floor tape) are baked into one
//    merged mesh with per-vertex colours, rewritten from whatever material the world assigns;
//  - animated meshes (under an ancestor with userData.animated) stay in the graph, invisible,
//    as proxies whose world matrices are copied into an InstancedMesh every frame they move.
// Why merge rather than instance the static parts: a GPU draws either in one call, but a CPU
// rasteriser (SwiftShader) pays a fixed cost per instance — 4,000 instanced boxes cost it about
// 200 ms a frame, the same triangles merged about 20 ms. A 200-machine plant draws in ~30 calls.
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  InstancedMesh,
  Matrix3,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  Vector3,
  type Material,
  type Object3D,
} from 'three';

interface InstanceSlot {
  bucket: InstancedMesh;
  index: number;
}

interface VertexSlot {
  colour: BufferAttribute;
  start: number;
  count: number;
}

export interface Instancer {
  /** Collapses the meshes under `root`; `painted` meshes get per-instance/per-vertex colours. */
  collect(root: Object3D, painted: ReadonlySet<Mesh>): void;
  /** Copies animated proxies' world matrices into their instances (call after animating). */
  sync(): void;
  /** Re-reads a painted mesh's material colour; returns whether anything visible changed. */
  refresh(mesh: Mesh): boolean;
  drawCalls(): number;
}

function isMesh(o: Object3D): o is Mesh {
  return (o as Mesh).isMesh === true && !(o as InstancedMesh).isInstancedMesh;
}

function animatedAncestor(o: Object3D, stop: Object3D): boolean {
  for (let p: Object3D | null = o; p && p !== stop; p = p.parent) if (p.userData.animated) return true;
  return false;
}

/** One geometry holding every mesh's triangles in world space (positions and normals). */
function mergeMeshes(meshes: readonly Mesh[], withColour: boolean): { geometry: BufferGeometry; ranges: { start: number; count: number }[] } {
  let vertices = 0;
  let indices = 0;
  for (const m of meshes) {
    vertices += m.geometry.attributes.position!.count;
    indices += m.geometry.index ? m.geometry.index.count : m.geometry.attributes.position!.count;
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
    const g = m.geometry;
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
  const instanceSlots = new Map<Mesh, InstanceSlot>();
  const vertexSlots = new Map<Mesh, VertexSlot>();
  const animated: { proxy: Mesh; slot: InstanceSlot; last: Matrix4 }[] = [];
  const animatedBuckets: InstancedMesh[] = [];
  let drawCalls = 0;
  // Unlit: state colours must read the same under any light (and cost least per pixel).
  const paintInstanced = new MeshBasicMaterial({ color: 0xffffff, toneMapped: false });
  const paintMerged = new MeshBasicMaterial({ color: 0xffffff, toneMapped: false, vertexColors: true });
  const colour = new Color();

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

  return {
    collect(root, painted) {
      root.updateMatrixWorld(true);
      const groups = new Map<string, { material: Material; meshes: Mesh[]; paint: boolean; animated: boolean }>();
      root.traverse((o) => {
        if (!isMesh(o) || Array.isArray(o.material) || !o.visible) return;
        const paint = painted.has(o);
        const anim = animatedAncestor(o, root);
        // Instancing needs one geometry per bucket; merging takes any geometry of a material.
        const key = `${anim ? `a|${o.geometry.uuid}` : 's'}|${paint ? 'paint' : o.material.uuid}|${o.castShadow ? 1 : 0}${o.receiveShadow ? 1 : 0}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { material: paint ? paintInstanced : o.material, meshes: [], paint, animated: anim }));
        g.meshes.push(o);
      });
      for (const g of groups.values()) {
        const first = g.meshes[0]!;
        if (g.animated) {
          const bucket = new InstancedMesh(first.geometry, g.material, g.meshes.length);
          bucket.castShadow = first.castShadow;
          bucket.receiveShadow = first.receiveShadow;
          g.meshes.forEach((m, i) => {
            bucket.setMatrixAt(i, m.matrixWorld);
            const slot = { bucket, index: i };
            if (g.paint) {
              instanceSlots.set(m, slot);
              bucket.setColorAt(i, colour.copy((m.material as MeshBasicMaterial).color));
            }
            animated.push({ proxy: m, slot, last: m.matrixWorld.clone() });
            m.visible = false; // stays in the graph so its matrixWorld keeps updating
          });
          bucket.frustumCulled = false;
          animatedBuckets.push(bucket);
          parent.add(bucket);
        } else {
          if (g.meshes.length < 2 && !g.paint) continue; // nothing to gain
          const { geometry, ranges } = mergeMeshes(g.meshes, g.paint);
          const merged = new Mesh(geometry, g.paint ? paintMerged : g.material);
          merged.castShadow = first.castShadow;
          merged.receiveShadow = first.receiveShadow;
          merged.matrixAutoUpdate = false; // vertices are already in world space
          g.meshes.forEach((m, i) => {
            if (g.paint) {
              const slot = { colour: geometry.attributes.color as BufferAttribute, start: ranges[i]!.start, count: ranges[i]!.count };
              vertexSlots.set(m, slot);
              writeColour(slot, colour.copy((m.material as MeshBasicMaterial).color));
            }
            m.removeFromParent();
          });
          parent.add(merged);
        }
        drawCalls++;
      }
    },
    sync() {
      // Only buckets whose proxies really moved are re-uploaded (a stopped robot costs nothing).
      for (let i = 0; i < animated.length; i++) {
        const a = animated[i]!;
        if (a.last.equals(a.proxy.matrixWorld)) continue;
        a.last.copy(a.proxy.matrixWorld);
        a.slot.bucket.setMatrixAt(a.slot.index, a.proxy.matrixWorld);
        a.slot.bucket.instanceMatrix.needsUpdate = true;
      }
    },
    refresh(mesh) {
      const c = colour.copy((mesh.material as MeshBasicMaterial).color);
      const v = vertexSlots.get(mesh);
      if (v) return writeColour(v, c);
      const slot = instanceSlots.get(mesh);
      if (!slot) return false;
      slot.bucket.setColorAt(slot.index, c);
      if (slot.bucket.instanceColor) slot.bucket.instanceColor.needsUpdate = true;
      return true;
    },
    drawCalls: () => drawCalls,
  };
}
