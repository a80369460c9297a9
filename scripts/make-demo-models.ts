// Writes the demo plant's own 3D models into config/models/ (issue 21):
// - machining-centre.glb: a vertical machining centre built from boxes and cylinders, with two
//   named nodes the plant file ties to tags — "Spindle" (turns with spindleSpeed) and "Door"
//   (slides open when the spindle stands) — and the same model meshopt-compressed
//   (machining-centre-meshopt.glb, EXT_meshopt_compression);
// - parts-washer-draco.glb: a tunnel parts washer whose roof exhaust fan ("ExhaustFan") turns
//   with the washer's power, Draco-compressed (KHR_draco_mesh_compression).
// The twin must decode both compressions. A plain GLB writer, no exporter: the files are small,
// deterministic and made by a script. Run: npx tsx scripts/make-demo-models.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MeshoptEncoder } from 'meshoptimizer';

type V3 = [number, number, number];
interface Shape { positions: number[]; normals: number[]; indices: number[] }
interface NodeSpec { name: string; translation?: V3; shape?: Shape; material?: number; children?: NodeSpec[] }
interface MaterialSpec { name: string; color: number[]; metallic: number; roughness: number }
interface ModelSpec { root: NodeSpec; materials: MaterialSpec[] }
type Compression = 'none' | 'meshopt' | 'draco';

/** The part of draco3dgltf's Emscripten encoder this script uses (the package ships no types). */
interface DracoArray { GetValue(i: number): number }
interface DracoEncoderModule {
  Mesh: new () => object;
  MeshBuilder: new () => {
    AddFacesToMesh(mesh: object, faces: number, indices: Uint32Array): boolean;
    AddFloatAttributeToMesh(mesh: object, type: number, points: number, components: number, values: Float32Array): number;
  };
  Encoder: new () => {
    SetAttributeQuantization(type: number, bits: number): void;
    SetEncodingMethod(method: number): void;
    SetTrackEncodedProperties(track: boolean): void;
    GetNumberOfEncodedPoints(): number;
    GetNumberOfEncodedFaces(): number;
    EncodeMeshToDracoBuffer(mesh: object, out: DracoArray): number;
  };
  DracoInt8Array: new () => DracoArray;
  POSITION: number;
  NORMAL: number;
  MESH_EDGEBREAKER_ENCODING: number;
  destroy(o: object): void;
}

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

const MACHINING_CENTRE_MATERIALS: MaterialSpec[] = [
  { name: 'enclosure', color: [0.78, 0.8, 0.8, 1], metallic: 0.1, roughness: 0.6 }, // RAL 7035 light grey
  { name: 'base', color: [0.16, 0.18, 0.2, 1], metallic: 0.3, roughness: 0.7 },
  { name: 'door', color: [0.3, 0.45, 0.62, 1], metallic: 0.2, roughness: 0.5 },
  { name: 'glass', color: [0.08, 0.14, 0.22, 1], metallic: 0.0, roughness: 0.2 },
  { name: 'spindle', color: [0.95, 0.72, 0.1, 1], metallic: 0.2, roughness: 0.4 }, // safety yellow: the part that moves
  { name: 'panel', color: [0.12, 0.12, 0.14, 1], metallic: 0.1, roughness: 0.5 },
];

