// The Socket.IO protocol between edge and twin, defined once and typed on both ends.
import { z } from 'zod';
import { LayoutSchema, MachineStateSchema, MachineTypeNameSchema, DataTypeSchema, TagRoleSchema } from './plant-schema.js';
import { MachineVisualSchema, resolveVisual } from './machine-visual.js';
import type { PlantConfig } from './plant-schema.js';
import { FloorLayoutSchema } from './floor-layout-schema.js';

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
      type: MachineTypeNameSchema,
      device: z.string(),
      manufacturer: z.string().optional(),
      model: z.string().optional(),
      serialNumber: z.string().optional(),
      idealCycleTimeSeconds: z.number(),
      layout: LayoutSchema,
      /** The machine's look, its type's `machineTypes` entry merged in (shared/machine-visual.ts). */
      visual: MachineVisualSchema.optional(),
      tags: z.array(z.object({
        name: z.string(), role: TagRoleSchema, type: DataTypeSchema, unit: z.string().optional(), writable: z.boolean(),
        /** The plant file's limits for a writable tag (e.g. speedOverride 50..120 %), so a UI can offer only what the edge accepts. */
        min: z.number().optional(), max: z.number().optional(),
      })),
    }),
  ),
  /** The plant file's floor: grid, floor plan, areas, conveyors (absent when the file has no layout: section). */
  layout: FloorLayoutSchema.optional(),
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

/**
 * The line's current shift from the plant calendar (null between shifts), also on a line without
 * machines; absent from a sender that has no calendar (the twin then reads a machine's shift).
 */
const LineShiftSchema = ShiftRefSchema.nullable().optional();

export const LineSnapshotSchema = z.object({
  plant: PlantViewSchema,
  machines: z.array(MachineLiveSchema),
  devices: z.array(DeviceHealthSchema),
  shift: LineShiftSchema,
  ts: z.number(),
});
export type LineSnapshot = z.infer<typeof LineSnapshotSchema>;

/** Only machines that changed since the last tick. */
export const LineDeltaSchema = z.object({
  machines: z.array(MachineLiveSchema),
  devices: z.array(DeviceHealthSchema),
  shift: LineShiftSchema,
  ts: z.number(),
});
export type LineDelta = z.infer<typeof LineDeltaSchema>;

// ---- rooms ----------------------------------------------------------------------------
// A client is put in the `line` room on connect (the twin relies on that: snapshot, then
// deltas). It may join more rooms, or connect with `auth: { autoJoin: false }` and pick its own.
//   plant   — every line this edge serves (one today; a host-mode edge serves many): snapshot/delta
//   line    — one line: snapshot/delta
//   machine — one machine: machine-snapshot, then machine-delta with only the fields and tags that changed

export const JoinRequestSchema = z.discriminatedUnion('room', [
  z.strictObject({ room: z.literal('plant') }),
  z.strictObject({ room: z.literal('line'), id: z.string().max(64).optional() }),
  z.strictObject({ room: z.literal('machine'), id: z.string().min(1).max(64) }),
]);
export type JoinRequest = z.infer<typeof JoinRequestSchema>;

/** A socket may sit in at most this many rooms (bounded per-socket state on the edge). */
export const MAX_ROOMS_PER_SOCKET = 16;

export const JoinAckSchema = z.union([
  z.object({ ok: z.literal(true), room: z.string() }),
  z.object({ ok: z.literal(false), error: z.string(), field: z.string().optional() }),
]);
export type JoinAck = z.infer<typeof JoinAckSchema>;

export const MachineSnapshotSchema = z.object({ machine: MachineLiveSchema, ts: z.number() });
export type MachineSnapshot = z.infer<typeof MachineSnapshotSchema>;

/** One machine, only what changed since the last message this client received for it. */
export const MachineDeltaSchema = z.object({
  machineId: z.string(),
  fields: MachineLiveSchema.omit({ machineId: true, tags: true }).partial(),
  tags: z.record(z.string(), LiveTagSchema),
  ts: z.number(),
});
export type MachineDelta = z.infer<typeof MachineDeltaSchema>;

/** The edge's answer to a message it refused (bad shape, too large, unknown event); the socket stays open. */
export const ProtocolErrorSchema = z.object({ event: z.string(), error: z.string(), field: z.string().optional() });
export type ProtocolError = z.infer<typeof ProtocolErrorSchema>;

/** Sent before the edge disconnects a socket whose session ended (token expired, user disabled). */
export const SessionEndedSchema = z.object({ reason: z.string() });

export interface ServerToClientEvents {
  snapshot: (snapshot: LineSnapshot) => void;
  delta: (delta: LineDelta) => void;
  'machine-snapshot': (snapshot: MachineSnapshot) => void;
  'machine-delta': (delta: MachineDelta) => void;
  /** Who this socket is and whether the edge runs in demo mode (shared/auth-api.ts SessionSchema). */
  session: (session: import('./auth-api.js').Session) => void;
  'session-ended': (ended: z.infer<typeof SessionEndedSchema>) => void;
  'protocol-error': (error: ProtocolError) => void;
  /** An alarm lifecycle step, a flood change or a completed flight recording (shared/alarm-wire.ts AlarmEventSchema). */
  alarm: (event: import('./alarm-wire.js').AlarmEvent) => void;
  /** The standing alarm list (AlarmListSchema), sent right after every line snapshot: full state on each (re)join. */
  alarms: (list: import('./alarm-wire.js').AlarmList) => void;
  /** Site meters and the running 15-minute block (shared/energy-api.ts EnergyLiveSchema), when the plant has meters. */
  energy: (message: import('./energy-api.js').EnergyLive) => void;
  /** The line's current work order and its progress, each machine's order (shared/order-api.ts OrderProgress). */
  order: (progress: import('./order-api.js').OrderProgress) => void;
  /** Whether the plant file on disk is the running plant (shared/layout-api.ts PlantFileStatusSchema); edges run from a plant file only. */
  'plant-file': (status: import('./layout-api.js').PlantFileStatus) => void;
}

// Every client→server payload is validated with its zod schema on the edge; an acknowledgement
// callback is optional for join/leave and required for command.
export interface ClientToServerEvents {
  join: (request: JoinRequest, ack?: (answer: JoinAck) => void) => void;
  leave: (request: JoinRequest, ack?: (answer: JoinAck) => void) => void;
  /** shared/command-api.ts CommandRequestSchema → CommandAckSchema */
  command: (request: import('./command-api.js').CommandRequest, ack: (answer: import('./command-api.js').CommandAck) => void) => void;
}

const withVisual = (visual: PlantView['machines'][number]['visual']) => (visual ? { visual } : {});

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
      ...withVisual(resolveVisual(m, plant.machineTypes)),
      tags: m.tags.map((t) => ({
        name: t.name, role: t.role, type: t.type, unit: t.unit, writable: t.writable,
        ...(t.min !== undefined ? { min: t.min } : {}), ...(t.max !== undefined ? { max: t.max } : {}),
      })),
    })),
    ...(plant.layout ? { layout: plant.layout } : {}),
  };
}
