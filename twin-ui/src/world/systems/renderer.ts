import { ACESFilmicToneMapping, PCFShadowMap, SRGBColorSpace, WebGLRenderer } from 'three';
import { CSS2DRenderer } from 'three/examples/jsm/renderers/CSS2DRenderer.js';

export interface WebglProbe {
  available: boolean;
  /** A CPU rasteriser (SwiftShader, llvmpipe): draw cheaply so the view stays responsive. */
  software: boolean;
  renderer: string;
}

/** Can this browser give three.js a WebGL 2 context, and is it a real GPU? */
export function probeWebgl(): WebglProbe {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2');
    if (!gl) return { available: false, software: false, renderer: 'none' };
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, software: /swiftshader|llvmpipe|software|basic render/i.test(renderer), renderer };
  } catch {
    return { available: false, software: false, renderer: 'none' };
  }
}

export interface RenderQuality {
  shadows: boolean;
  antialias: boolean;
  maxPixelRatio: number;
  /** Upper bound on drawing-buffer pixels; the canvas is stretched to the view above it. */
  maxRenderPixels: number;
  /** PBR materials; Lambert when false (far cheaper per pixel on CPU rasterisers). */
  physicalMaterials: boolean;
  /** The floor drawn unlit in its lit colours (no shadows can fall on it then). */
  bakedFloor: boolean;
  /** From this many machines on, shapes are drawn coarse (fewer triangles; a plant that large
   *  is seen from afar). */
  coarseShapesFrom: number;
}

export const HIGH_QUALITY: RenderQuality = { shadows: true, antialias: true, maxPixelRatio: 2, maxRenderPixels: Infinity, physicalMaterials: true, bakedFloor: false, coarseShapesFrom: Infinity };
// A CPU rasteriser pays for every pixel: 0.36 Mpx (a 1280×720 page draws at ~0.7 of its size,
// stretched) keeps a frame affordable at any window size; the labels stay sharp (DOM). On the
// demo line this roughly halves SwiftShader's time per frame against 0.5 Mpx (bench at 0.3 Mpx:
// 26 vs 53 ms).
// A CPU rasteriser's time also grows with triangles: a 200-machine plant's full shapes (~130k)
// cost SwiftShader ~50 ms a frame more than its coarse ones (~67k). The demo line (3k triangles,
// a frame is mostly pixels) keeps its full shapes.
export const LOW_QUALITY: RenderQuality = { shadows: false, antialias: false, maxPixelRatio: 1, maxRenderPixels: 360_000, physicalMaterials: false, bakedFloor: true, coarseShapesFrom: 30 };

/** Pixel ratio for a view of w×h CSS pixels within the quality's limits. */
export function pixelRatioFor(quality: RenderQuality, w: number, h: number, devicePixelRatio: number): number {
  const byPixels = Math.sqrt(quality.maxRenderPixels / Math.max(1, w * h));
  return Math.min(devicePixelRatio, quality.maxPixelRatio, byPixels);
}

export function createRenderer(quality: RenderQuality): WebGLRenderer {
  // preserveDrawingBuffer lets tests and screenshots read pixels back after a frame.
  const renderer = new WebGLRenderer({ antialias: quality.antialias, preserveDrawingBuffer: true, powerPreference: 'high-performance' });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, quality.maxPixelRatio));
  renderer.outputColorSpace = SRGBColorSpace;
  renderer.toneMapping = ACESFilmicToneMapping;
  renderer.toneMappingExposure = 1.0;
  renderer.shadowMap.enabled = quality.shadows;
  renderer.shadowMap.type = PCFShadowMap;
  renderer.domElement.className = 'twin-canvas';
  return renderer;
}

export function createLabelRenderer(): CSS2DRenderer {
  const labels = new CSS2DRenderer();
  labels.domElement.className = 'twin-labels';
  return labels;
}
