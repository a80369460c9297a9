// Workshop lighting: a bright sky/ground fill (high-bay lamps) plus one key light with shadows.
import { DirectionalLight, HemisphereLight, type Box3, type Object3D } from 'three';

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
