// The plant file: what the edge reads, where, and how the line is laid out in 3D.
// Browser-safe (no Node imports): twin-ui and plc-sim import it too.
import { z } from 'zod';
import { HistorianSettingsSchema } from './historian-config.js';
import { AlarmSettingsSchema, checkAlarmRules } from './alarm-rules.js';
import { UplinkSettingsSchema } from './uplink-config.js';
import { EmissionSettingsSchema, checkEmissionSettings } from './emission-schema.js';
import { MeteringSchema, checkMetering } from './energy-schema.js';
import { OpcUaServerSettingsSchema } from './opcua-server-schema.js';
import { DowntimeConfigSchema } from './downtime-schema.js';
import { MachineVisualSchema, MachineTypeVisualsSchema, checkMachineVisual } from './machine-visual.js';
import { FloorLayoutSchema, checkFloorLayout } from './floor-layout-schema.js';

export const MACHINE_STATES = ['running', 'idle', 'down', 'setup', 'planned-stop', 'no-data'] as const;
export const MachineStateSchema = z.enum(MACHINE_STATES);
export type MachineState = z.infer<typeof MachineStateSchema>;

export const DataTypeSchema = z.enum(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string']);
export type DataType = z.infer<typeof DataTypeSchema>;

/** What a tag means to the plant model; `process` tags are shown and stored but not interpreted. */
export const TagRoleSchema = z.enum([
  'state', 'faultCode', 'totalCount', 'goodCount', 'power', 'energy', 'speedOverride', 'resetFault', 'process',
  // A reject counter, and the order/product the PLC says it is running (shared/count-roles.ts, edge/orders).
  'scrapCount', 'orderId', 'productId',
]);
export type TagRole = z.infer<typeof TagRoleSchema>;

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "-" or "_", starting with a letter');

export const OpcUaSourceSchema = z.strictObject({
  nodeId: z.string().min(1),
  /** Overrides the device's sampling interval for this monitored item. */
  samplingIntervalMs: z.number().int().min(0).optional(),
  queueSize: z.number().int().min(1).max(1000).optional(),
  /** OPC UA Part 4 §7.22.2 DataChangeFilter: percent needs the node's EURange on the server. */
  deadband: z.strictObject({ type: z.enum(['absolute', 'percent']), value: z.number().min(0) }).optional(),
});

export const ModbusSourceSchema = z.strictObject({
  table: z.enum(['coil', 'discrete', 'input', 'holding']),
  /** Zero-based protocol address (register 40001 is holding address 0). */
  address: z.number().int().min(0).max(65535),
  /** For 32/64-bit values: which 16-bit word comes first on the wire. */
  wordOrder: z.enum(['high-first', 'low-first']).default('high-first'),
  /** Byte order inside each 16-bit register: `big` is the Modbus standard; `little` swaps the two bytes (e.g. BADC layouts). */
  byteOrder: z.enum(['big', 'little']).default('big'),
  /** Engineering value = raw × scale + offset. */
  scale: z.number().default(1),
  offset: z.number().default(0),
});

export const TagSchema = z.strictObject({
  name: identifier,
  role: TagRoleSchema.default('process'),
  type: DataTypeSchema,
  unit: z.string().optional(),
  description: z.string().optional(),
  writable: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Historian: a numeric sample is stored only when it moved more than this from the last stored value (engineering units; default 0 = every change). */
  deadband: z.number().min(0).optional(),
  opcua: OpcUaSourceSchema.optional(),
  modbus: ModbusSourceSchema.optional(),
});
export type TagConfig = z.infer<typeof TagSchema>;

export const OpcUaDeviceSchema = z.strictObject({
  id: identifier,
  protocol: z.literal('opcua'),
  endpointUrl: z.string().startsWith('opc.tcp://'),
  samplingIntervalMs: z.number().int().min(0).default(250),
  publishingIntervalMs: z.number().int().min(10).default(250),
  /** `subscription` (monitored items, the default) or `polling` (a Read every pollIntervalMs, for servers with weak subscriptions). */
  mode: z.enum(['subscription', 'polling']).default('subscription'),
  /** Down to 10 ms: a time-scaled simulator (120x) needs it to resolve seconds of simulated time. */
  pollIntervalMs: z.number().int().min(10).default(1000),
  securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
  securityPolicy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).optional(),
  /** Username identity; the password comes from the environment variable named here, never from the plant file. */
  username: z.string().optional(),
  passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable, e.g. TWINLINE_OPCUA_PASSWORD').optional(),
}).superRefine((d, ctx) => {
  if (d.securityMode !== 'None' && d.securityPolicy === 'None') {
    ctx.addIssue({ code: 'custom', path: ['securityPolicy'], message: `securityMode ${d.securityMode} needs a securityPolicy such as Basic256Sha256` });
  }
  if (d.username && !d.passwordEnv) {
    ctx.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'a username needs passwordEnv: the environment variable that holds the password' });
  }
});

