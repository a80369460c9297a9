// How the twin draws a machine (issue 21): a known type's built-in shape, a generic box sized
// from the plant file, or the plant's own glTF/GLB model from the edge's models folder, with the
// andon/label anchors and the model's nodes that move with a tag. Browser-safe.
import { z } from 'zod';

/**
 * A file in the models folder: one or two path segments of letters, digits, ".", "_" and "-"
 * (no "..", no absolute paths), ending in a glTF extension. The edge serves only such names
 * (edge/api/model-routes.ts), so a plant file cannot point the twin anywhere else.
 */
export const MODEL_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*(?:\/[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)?$/;
export const ModelFileSchema = z
  .string()
  .max(128)
  .regex(MODEL_FILE_PATTERN, 'name a file in the models folder, e.g. press.glb or press/press.gltf (no "..", no leading "/")')
  .refine((f) => /\.(glb|gltf)$/i.test(f), 'a model is a .glb or .gltf file');

const vec3 = z.strictObject({ x: z.number(), y: z.number(), z: z.number() });
export type Vec3 = z.infer<typeof vec3>;

/**
 * A node of the model that follows a tag. The tag's value (true = 1, false = 0) is mapped
 * linearly from `input` to `output` and clamped: metres for `translate`, degrees for `rotate`,
 * degrees per second for `spin` (a spindle turning at a speed).
 */
export const NodeMotionSchema = z.strictObject({
  node: z.string().min(1).max(128),
  tag: z.string().min(1).max(64),
  motion: z.enum(['translate', 'rotate', 'spin']),
  axis: z.enum(['x', 'y', 'z']),
  input: z.tuple([z.number(), z.number()]).default([0, 1]),
  output: z.tuple([z.number(), z.number()]).default([0, 1]),
}).refine((m) => m.input[0] !== m.input[1], { message: 'input needs two different values (the tag range to map)', path: ['input'] });
export type NodeMotion = z.infer<typeof NodeMotionSchema>;

export const MachineVisualSchema = z.strictObject({
  /** Footprint (m, along the flow x and across it z) of the generic shape and the floor frame. */
  footprint: z.strictObject({ w: z.number().positive().max(100), d: z.number().positive().max(100) }).optional(),
  height: z.number().positive().max(50).optional(),
  /** A .glb/.gltf in the models folder beside the plant file. */
  model: ModelFileSchema.optional(),
  /** Uniform scale of the model (a CAD export in millimetres: 0.001). */
  scale: z.number().positive().max(1000).optional(),
  /** Turn of the model about the vertical axis, degrees, before the machine's layout rotation. */
  rotationDeg: z.number().optional(),
  /** Shift of the model in the machine's frame, metres (its origin is not always the footprint's centre). */
  offset: vec3.optional(),
  /** Where the andon tower stands and the label floats, in the machine's frame (m). */
  anchors: z.strictObject({ andon: vec3.optional(), label: vec3.optional() }).optional(),
  moving: z.array(NodeMotionSchema).max(32).optional(),
});
export type MachineVisual = z.infer<typeof MachineVisualSchema>;

/** `machineTypes:` in the plant file: type name → the look of every machine of it. */
export const MachineTypeVisualsSchema = z.record(z.string().min(1).max(64), z.strictObject({ visual: MachineVisualSchema }));
export type MachineTypeVisuals = z.infer<typeof MachineTypeVisualsSchema>;

/** The machine's look: its type's visual, overridden field by field by its own. */
export function resolveVisual(machine: { type: string; visual?: MachineVisual }, types: MachineTypeVisuals | undefined): MachineVisual | undefined {
  const base = types?.[machine.type]?.visual;
  if (!base) return machine.visual;
  if (!machine.visual) return base;
  return { ...base, ...machine.visual, anchors: machine.visual.anchors ?? base.anchors };
}

/** Moving nodes must follow tags the machine has (else nothing would ever move and nobody would know why). */
export function checkMachineVisual(
  machine: { type: string; visual?: MachineVisual; tags: readonly { name: string }[] },
  types: MachineTypeVisuals | undefined,
  issue: (path: (string | number)[], message: string) => void,
): void {
  const names = new Set(machine.tags.map((t) => t.name));
  const own = machine.visual?.moving;
  const visual = resolveVisual(machine, types);
  visual?.moving?.forEach((m, i) => {
    if (names.has(m.tag)) return;
    const path = own ? ['visual', 'moving', i, 'tag'] : ['type'];
    issue(path, `moving node "${m.node}" follows tag "${m.tag}", which the machine does not have (its tags: ${[...names].join(', ')})`);
  });
  if (visual?.moving?.length && !visual.model) issue(own ? ['visual', 'moving'] : ['type'], 'moving nodes need a model (visual.model: a .glb in the models folder)');
}

/** The value a motion maps a tag to (clamped to `output`); null when the tag is not a number or bool. */
export function motionTarget(m: Pick<NodeMotion, 'input' | 'output'>, value: unknown): number | null {
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : typeof value === 'number' && Number.isFinite(value) ? value : null;
  if (v === null) return null;
  const [i0, i1] = m.input;
  const [o0, o1] = m.output;
  const t = Math.min(1, Math.max(0, (v - i0) / (i1 - i0)));
  return o0 + (o1 - o0) * t;
}
