// Turns the many small meshes of a plant into a few InstancedMeshes. The components stay
// simple (plain meshes from shared geometry + shared material); after the scene is built,
// meshes that share a geometry and a material collapse into one draw call:
//  - static meshes are copied once and removed from the graph;
//  - animated meshes (under an ancestor with userData.animated) stay in the graph, invisible,
//    as proxies whose world matrices are copied into their instance every frame;
//  - painted meshes (state colours: accents, andon lamps, floor tape) are keyed by geometry
//    alone and take their colour per instance from whatever material the world assigns them.
// A 200-machine plant goes from ~8000 draw calls to a few dozen.
import { Color, InstancedMesh, Matrix4, MeshBasicMaterial, type BufferGeometry, type Material, type Mesh, type Object3D } from 'three';

interface Slot {
  bucket: InstancedMesh;
  index: number;
}

export interface Instancer {
  /** Collapses the meshes under `root`; `painted` meshes get per-instance colours. */
  collect(root: Object3D, painted: ReadonlySet<Mesh>): void;
  /** Copies animated proxies' world matrices into their instances (call after animating). */
  sync(): void;
  /** Re-reads a painted mesh's material colour into its instance. */
  refresh(mesh: Mesh): void;
  drawCalls(): number;
}

function isMesh(o: Object3D): o is Mesh {
  return (o as Mesh).isMesh === true && !(o as InstancedMesh).isInstancedMesh;
}

function animatedAncestor(o: Object3D, stop: Object3D): boolean {
  for (let p: Object3D | null = o; p && p !== stop; p = p.parent) if (p.userData.animated) return true;
  return false;
}

export function createInstancer(parent: Object3D): Instancer {
  const slots = new Map<Mesh, Slot>();
  const animated: { proxy: Mesh; slot: Slot }[] = [];
  const buckets: InstancedMesh[] = [];
  const animatedBuckets: InstancedMesh[] = [];
  const paintMaterial = new MeshBasicMaterial({ color: 0xffffff, toneMapped: false });
  const colour = new Color();

  return {
    collect(root, painted) {
      root.updateMatrixWorld(true);
      const groups = new Map<string, { geometry: BufferGeometry; material: Material; meshes: Mesh[]; paint: boolean; animated: boolean }>();
      root.traverse((o) => {
        if (!isMesh(o) || Array.isArray(o.material) || !o.visible) return;
        const paint = painted.has(o);
        const anim = animatedAncestor(o, root);
        const key = `${o.geometry.uuid}|${paint ? 'paint' : o.material.uuid}|${anim ? 'a' : 's'}|${o.castShadow ? 1 : 0}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { geometry: o.geometry, material: paint ? paintMaterial : o.material, meshes: [], paint, animated: anim }));
        g.meshes.push(o);
      });
      for (const g of groups.values()) {
        if (g.meshes.length < 2 && !g.paint) continue; // nothing to gain
        const bucket = new InstancedMesh(g.geometry, g.material, g.meshes.length);
        bucket.castShadow = g.meshes[0]!.castShadow;
        bucket.receiveShadow = g.meshes[0]!.receiveShadow;
        g.meshes.forEach((m, i) => {
          bucket.setMatrixAt(i, m.matrixWorld as Matrix4);
          const slot = { bucket, index: i };
          if (g.paint) {
            slots.set(m, slot);
            bucket.setColorAt(i, colour.copy((m.material as MeshBasicMaterial).color));
          }
          if (g.animated) {
            animated.push({ proxy: m, slot });
            m.visible = false; // stays in the graph so its matrixWorld keeps updating
          } else {
            m.removeFromParent();
          }
        });
        bucket.frustumCulled = !g.animated;
        if (g.animated) animatedBuckets.push(bucket);
        bucket.computeBoundingSphere();
        buckets.push(bucket);
        parent.add(bucket);
      }
    },
    sync() {
      for (let i = 0; i < animated.length; i++) {
        const a = animated[i]!;
        a.slot.bucket.setMatrixAt(a.slot.index, a.proxy.matrixWorld);
      }
      for (let i = 0; i < animatedBuckets.length; i++) animatedBuckets[i]!.instanceMatrix.needsUpdate = true;
    },
    refresh(mesh) {
      const slot = slots.get(mesh);
      if (!slot) return;
      slot.bucket.setColorAt(slot.index, colour.copy((mesh.material as MeshBasicMaterial).color));
      if (slot.bucket.instanceColor) slot.bucket.instanceColor.needsUpdate = true;
    },
    drawCalls: () => buckets.length,
  };
}
