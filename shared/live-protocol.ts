// The Socket.IO protocol between edge and twin, defined once and typed on both ends.
import { z } from 'zod';
import { LayoutSchema, MachineStateSchema, MachineTypeSchema, DataTypeSchema, TagRoleSchema } from './plant-schema.js';
import type { PlantConfig } from './plant-schema.js';

export const QualitySchema = z.enum(['good', 'uncertain', 'bad']);
export type Quality = z.infer<typeof QualitySchema>;

export const TagValueSchema = z.union([z.number(), z.boolean(), z.string(), z.null()]);
export type TagValue = z.infer<typeof TagValueSchema>;

export const LiveTagSchema = z.object({
  value: TagValueSchema,
  quality: QualitySchema,
  /** Source timestamp (device clock), epoch ms. */
  ts: z.number(),
});
export type LiveTag = z.infer<typeof LiveTagSchema>;

export const OeeSchema = z.object({
  availability: z.number(),
  performance: z.number(),
  quality: z.number(),
  oee: z.number(),
});
export type Oee = z.infer<typeof OeeSchema>;

export const ShiftRefSchema = z.object({ name: z.string(), start: z.number(), end: z.number() });
export type ShiftRef = z.infer<typeof ShiftRefSchema>;

export const MachineLiveSchema = z.object({
  machineId: z.string(),
  state: MachineStateSchema,
  /** When the current state began, epoch ms. */
  stateSince: z.number(),
  faultCode: z.number().nullable(),
  /** Parts made in the current shift (wrap- and reset-safe deltas summed). */
  counts: z.object({ total: z.number(), good: z.number(), scrap: z.number() }),
  /** Energy used in the current shift, kWh. */
  energyKWh: z.number(),
  oee: OeeSchema,
  shift: ShiftRefSchema.nullable(),
  tags: z.record(z.string(), LiveTagSchema),
  updatedAt: z.number(),
});
export type MachineLive = z.infer<typeof MachineLiveSchema>;

/** What the twin needs to draw the line: the plant file without addresses. */
export const PlantViewSchema = z.object({
  site: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
  line: z.object({ id: z.string(), name: z.string() }),
  machines: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: MachineTypeSchema,
      device: z.string(),
      manufacturer: z.string().optional(),
      model: z.string().optional(),
      serialNumber: z.string().optional(),
      idealCycleTimeSeconds: z.number(),
      layout: LayoutSchema,
      tags: z.array(z.object({ name: z.string(), role: TagRoleSchema, type: DataTypeSchema, unit: z.string().optional(), writable: z.boolean() })),
    }),
  ),
});
export type PlantView = z.infer<typeof PlantViewSchema>;

export const DeviceHealthSchema = z.object({
  deviceId: z.string(),
  protocol: z.string(),
  connected: z.boolean(),
  lastError: z.string().nullable(),
  latencyMs: z.number().nullable(),
  readsPerSecond: z.number(),
  reconnects: z.number(),
});
export type DeviceHealth = z.infer<typeof DeviceHealthSchema>;

export const LineSnapshotSchema = z.object({
  plant: PlantViewSchema,
  machines: z.array(MachineLiveSchema),
  devices: z.array(DeviceHealthSchema),
  ts: z.number(),
});
export type LineSnapshot = z.infer<typeof LineSnapshotSchema>;

/** Only machines that changed since the last tick. */
export const LineDeltaSchema = z.object({
  machines: z.array(MachineLiveSchema),
  devices: z.array(DeviceHealthSchema),
  ts: z.number(),
});
export type LineDelta = z.infer<typeof LineDeltaSchema>;

export interface ServerToClientEvents {
  snapshot: (snapshot: LineSnapshot) => void;
  delta: (delta: LineDelta) => void;
}

// Client→server messages arrive with later issues (rooms, commands); each will be a zod schema here.
export type ClientToServerEvents = Record<string, never>;

export function toPlantView(plant: PlantConfig): PlantView {
  return {
    site: plant.site,
    line: plant.line,
    machines: plant.machines.map((m) => ({
      id: m.id,
      name: m.name,
      type: m.type,
      device: m.device,
      manufacturer: m.manufacturer,
      model: m.model,
      serialNumber: m.serialNumber,
      idealCycleTimeSeconds: m.idealCycleTimeSeconds,
      layout: m.layout,
      tags: m.tags.map((t) => ({ name: t.name, role: t.role, type: t.type, unit: t.unit, writable: t.writable })),
    })),
  };
}
