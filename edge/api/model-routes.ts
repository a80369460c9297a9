// GET /api/models/<file>: the plant's own 3D models (glTF/GLB and the buffers and textures a
// .gltf names) from the models folder beside the plant file, for the twin (issue 21).
// Only names of the shared MODEL_FILE_PATTERN (one or two plain segments, no "..") with an
// extension of the list below are served, and only files that really lie inside the folder
// after symlinks are resolved; a file over MAX_MODEL_BYTES is refused rather than streamed.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { MODEL_FILE_PATTERN } from '../../shared/machine-visual.js';
import { apiRoute } from './api-route.js';
import { ApiFailure } from './validation.js';

/** A plant model is a few MB; a CAD export of a whole cell can be tens. Above this, decimate it. */
export const MAX_MODEL_BYTES = 64 * 1024 * 1024;

export const MODEL_CONTENT_TYPES: Record<string, string> = {
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ktx2': 'image/ktx2',
};

const ModelPath = z.strictObject({
  '*': z
    .string()
    .max(160)
    .regex(MODEL_FILE_PATTERN, 'a file in the models folder: one or two plain path segments, no ".."')
    .refine((f) => extname(f).toLowerCase() in MODEL_CONTENT_TYPES, `served types: ${Object.keys(MODEL_CONTENT_TYPES).join(', ')}`)
    .describe('file in the models folder, e.g. cnc-mill.glb'),
});

export interface ModelRoutesOptions {
  /** The models folder (absolute); null: this edge has none, every request is a 404 saying where to put one. */
  modelsDir: string | null;
}

export const modelRoutes: FastifyPluginAsync<ModelRoutesOptions> = async (app, o) => {
  app.route(apiRoute({
    method: 'GET', url: '/api/models/*', access: 'operator', tag: 'models',
    summary: 'A 3D model file (glTF/GLB, its buffers and textures) from the plant\'s models folder', params: ModelPath,
    responses: {
      200: { description: 'the file', contentType: 'model/gltf-binary' },
      404: { description: 'no such file in the models folder', schema: ApiErrorSchema },
      413: { description: 'the file is larger than the edge serves', schema: ApiErrorSchema },
    },
  }, async ({ params, reply }) => {
    const name = params['*'];
    if (!o.modelsDir) throw new ApiFailure(404, 'not-found', 'this edge has no models folder: put .glb files in a "models" folder beside the plant file', { field: '*' });
    const file = await insideFolder(o.modelsDir, name);
    if (!file) throw new ApiFailure(404, 'not-found', `no model "${name}" in the models folder (${o.modelsDir})`, { field: '*' });
    const info = await stat(file);
    if (!info.isFile()) throw new ApiFailure(404, 'not-found', `"${name}" is not a file`, { field: '*' });
    if (info.size > MAX_MODEL_BYTES) {
      throw new ApiFailure(413, 'too-large', `"${name}" is ${Math.round(info.size / 1e6)} MB, over the ${MAX_MODEL_BYTES / 1024 / 1024} MiB the edge serves: decimate it or compress it (Draco or meshopt)`, { field: '*' });
    }
    return reply
      .header('content-type', MODEL_CONTENT_TYPES[extname(file).toLowerCase()]!)
      .header('content-length', String(info.size))
      .header('cache-control', 'private, max-age=300')
      .send(createReadStream(file));
  }));
};

/** The real path of `name` under `dir`, or null if it does not exist or resolves outside it (a symlink out). */
async function insideFolder(dir: string, name: string): Promise<string | null> {
  try {
    const root = await realpath(dir);
    const file = await realpath(join(root, name));
    return file.startsWith(root + sep) ? file : null;
  } catch {
    return null;
  }
}