export const ModbusTcpDeviceSchema = z.strictObject({
  id: identifier,
  protocol: z.literal('modbus-tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  unitId: z.number().int().min(0).max(255).default(1),
  /** Down to 10 ms (a fast LAN PLC, or a time-scaled simulator). */
  pollIntervalMs: z.number().int().min(10).default(500),
  timeoutMs: z.number().int().min(50).default(1000),
  /** Times a timed-out request is sent again before the device counts as lost. */
  retries: z.number().int().min(0).max(5).default(1),
  /** Unused registers a read may span to merge two tags into one request; the default gives the fewest requests. */
  maxGap: z.number().int().min(0).max(124).default(124),
  /** `single`: one coil by function 5, one register by 6 (several back to back by 15/16); `multiple`: always 15/16, for devices without 5 and 6. */
  writeFunctions: z.enum(['single', 'multiple']).default('single'),
});

/** Modbus RTU on a serial line (RS-485 adapter, or a pseudo-terminal in tests). */
export const ModbusRtuDeviceSchema = z.strictObject({
  id: identifier,
  protocol: z.literal('modbus-rtu'),
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(19200),
  parity: z.enum(['none', 'even', 'odd']).default('even'),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  unitId: z.number().int().min(1).max(247).default(1),
  pollIntervalMs: z.number().int().min(10).default(500),
  timeoutMs: z.number().int().min(50).default(1000),
  retries: z.number().int().min(0).max(5).default(1),
  maxGap: z.number().int().min(0).max(124).default(124),
  /** `single`: one coil by function 5, one register by 6 (several back to back by 15/16); `multiple`: always 15/16, for devices without 5 and 6. */
  writeFunctions: z.enum(['single', 'multiple']).default('single'),
});

export const DeviceSchema = z.discriminatedUnion('protocol', [OpcUaDeviceSchema, ModbusTcpDeviceSchema, ModbusRtuDeviceSchema]);
export type DeviceConfig = z.infer<typeof DeviceSchema>;
export type OpcUaDeviceConfig = z.infer<typeof OpcUaDeviceSchema>;
export type ModbusTcpDeviceConfig = z.infer<typeof ModbusTcpDeviceSchema>;
export type ModbusRtuDeviceConfig = z.infer<typeof ModbusRtuDeviceSchema>;
export type ModbusDeviceConfig = ModbusTcpDeviceConfig | ModbusRtuDeviceConfig;

/** The types the twin, simulator and fault catalogue know by name; any other type is allowed (issue 21). */
export const MACHINE_TYPES = ['robot', 'cnc', 'washer', 'conveyor', 'inspection', 'packing', 'furnace'] as const;
export const MachineTypeSchema = z.enum(MACHINE_TYPES);
export type MachineType = z.infer<typeof MachineTypeSchema>;
export const isKnownMachineType = (type: string): type is MachineType => (MACHINE_TYPES as readonly string[]).includes(type);
/** A machine's type as the plant file names it: free text ("press", "injection-moulding", "AGV"). */
export const MachineTypeNameSchema = z.string().trim().min(1).max(64).regex(/^[^\u0000-\u001f<>]+$/, 'a type is a short name without control characters or < >');
export { MachineVisualSchema, MachineTypeVisualsSchema, type MachineVisual } from './machine-visual.js';

/** Position on the shop floor in metres; y is up in the 3D scene. */
export const LayoutSchema = z.strictObject({
  x: z.number(),
  z: z.number(),
  rotationDeg: z.number().default(0),
});

/** PLC state register value → machine state. The default follows the demo line's PLCs. */
export const DEFAULT_STATE_CODES: Record<string, MachineState> = {
  '1': 'running', '2': 'idle', '3': 'down', '4': 'setup', '5': 'planned-stop',
};

export const MachineSchema = z.strictObject({
  id: identifier,
  name: z.string().min(1),
  type: MachineTypeNameSchema,
  device: identifier,
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  serialNumber: z.string().optional(),
  idealCycleTimeSeconds: z.number().positive(),
  stateCodes: z.record(z.string().regex(/^\d+$/), MachineStateSchema).default(DEFAULT_STATE_CODES),
  layout: LayoutSchema,
  /** How the twin draws it: a glTF model, size, anchors, moving parts (shared/machine-visual.ts); the type's look when absent. */
  visual: MachineVisualSchema.optional(),
  tags: z.array(TagSchema).min(1),
});
export type MachineConfig = z.infer<typeof MachineSchema>;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour, plant local time)');

