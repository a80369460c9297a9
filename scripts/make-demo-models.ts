// Writes the demo plant's own 3D model, config/models/machining-centre.glb (issue 21): a
// vertical machining centre built from boxes and cylinders, with two named nodes the plant
// file ties to tags — "Spindle" (turns with spindleSpeed) and "Door" (slides open when the
// spindle stands) — and the same model meshopt-compressed (EXT_meshopt_compression), which
// the twin must decode. A plain GLB writer, no exporter: the files are small, deterministic
// and made by a script. Run: npx tsx scripts/make-demo-models.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshoptEncoder } from 'meshoptimizer';

type V3 = [number, number, number];
interface Shape { positions: number[]; normals: number[]; indices: number[] }
interface NodeSpec { name: string; translation?: V3; shape?: Shape; material?: number; children?: NodeSpec[] }

/** An axis-aligned box of size w×h×d centred on its origin (24 vertices: flat normals). */
function box(w: number, h: number, d: number): Shape {
  const s: Shape = { positions: [], normals: [], indices: [] };
  const faces: { n: V3; u: V3; v: V3 }[] = [
    { n: [1, 0, 0], u: [0, 0, -1], v: [0, 1, 0] }, { n: [-1, 0, 0], u: [0, 0, 1], v: [0, 1, 0] },
    { n: [0, 1, 0], u: [1, 0, 0], v: [0, 0, -1] }, { n: [0, -1, 0], u: [1, 0, 0], v: [0, 0, 1] },
    { n: [0, 0, 1], u: [1, 0, 0], v: [0, 1, 0] }, { n: [0, 0, -1], u: [-1, 0, 0], v: [0, 1, 0] },
  ];
  const half: V3 = [w / 2, h / 2, d / 2];
  for (const f of faces) {
    const base = s.positions.length / 3;
    for (const [a, b] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
      for (let k = 0; k < 3; k++) s.positions.push((f.n[k]! + f.u[k]! * a + f.v[k]! * b) * half[k]!);
      s.normals.push(...f.n);
    }
    s.indices.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  return s;
}

/** A vertical cylinder (axis y) of radius r and height h centred on its origin. */
function cylinder(r: number, h: number, segments = 24): Shape {
  const s: Shape = { positions: [], normals: [], indices: [] };
  for (let i = 0; i <= segments; i++) {
    const a = (i / segments) * Math.PI * 2;
    const x = Math.cos(a);
    const z = -Math.sin(a);
    s.positions.push(r * x, -h / 2, r * z, r * x, h / 2, r * z);
    s.normals.push(x, 0, z, x, 0, z);
  }
  for (let i = 0; i < segments; i++) {
    const a = i * 2;
    s.indices.push(a, a + 2, a + 1, a + 1, a + 2, a + 3);
  }
  for (const [y, ny] of [[h / 2, 1], [-h / 2, -1]] as const) {
    const centre = s.positions.length / 3;
    s.positions.push(0, y, 0);
    s.normals.push(0, ny, 0);
    for (let i = 0; i <= segments; i++) {
      const a = (i / segments) * Math.PI * 2;
      s.positions.push(r * Math.cos(a), y, -r * Math.sin(a));
      s.normals.push(0, ny, 0);
    }
    for (let i = 0; i < segments; i++) {
      if (ny > 0) s.indices.push(centre, centre + 1 + i, centre + 2 + i);
      else s.indices.push(centre, centre + 2 + i, centre + 1 + i);
    }
  }
  return s;
}

const MATERIALS = [
  { name: 'enclosure', color: [0.78, 0.8, 0.8, 1], metallic: 0.1, roughness: 0.6 }, // RAL 7035 light grey
  { name: 'base', color: [0.16, 0.18, 0.2, 1], metallic: 0.3, roughness: 0.7 },
  { name: 'door', color: [0.3, 0.45, 0.62, 1], metallic: 0.2, roughness: 0.5 },
  { name: 'glass', color: [0.08, 0.14, 0.22, 1], metallic: 0.0, roughness: 0.2 },
  { name: 'spindle', color: [0.95, 0.72, 0.1, 1], metallic: 0.2, roughness: 0.4 }, // safety yellow: the part that moves
  { name: 'panel', color: [0.12, 0.12, 0.14, 1], metallic: 0.1, roughness: 0.5 },
];

const W = 2.8, D = 2.2, H = 2.3;
const machiningCentre: NodeSpec = {
  name: 'MachiningCentre',
  children: [
    { name: 'Base', translation: [0, 0.1, 0], shape: box(W, 0.2, D), material: 1 },
    { name: 'Enclosure', translation: [0, 0.2 + (H - 0.2) / 2, -0.1], shape: box(W - 0.2, H - 0.2, D - 0.4), material: 0 },
    { name: 'Panel', translation: [1.05, 1.35, D / 2 - 0.2], shape: box(0.5, 0.8, 0.2), material: 5 },
    {
      name: 'Door', translation: [-0.45, 1.15, D / 2 - 0.25],
      children: [
        { name: 'DoorLeaf', shape: box(1.3, 1.4, 0.08), material: 2 },
        { name: 'DoorWindow', translation: [0, 0.1, 0.05], shape: box(0.9, 0.7, 0.03), material: 3 },
      ],
    },
    {
      name: 'SpindleHead', translation: [0.3, H + 0.25, -0.2], shape: box(0.9, 0.5, 0.9), material: 1,
      children: [
        {
          // The spindle motor's fan: a bright cross seen from above that turns with the spindle.
          name: 'Spindle', translation: [0, 0.35, 0],
          children: [
            { name: 'SpindleHub', shape: cylinder(0.22, 0.2), material: 4 },
            { name: 'SpindleBladeA', translation: [0, 0.08, 0], shape: box(1.3, 0.06, 0.22), material: 4 },
            { name: 'SpindleBladeB', translation: [0, 0.08, 0], shape: box(0.22, 0.06, 1.3), material: 4 },
          ],
        },
      ],
    },
  ],
};

/**
 * A GLB (glTF 2.0 binary): JSON chunk + one buffer of float32 positions/normals and uint16
 * indices; with `meshopt`, the buffer holds them encoded (EXT_meshopt_compression, required) and
 * the buffer views point into a data-less fallback buffer as the extension prescribes.
 */
function toGlb(root: NodeSpec, meshopt = false): Buffer {
  const nodes: Record<string, unknown>[] = [];
  const meshes: Record<string, unknown>[] = [];
  const accessors: Record<string, unknown>[] = [];
  const bufferViews: Record<string, unknown>[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  let fallbackOffset = 0;
  const view = (data: Buffer, target: number) => {
    const indices = target === 34963;
    const stride = indices ? 2 : 12;
    const count = data.length / stride;
    const stored = meshopt ? Buffer.from(MeshoptEncoder.encodeGltfBuffer(new Uint8Array(data), count, stride, indices ? 'TRIANGLES' : 'ATTRIBUTES')) : data;
    const pad = (4 - (stored.length % 4)) % 4;
    if (meshopt) {
      bufferViews.push({
        buffer: 1, byteOffset: fallbackOffset, byteLength: data.length, target, ...(indices ? {} : { byteStride: stride }),
        extensions: { EXT_meshopt_compression: { buffer: 0, byteOffset: offset, byteLength: stored.length, byteStride: stride, count, mode: indices ? 'TRIANGLES' : 'ATTRIBUTES' } },
      });
      fallbackOffset += data.length + ((4 - (data.length % 4)) % 4);
    } else {
      bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: data.length, target });
    }
    chunks.push(stored, Buffer.alloc(pad));
    offset += stored.length + pad;
    return bufferViews.length - 1;
  };
  const addShape = (s: Shape, material: number, name: string) => {
    const pos = Buffer.from(new Float32Array(s.positions).buffer);
    const nor = Buffer.from(new Float32Array(s.normals).buffer);
    const idx = Buffer.from(new Uint16Array(s.indices).buffer);
    const min = [0, 1, 2].map((k) => Math.min(...s.positions.filter((_, i) => i % 3 === k)));
    const max = [0, 1, 2].map((k) => Math.max(...s.positions.filter((_, i) => i % 3 === k)));
    accessors.push({ bufferView: view(pos, 34962), componentType: 5126, count: s.positions.length / 3, type: 'VEC3', min, max });
    const p = accessors.length - 1;
    accessors.push({ bufferView: view(nor, 34962), componentType: 5126, count: s.normals.length / 3, type: 'VEC3' });
    const n = accessors.length - 1;
    accessors.push({ bufferView: view(idx, 34963), componentType: 5123, count: s.indices.length, type: 'SCALAR' });
    meshes.push({ name, primitives: [{ attributes: { POSITION: p, NORMAL: n }, indices: accessors.length - 1, material }] });
    return meshes.length - 1;
  };
  const addNode = (spec: NodeSpec): number => {
    const node: Record<string, unknown> = { name: spec.name };
    nodes.push(node);
    const index = nodes.length - 1;
    if (spec.translation) node.translation = spec.translation;
    if (spec.shape) node.mesh = addShape(spec.shape, spec.material ?? 0, spec.name);
    if (spec.children) node.children = spec.children.map(addNode);
    return index;
  };
  const rootIndex = addNode(root);
  const bin = Buffer.concat(chunks);
  const json = {
    asset: { version: '2.0', generator: 'twinline scripts/make-demo-models.ts' },
    scene: 0,
    scenes: [{ nodes: [rootIndex] }],
    nodes, meshes, accessors, bufferViews,
    buffers: [{ byteLength: bin.length }, ...(meshopt ? [{ byteLength: fallbackOffset, extensions: { EXT_meshopt_compression: { fallback: true } } }] : [])],
    ...(meshopt ? { extensionsUsed: ['EXT_meshopt_compression'], extensionsRequired: ['EXT_meshopt_compression'] } : {}),
    materials: MATERIALS.map((m) => ({ name: m.name, pbrMetallicRoughness: { baseColorFactor: m.color, metallicFactor: m.metallic, roughnessFactor: m.roughness } })),
  };
  let jsonBuf = Buffer.from(JSON.stringify(json), 'utf8');
  jsonBuf = Buffer.concat([jsonBuf, Buffer.alloc((4 - (jsonBuf.length % 4)) % 4, 0x20)]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x46546c67, 0); // "glTF"
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + jsonBuf.length + 8 + bin.length, 8);
  const chunkHeader = (length: number, type: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(length, 0);
    b.writeUInt32LE(type, 4);
    return b;
  };
  return Buffer.concat([header, chunkHeader(jsonBuf.length, 0x4e4f534a), jsonBuf, chunkHeader(bin.length, 0x004e4942), bin]);
}

const dir = process.argv[2] ?? 'config/models';
mkdirSync(dir, { recursive: true });
await MeshoptEncoder.ready;
for (const [file, glb] of [['machining-centre.glb', toGlb(machiningCentre)], ['machining-centre-meshopt.glb', toGlb(machiningCentre, true)]] as const) {
  writeFileSync(join(dir, file), glb);
  console.log(`wrote ${join(dir, file)} (${glb.length} bytes)`);
}
