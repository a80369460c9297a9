// The animation loop: each frame calls tick(dt, time) on every updatable, then renders.
import type { Camera, Scene, WebGLRenderer } from 'three';
import type { CSS2DRenderer } from 'three/examples/jsm/renderers/CSS2DRenderer.js';

export interface Updatable {
  tick(dt: number, time: number): void;
}

export interface Loop {
  readonly updatables: Updatable[];
  start(): void;
  stop(): void;
  frames(): number;
  /** Frames per second over the last second of rendering. */
  fps(): number;
  /** Mean ms per frame spent in updatables, WebGL render and label render (over the last second). */
  cost(): { update: number; render: number; labels: number };
}

export function createLoop(camera: Camera, scene: Scene, renderer: WebGLRenderer, labels: CSS2DRenderer): Loop {
  const updatables: Updatable[] = [];
  let last = 0;
  let frames = 0;
  let windowStart = 0;
  let windowFrames = 0;
  let fps = 0;
  const acc = { update: 0, render: 0, labels: 0 };
  const mean = { update: 0, render: 0, labels: 0 };
  const frame = (now: number) => {
    // Capped at 1 s: parts on belts keep real time on slow renderers, without a jump after a hidden tab.
    const dt = last ? Math.min(1, (now - last) / 1000) : 0;
    last = now;
    const time = now / 1000;
    const t0 = performance.now();
    for (let i = 0; i < updatables.length; i++) updatables[i]!.tick(dt, time);
    const t1 = performance.now();
    renderer.render(scene, camera);
    const t2 = performance.now();
    labels.render(scene, camera);
    const t3 = performance.now();
    acc.update += t1 - t0;
    acc.render += t2 - t1;
    acc.labels += t3 - t2;
    frames++;
    windowFrames++;
    if (now - windowStart >= 1000) {
      fps = (windowFrames * 1000) / (now - windowStart);
      mean.update = acc.update / windowFrames;
      mean.render = acc.render / windowFrames;
      mean.labels = acc.labels / windowFrames;
      acc.update = acc.render = acc.labels = 0;
      windowStart = now;
      windowFrames = 0;
    }
  };
  return {
    updatables,
    start: () => renderer.setAnimationLoop(frame),
    stop: () => {
      renderer.setAnimationLoop(null);
      last = 0;
    },
    frames: () => frames,
    fps: () => fps,
    cost: () => mean,
  };
}