export const ShiftSchema = z.strictObject({
  name: z.string().min(1),
  start: clockTime,
  /** An end at or before the start means the shift crosses midnight. */
  end: clockTime,
  breaks: z.array(z.strictObject({ start: clockTime, end: clockTime, reason: z.string().default('break') })).default([]),
});
export type ShiftConfig = z.infer<typeof ShiftSchema>;

export const ShiftCalendarSchema = z.strictObject({
  shifts: z.array(ShiftSchema).min(1),
  /** ISO weekdays (1 = Monday … 7 = Sunday) on which shifts start. */
  workingDays: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5, 6, 7]),
  /** Plant-local dates (YYYY-MM-DD) with no production, e.g. public holidays. */
  nonWorkingDates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
});
export type ShiftCalendarConfig = z.infer<typeof ShiftCalendarSchema>;

export const KpiSettingsSchema = z.strictObject({
  /** Unplanned stops shorter than this are micro-stops, longer ones breakdowns. */
  microStopThresholdSeconds: z.number().positive().default(300),
  /** ISO 22400-2 books micro-stops as down time (availability); 'performance' follows the Nakajima/Vorne convention. */
  microStopsAs: z.enum(['availability', 'performance']).default('availability'),
});
export type KpiSettings = z.infer<typeof KpiSettingsSchema>;

function isIanaTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * What an (almost) empty plant file gets (docs/plant-models.md, "Starting from an empty plant
 * file"): only `line:` is required, so a controls engineer can start the edge and add devices and
 * machines from the twin. The defaults are placeholders to replace, not guesses about the plant:
 * UTC and one 24-hour shift keep the KPIs well defined until the real calendar is written.
 */
export const DEFAULT_SITE = { id: 'site', name: 'Site', timezone: 'UTC' } as const;
export const DEFAULT_CALENDAR = { shifts: [{ name: 'all-day', start: '00:00', end: '00:00', breaks: [] }], workingDays: [1, 2, 3, 4, 5, 6, 7], nonWorkingDates: [] };

export const PlantSchema = z
  .strictObject({
    site: z.strictObject({
      id: identifier,
      name: z.string().min(1),
      timezone: z.string().refine(isIanaTimeZone, 'not an IANA time zone (e.g. "Asia/Shanghai")'),
    }).default({ ...DEFAULT_SITE }),
    line: z.strictObject({ id: identifier, name: z.string().min(1) }),
    calendar: ShiftCalendarSchema.default(() => structuredClone(DEFAULT_CALENDAR)),
    energy: z.strictObject({ co2eKgPerKWh: z.number().min(0).default(0.5703) }).default({ co2eKgPerKWh: 0.5703 }),
    /** KPI conventions (docs/kpi.md); optional, the defaults follow ISO 22400-2. */
    kpi: KpiSettingsSchema.optional(),
    /** Local historian: write rate, retention, size budget, backups (shared/historian-config.ts; defaults when absent). */
    historian: HistorianSettingsSchema.optional(),
    /** Alarm rules and the alarm system's behaviour (shared/alarm-rules.ts; standard rules when absent). */
    alarms: AlarmSettingsSchema.optional(),
    /** MQTT Sparkplug B uplink to a broker, for a plant host (shared/uplink-config.ts, docs/deployment.md); off when absent. */
    uplink: UplinkSettingsSchema.optional(),
    /** Emission monitoring and HJ 212 reporting (shared/emission-schema.ts, docs/emissions.md); off when absent. */
    emissions: EmissionSettingsSchema.optional(),
    /** Site meters, tariff and contracted demand (shared/energy-schema.ts, docs/energy.md); off when absent. */
    metering: MeteringSchema.optional(),
    /** The edge as an OPC UA server (OPC 40001-1 Machinery) for upstream systems (shared/opcua-server-schema.ts, docs/opcua.md); off when absent. */
    opcuaServer: OpcUaServerSettingsSchema.optional(),
    /** Downtime reason tree per machine type and PLC fault-code defaults (shared/downtime-schema.ts, docs/downtime.md); the built-in tree when absent. */
    downtime: DowntimeConfigSchema.optional(),
    /** The floor around the machines: snap grid, floor-plan image, areas, conveyors (shared/floor-layout-schema.ts; written by the twin's layout mode). */
    layout: FloorLayoutSchema.optional(),
    /** The look of every machine of a type (e.g. all presses from one glTF); a machine's own `visual` overrides it field by field. */
    machineTypes: MachineTypeVisualsSchema.optional(),
    /** Empty (or absent) in a new plant file: devices and machines are then added from the twin's layout mode. */
    devices: z.array(DeviceSchema).default([]),
    machines: z.array(MachineSchema).default([]),
  })
  .superRefine((plant, ctx) => {
    const devices = new Map(plant.devices.map((d) => [d.id, d]));
    plant.devices.forEach((d, i) => {
      if (plant.devices.findIndex((o) => o.id === d.id) !== i) ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: `duplicate device id "${d.id}": give each device its own id` });
    });
    const seenMachines = new Set<string>();
    plant.machines.forEach((machine, m) => {
      if (seenMachines.has(machine.id)) {
        ctx.addIssue({ code: 'custom', path: ['machines', m, 'id'], message: `duplicate machine id "${machine.id}"` });
      }
      seenMachines.add(machine.id);
      const device = devices.get(machine.device);
      if (!device) {
        ctx.addIssue({
          code: 'custom',
          path: ['machines', m, 'device'],
          message: devices.size ? `no device "${machine.device}" in devices (known: ${[...devices.keys()].join(', ')})` : `no device "${machine.device}": the plant file has no devices yet, add it under devices: (or from the twin's layout mode)`,
        });
        return;
      }
      checkMachineVisual(machine, plant.machineTypes, (path, message) => ctx.addIssue({ code: 'custom', path: ['machines', m, ...path], message }));
      const seenTags = new Set<string>();
      machine.tags.forEach((tag, t) => {
        const path = ['machines', m, 'tags', t];
        if (seenTags.has(tag.name)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `duplicate tag "${tag.name}"` });
        seenTags.add(tag.name);
        if (device.protocol === 'opcua' && !tag.opcua) {
          ctx.addIssue({ code: 'custom', path: [...path, 'opcua'], message: `device "${device.id}" speaks OPC UA: give the tag an opcua.nodeId` });
        }
        if ((device.protocol === 'modbus-tcp' || device.protocol === 'modbus-rtu') && !tag.modbus) {
          ctx.addIssue({ code: 'custom', path: [...path, 'modbus'], message: `device "${device.id}" speaks Modbus: give the tag a modbus.table and modbus.address` });
        }
        if (tag.modbus && (tag.modbus.table === 'coil' || tag.modbus.table === 'discrete') && tag.type !== 'bool') {
          ctx.addIssue({ code: 'custom', path: [...path, 'type'], message: `a ${tag.modbus.table} holds one bit: use type bool` });
        }
        if (tag.min !== undefined && tag.max !== undefined && tag.min > tag.max) {
          ctx.addIssue({ code: 'custom', path: [...path, 'min'], message: 'min is greater than max' });
        }
        // A command can only be checked against limits that exist: a writable number without them
        // could be driven to anything its register holds (docs/security.md, PLC writes).
        if (tag.writable && tag.type !== 'bool' && tag.type !== 'string') {
          for (const bound of ['min', 'max'] as const) {
            if (tag[bound] === undefined) {
              ctx.addIssue({ code: 'custom', path: [...path, bound], message: `tag "${tag.name}" is writable: give it min and max, the range the edge may write (e.g. min: 50, max: 120), or set writable: false` });
            }
          }
          const range = engineeringRange(tag);
          for (const bound of ['min', 'max'] as const) {
            const v = tag[bound];
            if (v !== undefined && range && (v < range[0] || v > range[1])) {
              ctx.addIssue({ code: 'custom', path: [...path, bound], message: `${bound} ${v} is outside what a ${tag.type}${tag.modbus && (tag.modbus.scale !== 1 || tag.modbus.offset !== 0) ? ` (scale ${tag.modbus.scale}, offset ${tag.modbus.offset})` : ''} can hold: ${range[0]}…${range[1]}` });
            }
          }
        }
      });
    });
    if (plant.alarms) {
      checkAlarmRules(plant.alarms, plant.machines, (path, message) => ctx.addIssue({ code: 'custom', path: ['alarms', ...path], message }));
    }
    if (plant.emissions) {
      checkEmissionSettings(plant.emissions, plant.machines, (path, message) => ctx.addIssue({ code: 'custom', path: ['emissions', ...path], message }));
    }
    if (plant.layout) checkFloorLayout(plant.layout, plant.machines.map((m) => m.id), (path, message) => ctx.addIssue({ code: 'custom', path: ['layout', ...path], message }));
    if (plant.metering) checkMetering(plant.metering, plant.machines, (path, message) => ctx.addIssue({ code: 'custom', path: ['metering', ...path], message }));
  });

