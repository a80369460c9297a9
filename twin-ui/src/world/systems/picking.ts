// Hover and click on machines. Each machine is picked by its bounding box (cheap, and the
// whole machine is the target, not a thin robot arm). The ray is cast at most once per frame,
// only when the pointer moved; a drag (orbit/pan) is not a click.
import { Raycaster, Vector2, Vector3, type Box3, type PerspectiveCamera } from 'three';

export interface Pickable {
  id: string;
  box: Box3;
}

export interface Picking {
  tick(): void;
  hovered(): string | null;
  dispose(): void;
}

export function createPicking(
  dom: HTMLElement,
  camera: PerspectiveCamera,
  pickables: () => readonly Pickable[],
  onHover: (id: string | null) => void,
  onSelect: (id: string | null) => void,
): Picking {
  const raycaster = new Raycaster();
  const ndc = new Vector2();
  const hit = new Vector3();
  let moved = false;
  let inside = false;
  let hovered: string | null = null;
  let downX = 0;
  let downY = 0;

  const toNdc = (e: PointerEvent) => {
    const r = dom.getBoundingClientRect();
    ndc.set(((e.clientX - r.left) / r.width) * 2 - 1, -((e.clientY - r.top) / r.height) * 2 + 1);
  };
  const pick = (): string | null => {
    raycaster.setFromCamera(ndc, camera);
    let best: string | null = null;
    let bestDist = Infinity;
    for (const p of pickables()) {
      if (raycaster.ray.intersectBox(p.box, hit)) {
        const d = hit.distanceToSquared(raycaster.ray.origin);
        if (d < bestDist) {
          bestDist = d;
          best = p.id;
        }
      }
    }
    return best;
  };
  const onMove = (e: PointerEvent) => {
    toNdc(e);
    moved = true;
    inside = true;
  };
  const onLeave = () => {
    inside = false;
    moved = true;
  };
  const onDown = (e: PointerEvent) => {
    downX = e.clientX;
    downY = e.clientY;
  };
  const onUp = (e: PointerEvent) => {
    if (e.button !== 0 || Math.hypot(e.clientX - downX, e.clientY - downY) > 5) return;
    toNdc(e);
    onSelect(pick());
  };
  dom.addEventListener('pointermove', onMove);
  dom.addEventListener('pointerleave', onLeave);
  dom.addEventListener('pointerdown', onDown);
  dom.addEventListener('pointerup', onUp);

  return {
    tick() {
      if (!moved) return;
      moved = false;
      const id = inside ? pick() : null;
      if (id !== hovered) {
        hovered = id;
        dom.style.cursor = id ? 'pointer' : '';
        onHover(id);
      }
    },
    hovered: () => hovered,
    dispose() {
      dom.removeEventListener('pointermove', onMove);
      dom.removeEventListener('pointerleave', onLeave);
      dom.removeEventListener('pointerdown', onDown);
      dom.removeEventListener('pointerup', onUp);
    },
  };
}
