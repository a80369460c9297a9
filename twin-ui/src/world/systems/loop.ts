// The animation loop, rendering on demand: each animation frame calls tick(dt, time) on every
// updatable, and draws only if one of them changed the scene (a moving robot, a part on a belt,
// a blinking andon, the camera) or someone called invalidate() (state colours, selection,
// resize). A line at rest costs nothing; on a CPU rasteriser that is the difference between a
// responsive page and one that burns both cores redrawing the same picture.
// Labels (DOM) are re-placed only when the camera moved or the view changed: they hang on
// machines that never move.
import { Matrix4, type Camera, type Scene, type WebGLRenderer } from 'three';
import type { CSS2DRenderer } from 'three/examples/jsm/renderers/CSS2DRenderer.js';

export interface Updatable {
  /** Advances by dt seconds; returns true if it changed something visible. */
  tick(dt: number, time: number): boolean | void;
}

export interface Loop {
  readonly updatables: Updatable[];
  start(): void;
  stop(): void;
  /** Asks for a frame: something changed outside the updatables (colours, sizes, visibility). */
  invalidate(): void;
  /** Asks for a frame that also re-places the labels (a view change). */
  invalidateView(): void;
  /** Hook called just before labels are placed (label culling); true = placement changed. */
  beforeLabels: (() => void) | null;
  frames(): number;
  /** Frames drawn per second over the last second (0 when at rest: nothing to draw). */
  fps(): number;
  /** Mean ms per drawn frame spent in updatables, WebGL render and label render (last second). */
  cost(): { update: number; render: number; labels: number };
}

// After start and every invalidateView, draw a few frames unconditionally: shader compilation,
// late layout and the first label placement settle without anyone having to ask.
const SETTLE_FRAMES = 3;

export function createLoop(camera: Camera, scene: Scene, renderer: WebGLRenderer, labels: CSS2DRenderer): Loop {
  const updatables: Updatable[] = [];
  let last = 0;
  let frames = 0;
  let windowStart = 0;
  let windowFrames = 0;
  let fps = 0;
  let dirty = true;
  let viewDirty = true;
  let settle = SETTLE_FRAMES;
  const lastView = new Matrix4();
  const lastProjection = new Matrix4();
  const acc = { update: 0, render: 0, labels: 0 };
  const mean = { update: 0, render: 0, labels: 0 };
  const loop: Loop = {
    updatables,
    beforeLabels: null,
    start: () => {
      settle = SETTLE_FRAMES;
      renderer.setAnimationLoop(frame);
    },
    stop: () => {
      renderer.setAnimationLoop(null);
      last = 0;
    },
    invalidate: () => {
      dirty = true;
    },
    invalidateView: () => {
      dirty = true;
      viewDirty = true;
      settle = Math.max(settle, 1);
    },
    frames: () => frames,
    fps: () => fps,
    cost: () => mean,
  };
  function frame(now: number): void {
    // Capped at 1 s: parts on belts keep real time on slow renderers, without a jump after a hidden tab.
    const dt = last ? Math.min(1, (now - last) / 1000) : 0;
    last = now;
    const time = now / 1000;
    const t0 = performance.now();
    let changed = dirty || settle > 0;
    for (let i = 0; i < updatables.length; i++) if (updatables[i]!.tick(dt, time) === true) changed = true;
    if (now - windowStart >= 1000) {
      fps = (windowFrames * 1000) / (now - windowStart);
      mean.update = windowFrames ? acc.update / windowFrames : 0;
      mean.render = windowFrames ? acc.render / windowFrames : 0;
      mean.labels = windowFrames ? acc.labels / windowFrames : 0;
      acc.update = acc.render = acc.labels = 0;
      windowStart = now;
      windowFrames = 0;
    }
    if (!changed) return;
    dirty = false;
    if (settle > 0) settle--;
    const t1 = performance.now();
    renderer.render(scene, camera);
    const t2 = performance.now();
    // render() brought the camera's matrices up to date; compare without allocating.
    if (viewDirty || settle > 0 || !lastView.equals(camera.matrixWorld) || !lastProjection.equals(camera.projectionMatrix)) {
      viewDirty = false;
      lastView.copy(camera.matrixWorld);
      lastProjection.copy(camera.projectionMatrix);
      loop.beforeLabels?.();
      labels.render(scene, camera);
    }
    const t3 = performance.now();
    acc.update += t1 - t0;
    acc.render += t2 - t1;
    acc.labels += t3 - t2;
    frames++;
    windowFrames++;
  }
  return loop;
}
