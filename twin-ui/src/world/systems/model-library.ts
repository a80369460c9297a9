// Loads the plant's own glTF/GLB models from the edge (GET api/models/<file>), each file once:
// every machine of a model gets a clone that shares the loaded geometries and materials, so 200
// presses cost one set of GPU buffers. The loaders (and the Draco/meshopt decoders, bundled with
// the twin — no CDN on a shop floor) are fetched only when a plant names a model.
import type { Object3D } from 'three';

export interface ModelLibrary {
  /** A new instance of the model in `file` (shared geometry and materials); rejects with a message naming the file. */
  instance(file: string): Promise<Object3D>;
}

type Loader = { loadAsync(url: string): Promise<{ scene: Object3D }> };

export function createModelLibrary(base: string = document.baseURI): ModelLibrary {
  const scenes = new Map<string, Promise<Object3D>>();
  let loader: Promise<Loader> | null = null;

  const makeLoader = async (): Promise<Loader> => {
    const [{ GLTFLoader }, { DRACOLoader }, { MeshoptDecoder }] = await Promise.all([
      import('three/examples/jsm/loaders/GLTFLoader.js'),
      import('three/examples/jsm/loaders/DRACOLoader.js'),
      import('three/examples/jsm/libs/meshopt_decoder.module.js'),
    ]);
    // Its default decoder paths are `new URL(…, import.meta.url)` files of three: Vite copies them
    // into the build (dist/twin-ui/assets/draco_*), so the decoder comes from the edge, not a CDN.
    const draco = new DRACOLoader();
    const gltf = new GLTFLoader();
    gltf.setDRACOLoader(draco);
    gltf.setMeshoptDecoder(MeshoptDecoder);
    return gltf;
  };

  return {
    instance(file) {
      let scene = scenes.get(file);
      if (!scene) {
        loader ??= makeLoader();
        const url = new URL(`api/models/${file.split('/').map(encodeURIComponent).join('/')}`, base).href;
        scene = loader.then((l) => l.loadAsync(url)).then(
          (g) => g.scene,
          (err: unknown) => {
            throw new Error(`model ${file} did not load (${err instanceof Error ? err.message : String(err)}): is it in the models folder beside the plant file?`);
          },
        );
        scenes.set(file, scene);
      }
      // Object3D.clone copies the node tree but keeps the meshes' geometry and material objects.
      return scene.then((s) => s.clone(true));
    },
  };
}
