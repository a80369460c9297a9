// The twin's layout mode over REST (/api/layout…, admin): what it reads, what it saves, the floor
// plan upload and the plant file's reload status. Browser-safe.
import { z } from 'zod';
import { FLOOR_PLAN_FILE, FloorLayoutSchema } from './floor-layout-schema.js';
import { DataTypeSchema, LayoutSchema, ModbusSourceSchema, ModbusTcpDeviceSchema, OpcUaDeviceSchema } from './plant-schema.js';

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'the hash GET /api/layout returned');

export const RELOAD_RESULTS = ['unchanged', 'layout', 'recomposing', 'recomposed', 'invalid'] as const;
export const ReloadOutcomeSchema = z.object({
  result: z.enum(RELOAD_RESULTS),
  file: z.string(),
  hash: z.string(),
  at: z.number(),
  summary: z.string(),
  /** For an invalid file: each bad field as `file: path: message`. */
  error: z.string().optional(),
});

/** The longest error text a `plant-file` event carries (a file with many bad fields is cut there). */
export const PLANT_FILE_ERROR_MAX = 4000;
/**
 * Live event `plant-file` (edge → every twin that joined the line, on each reload outcome and
 * after each line snapshot): whether the plant file on disk is the plant that runs. Sent only
 * by an edge run from a plant file (edge/plant-reload); sizes bounded like every wire message.
 */
export const PlantFileStatusSchema = z.object({
  /** The file's name, not its path (the folder is the edge's business). */
  file: z.string().max(255),
  state: z.enum(['ok', 'invalid']),
  /** For an invalid file: each bad field as `file: path: message`. */
  error: z.string().max(PLANT_FILE_ERROR_MAX).optional(),
  at: z.number(),
});
export type PlantFileStatus = z.infer<typeof PlantFileStatusSchema>;

export const MachinePlacementSchema = LayoutSchema.extend({ id: identifier });
export type MachinePlacement = z.infer<typeof MachinePlacementSchema>;

export const LayoutAnswerSchema = z.object({
  /** The plant file's name (not its path: the folder is the edge's business). */
  file: z.string(),
  /** SHA-256 of the file the layout was read from: send it back on save (a changed file is a 409). */
  hash: sha256,
  machines: z.array(MachinePlacementSchema.extend({ name: z.string(), type: z.string() })),
  layout: FloorLayoutSchema,
  lastReload: ReloadOutcomeSchema.nullable(),
  /** The plant's devices, for adding a machine (id and protocol only). */
  devices: z.array(z.object({ id: z.string(), protocol: z.string() })).default([]),
});
export type LayoutAnswer = z.infer<typeof LayoutAnswerSchema>;

export const LayoutSaveBodySchema = z.strictObject({
  baseHash: sha256,
  machines: z.array(MachinePlacementSchema).max(1000),
  layout: FloorLayoutSchema,
});
export type LayoutSaveBody = z.infer<typeof LayoutSaveBodySchema>;

export const LayoutSaveAnswerSchema = z.object({ hash: sha256, reload: ReloadOutcomeSchema, changed: z.array(z.string()) });

/** A floor plan is a drawing, not a photo album: 2 MiB of PNG or JPEG at most. */
export const FLOOR_PLAN_MAX_BYTES = 2 * 1024 * 1024;
export const FloorPlanUploadSchema = z.strictObject({
  name: z.string().regex(FLOOR_PLAN_FILE, 'a file name ending .png or .jpg (letters, digits, ".", "-", "_")'),
  /** The image bytes, base64. */
  dataBase64: z.string().max(Math.ceil(FLOOR_PLAN_MAX_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 only'),
});
export const FloorPlanAnswerSchema = z.object({ image: z.string(), widthPx: z.number(), heightPx: z.number(), bytes: z.number() });
export const FloorPlanPathSchema = z.strictObject({ image: z.string().regex(FLOOR_PLAN_FILE) });

/** A machine added from the twin: the plant file's machine entry as typed in the form (checked by the plant schema). */
export const AddMachineBodySchema = z.strictObject({
  baseHash: sha256,
  machine: z.record(z.string(), z.unknown()),
  /** A device not in the plant file yet (a new plant's first OPC UA server or Modbus device), written together with the machine. */
  device: z.record(z.string(), z.unknown()).optional(),
});
export const BrowsedVariableSchema = z.object({
  nodeId: z.string(), path: z.string(), suggestedName: z.string(), dataType: z.string().nullable(), type: z.string().nullable(), unit: z.string().nullable(),
});
export const BrowsePathSchema = z.strictObject({ device: identifier });

/** The Modbus form's rows, read once to see that the addresses and formats give sensible values. */
export const TestReadBodySchema = z.strictObject({
  tags: z.array(z.strictObject({ name: z.string().max(80), type: DataTypeSchema, modbus: ModbusSourceSchema })).min(1).max(50),
});
export const TestReadAnswerSchema = z.object({ values: z.array(z.object({ name: z.string(), value: z.union([z.number(), z.boolean(), z.string()]).optional(), error: z.string().optional() })) });

/**
 * A device not in the plant file yet, browsed or test-read before it is added: its entry as the
 * plant file will hold it, checked by the same schema (a refusal names e.g. device.endpointUrl).
 */
export const NewOpcUaDeviceBodySchema = z.strictObject({ device: OpcUaDeviceSchema });
export const NewModbusTestReadBodySchema = TestReadBodySchema.extend({ device: ModbusTcpDeviceSchema });