const W = 2.8, D = 2.2, H = 2.3;
const machiningCentreRoot: NodeSpec = {
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

const machiningCentre: ModelSpec = { root: machiningCentreRoot, materials: MACHINING_CENTRE_MATERIALS };

const PARTS_WASHER_MATERIALS: MaterialSpec[] = [
  { name: 'stainless', color: [0.7, 0.73, 0.76, 1], metallic: 0.4, roughness: 0.45 },
  { name: 'base', color: [0.16, 0.18, 0.2, 1], metallic: 0.3, roughness: 0.7 },
  { name: 'signal-orange', color: [0.9, 0.06, 0.006, 1], metallic: 0.1, roughness: 0.5 }, // RAL 2004 (linear): band and the fan that moves
  { name: 'glass', color: [0.08, 0.14, 0.22, 1], metallic: 0.0, roughness: 0.2 },
  { name: 'curtain', color: [0.06, 0.06, 0.07, 1], metallic: 0.0, roughness: 0.9 },
  { name: 'panel', color: [0.12, 0.12, 0.14, 1], metallic: 0.1, roughness: 0.5 },
];

// A tunnel spray washer 3.0 × 1.5 m, 1.9 m high, parts entering and leaving at the line's
// transfer height (0.85 m) through rubber curtains at its ends (±x), inspection hatches in front (+z).
const WW = 3.0, WD = 1.5, WH = 1.9;
const partsWasher: ModelSpec = {
  materials: PARTS_WASHER_MATERIALS,
  root: {
    name: 'PartsWasher',
    children: [
      { name: 'Tank', translation: [0, 0.175, 0], shape: box(WW - 0.2, 0.35, WD - 0.1), material: 1 },
      { name: 'Tunnel', translation: [0, 0.35 + (WH - 0.35) / 2, 0], shape: box(WW, WH - 0.35, WD), material: 0 },
      { name: 'Band', translation: [0, 1.5, 0], shape: box(WW + 0.02, 0.2, WD + 0.02), material: 2 },
      { name: 'InletCurtain', translation: [-WW / 2 - 0.01, 1.05, 0], shape: box(0.04, 0.45, 0.8), material: 4 },
      { name: 'OutletCurtain', translation: [WW / 2 + 0.01, 1.05, 0], shape: box(0.04, 0.45, 0.8), material: 4 },
      { name: 'HatchA', translation: [-0.8, 1.0, WD / 2 + 0.02], shape: box(0.5, 0.4, 0.04), material: 3 },
      { name: 'HatchB', translation: [0, 1.0, WD / 2 + 0.02], shape: box(0.5, 0.4, 0.04), material: 3 },
      { name: 'Panel', translation: [1.05, 1.0, WD / 2 + 0.05], shape: box(0.5, 0.6, 0.1), material: 5 },
      { name: 'Stack', translation: [0.9, WH + 0.55, -0.3], shape: cylinder(0.13, 1.1), material: 0 },
      {
        name: 'Blower', translation: [-0.7, WH + 0.175, -0.1], shape: box(0.8, 0.35, 0.8), material: 1,
        children: [
          {
            // The exhaust fan on the roof, seen from above: turns with the washer's power draw.
            name: 'ExhaustFan', translation: [0, 0.22, 0],
            children: [
              { name: 'FanHub', shape: cylinder(0.12, 0.1), material: 2 },
              { name: 'FanBladeA', translation: [0, 0.03, 0], shape: box(0.72, 0.04, 0.14), material: 2 },
              { name: 'FanBladeB', translation: [0, 0.03, 0], shape: box(0.14, 0.04, 0.72), material: 2 },
            ],
          },
        ],
      },
    ],
  },
};

/**
 * A GLB (glTF 2.0 binary): JSON chunk + one buffer of float32 positions/normals and uint16
 * indices. With `meshopt`, the buffer holds them encoded (EXT_meshopt_compression, required) and
 * the buffer views point into a data-less fallback buffer as the extension prescribes. With
 * `draco`, each primitive is one Draco mesh (KHR_draco_mesh_compression, required) in a buffer
 * view of its own; its accessors keep type, count and bounds but no buffer view.
 */
function toGlb({ root, materials }: ModelSpec, compression: Compression = 'none', draco?: DracoEncoderModule): Buffer {
  const meshopt = compression === 'meshopt';
  const nodes: Record<string, unknown>[] = [];
  const meshes: Record<string, unknown>[] = [];
  const accessors: Record<string, unknown>[] = [];
  const bufferViews: Record<string, unknown>[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  let fallbackOffset = 0;
  const append = (stored: Buffer) => {
    const pad = (4 - (stored.length % 4)) % 4;
    chunks.push(stored, Buffer.alloc(pad));
    offset += stored.length + pad;
  };
  const view = (data: Buffer, target: number) => {
    const indices = target === 34963;
    const stride = indices ? 2 : 12;
    const count = data.length / stride;
    const stored = meshopt ? Buffer.from(MeshoptEncoder.encodeGltfBuffer(new Uint8Array(data), count, stride, indices ? 'TRIANGLES' : 'ATTRIBUTES')) : data;
    if (meshopt) {
      bufferViews.push({
        buffer: 1, byteOffset: fallbackOffset, byteLength: data.length, target, ...(indices ? {} : { byteStride: stride }),
        extensions: { EXT_meshopt_compression: { buffer: 0, byteOffset: offset, byteLength: stored.length, byteStride: stride, count, mode: indices ? 'TRIANGLES' : 'ATTRIBUTES' } },
      });
      fallbackOffset += data.length + ((4 - (data.length % 4)) % 4);
    } else {
      bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: data.length, target });
    }
    append(stored);
    return bufferViews.length - 1;
  };
  /** One Draco mesh of the shape: its buffer view, its attributes' Draco ids and the counts it decodes to. */
  const dracoView = (s: Shape) => {
    if (!draco) throw new Error('draco compression needs the draco3dgltf encoder module');
    const mesh = new draco.Mesh();
    const builder = new draco.MeshBuilder();
    const points = s.positions.length / 3;
    builder.AddFacesToMesh(mesh, s.indices.length / 3, new Uint32Array(s.indices));
    const position = builder.AddFloatAttributeToMesh(mesh, draco.POSITION, points, 3, new Float32Array(s.positions));
    const normal = builder.AddFloatAttributeToMesh(mesh, draco.NORMAL, points, 3, new Float32Array(s.normals));
    const encoder = new draco.Encoder();
    // The glTF Transform defaults: 14-bit positions (0.2 mm over a 3 m part), 10-bit normals.
    encoder.SetAttributeQuantization(draco.POSITION, 14);
    encoder.SetAttributeQuantization(draco.NORMAL, 10);
    encoder.SetEncodingMethod(draco.MESH_EDGEBREAKER_ENCODING);
    encoder.SetTrackEncodedProperties(true);
    const out = new draco.DracoInt8Array();
    const length = encoder.EncodeMeshToDracoBuffer(mesh, out);
    if (length <= 0) throw new Error('Draco encoding failed');
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = out.GetValue(i) & 0xff;
    // Edgebreaker may split vertices: the accessors give the counts the decoder will produce.
    const counts = { points: encoder.GetNumberOfEncodedPoints(), indices: encoder.GetNumberOfEncodedFaces() * 3 };
    for (const o of [out, encoder, builder, mesh]) draco.destroy(o);
    bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: bytes.length });
    append(bytes);
    return { bufferView: bufferViews.length - 1, attributes: { POSITION: position, NORMAL: normal }, counts };
  };
  const addShape = (s: Shape, material: number, name: string) => {
    const min = [0, 1, 2].map((k) => Math.min(...s.positions.filter((_, i) => i % 3 === k)));
    const max = [0, 1, 2].map((k) => Math.max(...s.positions.filter((_, i) => i % 3 === k)));
    if (compression === 'draco') {
      const d = dracoView(s);
      accessors.push({ componentType: 5126, count: d.counts.points, type: 'VEC3', min, max });
      accessors.push({ componentType: 5126, count: d.counts.points, type: 'VEC3' });
      accessors.push({ componentType: 5123, count: d.counts.indices, type: 'SCALAR' });
      const p = accessors.length - 3;
      meshes.push({
        name,
        primitives: [{
          attributes: { POSITION: p, NORMAL: p + 1 }, indices: p + 2, material,
          extensions: { KHR_draco_mesh_compression: { bufferView: d.bufferView, attributes: d.attributes } },
        }],
      });
      return meshes.length - 1;
    }
    const pos = Buffer.from(new Float32Array(s.positions).buffer);
    const nor = Buffer.from(new Float32Array(s.normals).buffer);
    const idx = Buffer.from(new Uint16Array(s.indices).buffer);
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
    ...(compression === 'draco' ? { extensionsUsed: ['KHR_draco_mesh_compression'], extensionsRequired: ['KHR_draco_mesh_compression'] } : {}),
    materials: materials.map((m) => ({ name: m.name, pbrMetallicRoughness: { baseColorFactor: m.color, metallicFactor: m.metallic, roughnessFactor: m.roughness } })),
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
const { createEncoderModule } = createRequire(import.meta.url)('draco3dgltf') as { createEncoderModule(o: object): Promise<DracoEncoderModule> };
const draco = await createEncoderModule({});
const files: [string, Buffer][] = [
  ['machining-centre.glb', toGlb(machiningCentre)],
  ['machining-centre-meshopt.glb', toGlb(machiningCentre, 'meshopt')],
  ['parts-washer-draco.glb', toGlb(partsWasher, 'draco', draco)],
];
for (const [file, glb] of files) {
  writeFileSync(join(dir, file), glb);
  console.log(`wrote ${join(dir, file)} (${glb.length} bytes)`);
}
