import type { PerspectiveCamera, WebGLRenderer } from 'three';
import type { CSS2DRenderer } from 'three/examples/jsm/renderers/CSS2DRenderer.js';
import { pixelRatioFor, type RenderQuality } from './renderer.js';

/** Keeps camera and both renderers sized to the container; returns a disposer. */
export function createResizer(container: HTMLElement, camera: PerspectiveCamera, renderer: WebGLRenderer, labels: CSS2DRenderer, quality: RenderQuality, onResize?: () => void): () => void {
  const apply = () => {
    const w = Math.max(1, container.clientWidth);
    const h = Math.max(1, container.clientHeight);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    renderer.setPixelRatio(pixelRatioFor(quality, w, h, window.devicePixelRatio));
    renderer.setSize(w, h);
    labels.setSize(w, h);
    onResize?.();
  };
  apply();
  const observer = new ResizeObserver(apply);
  observer.observe(container);
  return () => observer.disconnect();
}
