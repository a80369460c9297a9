// Workshop lighting: a bright sky/ground fill (high-bay lamps) plus one key light with shadows.
import { DirectionalLight, HemisphereLight, Vector3, type Box3, type Color, type Object3D } from 'three';

export function createLights(bounds: Box3, shadows: boolean): Object3D[] {
  const hemi = new HemisphereLight(0xe8f0ff, 0x3a3f46, 2.0);
  const key = new DirectionalLight(0xfff6e8, 2.6);
  const cx = (bounds.min.x + bounds.max.x) / 2;
  const cz = (bounds.min.z + bounds.max.z) / 2;
  const span = Math.max(bounds.max.x - bounds.min.x, bounds.max.z - bounds.min.z) / 2 + 6;
  key.position.set(cx - span * 0.4, 22, cz + span * 0.7);
  key.target.position.set(cx, 0, cz);
  key.castShadow = shadows;
  if (shadows) {
    key.shadow.mapSize.set(2048, 2048);
    const cam = key.shadow.camera;
    cam.left = -span; cam.right = span; cam.top = span; cam.bottom = -span;
    cam.near = 1; cam.far = 80;
    key.shadow.bias = -0.0005;
    key.shadow.normalBias = 0.02;
  }
  const fill = new DirectionalLight(0xcfe0ff, 0.8);
  fill.position.set(cx + span, 10, cz - span);
  return [hemi, key, key.target, fill];
}

/**
 * The colour three.js's Lambert shading gives a surface of colour `albedo` facing `normal` (unit,
 * world space) under these lights (linear colours; hemisphere and directional lights, no
 * shadows), written into `out`: lets static surfaces be drawn unlit with the lit colour baked in,
 * looking the same, at a fraction of the cost per pixel on a CPU rasteriser. No allocation.
 */
export function litColour(lights: readonly Object3D[], albedo: Color, normal: Vector3, out: Color): Color {
  let r = 0;
  let g = 0;
  let b = 0;
  for (const l of lights) {
    if (l instanceof HemisphereLight) {
      // Irradiance = mix(ground, sky, 0.5·(n·d) + 0.5) · intensity.
      const w = 0.5 * normal.dot(scratch.copy(l.position).normalize()) + 0.5;
      r += (l.groundColor.r + (l.color.r - l.groundColor.r) * w) * l.intensity;
      g += (l.groundColor.g + (l.color.g - l.groundColor.g) * w) * l.intensity;
      b += (l.groundColor.b + (l.color.b - l.groundColor.b) * w) * l.intensity;
    } else if (l instanceof DirectionalLight) {
      const nl = Math.max(0, normal.dot(scratch.subVectors(l.position, l.target.position).normalize()));
      r += l.color.r * l.intensity * nl;
      g += l.color.g * l.intensity * nl;
      b += l.color.b * l.intensity * nl;
    }
  }
  // BRDF_Lambert = albedo / π.
  return out.setRGB((albedo.r * r) / Math.PI, (albedo.g * g) / Math.PI, (albedo.b * b) / Math.PI);
}

const scratch = new Vector3();
const UP = new Vector3(0, 1, 0);

/** litColour for an upward-facing surface (the floor). Writes into albedo. */
export function litFromAbove(lights: readonly Object3D[], albedo: Color): Color {
  return litColour(lights, albedo, UP, albedo);
}
