import { PerspectiveCamera, Vector3, type Box3 } from 'three';

export function createCamera(): PerspectiveCamera {
  return new PerspectiveCamera(30, 1, 0.1, 600);
}

/** Places the camera in front of and above the line so the whole line fits the view. */
export function frameBounds(camera: PerspectiveCamera, bounds: Box3, target: Vector3): void {
  bounds.getCenter(target);
  target.y = 1.2;
  const size = new Vector3();
  bounds.getSize(size);
  const halfW = size.x / 2 + 3;
  const halfD = size.z / 2 + 2;
  const vfov = (camera.fov * Math.PI) / 180;
  const hfov = 2 * Math.atan(Math.tan(vfov / 2) * camera.aspect);
  const dist = Math.max(halfW / Math.tan(hfov / 2), (halfD + 4) / Math.tan(vfov / 2), 12) * 1.05;
  // 36° elevation, slightly from the line's start: the view a supervisor gets from a mezzanine.
  const elev = (36 * Math.PI) / 180;
  const az = (-10 * Math.PI) / 180;
  camera.position.set(
    target.x + Math.sin(az) * Math.cos(elev) * dist,
    target.y + Math.sin(elev) * dist,
    target.z + Math.cos(az) * Math.cos(elev) * dist,
  );
  camera.lookAt(target);
  camera.updateProjectionMatrix();
}