export type PlantConfig = z.infer<typeof PlantSchema>;
export type PlantInput = z.input<typeof PlantSchema>;

/** Raw range of each numeric type (float32: its largest finite magnitude). */
export const NUMERIC_TYPE_RANGES: Partial<Record<DataType, readonly [number, number]>> = {
  int16: [-0x8000, 0x7fff], uint16: [0, 0xffff], int32: [-0x80000000, 0x7fffffff], uint32: [0, 0xffffffff],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38], float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

/** The engineering values a tag's type can hold, after Modbus scale and offset; undefined for bool and string. */
export function engineeringRange(tag: Pick<TagConfig, 'type' | 'modbus'>): readonly [number, number] | undefined {
  const raw = NUMERIC_TYPE_RANGES[tag.type];
  if (!raw || !tag.modbus) return raw;
  const a = raw[0] * tag.modbus.scale + tag.modbus.offset;
  const b = raw[1] * tag.modbus.scale + tag.modbus.offset;
  return a <= b ? [a, b] : [b, a];
}

/** Registers a tag occupies on the wire (Modbus), for planners and the simulator. */
export function registerCount(type: DataType, stringLength = 16): number {
  switch (type) {
    case 'bool': case 'int16': case 'uint16': return 1;
    case 'int32': case 'uint32': case 'float32': return 2;
    case 'float64': return 4;
    case 'string': return Math.ceil(stringLength / 2);
  }
}
