// What an edge node publishes, metric by metric: names, Sparkplug types and aliases, and how
// each machine/device/line field maps to a metric and back. The edge builds the catalogue from
// its plant file; the host reads the same names back out of the births (it never needs the
// plant file), so this table is the contract between the two.
import { createHash } from 'node:crypto';
import { MACHINE_STATES, type MachineState, type PlantConfig, type TagConfig } from '../../shared/plant-schema.js';
import type { DeviceHealth, MachineLive, Quality, TagValue } from '../../shared/live-protocol.js';
import { QUALITY_CODE, type MetricValue, type SparkplugType } from './sparkplug-codec.js';

export const NODE_METRIC = {
  bdSeq: 'bdSeq',
  rebirth: 'Node Control/Rebirth',
  software: 'Properties/Software',
  /** The line as the twin draws it (shared/live-protocol.ts PlantView), JSON. */
  plantView: 'Twinline/Plant View',
  lineOee: 'Line/OEE',
  lineAvailability: 'Line/Availability',
  linePerformance: 'Line/Performance',
  lineQuality: 'Line/Quality',
  lineBottleneck: 'Line/Bottleneck',
  queuedMetrics: 'Uplink/Store And Forward/Queued Metrics',
  droppedMetrics: 'Uplink/Store And Forward/Dropped Metrics',
  /**
   * What a host needs to recompute the line's KPIs from the mirrored states and counts, JSON
   * (KpiSettingsMetric): the shift calendar, time zone, KPI conventions and CO2e factor.
   */
  kpiSettings: 'Twinline/KPI Settings',
  /**
   * When this edge process started: its KPI engine knows nothing before (no data), even when a
   * machine's State Since is older. A host recomputing the KPIs books from here too.
   */
  startedAt: 'Twinline/Started At',
  /** The alarm flood status of the line (shared/alarm-wire.ts FloodStatus), JSON. */
  alarmFlood: 'Alarms/Flood',
  /**
   * The edge's latest audit anchor (edge/audit/audit-anchors.ts: entries, head hash, time, HMAC),
   * JSON: the host keeps each one, so a log truncated or rewritten on the edge disagrees with a
   * copy the edge cannot reach.
   */
  auditAnchor: 'Twinline/Audit Anchor',
  /** The line's meters with their last stored totals, factors, tariff and contract (shared/energy-api.ts EnergyUplink), JSON: the host aggregates energy across lines. */
  energyMeters: 'Energy/Meters',
  /**
   * Standing alarms that belong to no machine (derived signals of a module, e.g. the energy
   * demand `demand@energy`), AlarmView[] as JSON without diagnosis: the host lists them with the line's.
   */
  siteAlarms: 'Alarms/Site List',
} as const;

/**
 * Per machine: its standing alarms. Counts and the highest priority for SCADA tools that read
 * plain metrics; the list (AlarmView[] as JSON, without diagnosis) for a twinline host.
 */
export const ALARM_METRIC = {
  active: 'Alarms/Active',
  unacknowledged: 'Alarms/Unacknowledged',
  highestPriority: 'Alarms/Highest Priority',
  list: 'Alarms/List',
} as const;

/** The JSON of NODE_METRIC.kpiSettings. */
export interface KpiSettingsMetric {
  timezone: string;
  calendar: PlantConfig['calendar'];
  kpi: PlantConfig['kpi'] | null;
  co2eKgPerKWh: number;
}

export function kpiSettingsOf(plant: PlantConfig): KpiSettingsMetric {
  return { timezone: plant.site.timezone, calendar: plant.calendar, kpi: plant.kpi ?? null, co2eKgPerKWh: plant.energy.co2eKgPerKWh };
}

export const TAG_PREFIX = 'Tags/';
export const COMMAND_REQUEST = 'Command/Request';
export const COMMAND_RESULT = 'Command/Result';
export const SOFTWARE = 'twinline 0.1 (Sparkplug B 3.0)';

export interface MetricDef {
  name: string;
  alias: number;
  type: SparkplugType;
  /** Machine id for device metrics, null for node metrics. */
  device: string | null;
  /** Extra birth properties (engineering unit). */
  unit?: string;
  /** For tag metrics: the tag name. */
  tag?: string;
  writable?: boolean;
}

/** A machine field carried as a device metric, with the way back for the host. */
export interface MachineField {
  name: string;
  type: SparkplugType;
  get(live: MachineLive): MetricValue;
  set(live: MachineLive, value: MetricValue): void;
}

const num = (v: MetricValue, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

function ensureShift(live: MachineLive) {
  live.shift ??= { name: '', start: 0, end: 0 };
  return live.shift;
}

export const MACHINE_FIELDS: readonly MachineField[] = [
  {
    name: 'State', type: 'String', get: (l) => l.state,
    set: (l, v) => { l.state = typeof v === 'string' && (MACHINE_STATES as readonly string[]).includes(v) ? (v as MachineState) : 'no-data'; },
  },
  { name: 'State Since', type: 'DateTime', get: (l) => l.stateSince, set: (l, v) => { l.stateSince = num(v, l.stateSince); } },
  { name: 'Fault Code', type: 'Int32', get: (l) => l.faultCode, set: (l, v) => { l.faultCode = typeof v === 'number' ? v : null; } },
  { name: 'Counts/Total', type: 'Int64', get: (l) => l.counts.total, set: (l, v) => { l.counts.total = num(v); } },
  { name: 'Counts/Good', type: 'Int64', get: (l) => l.counts.good, set: (l, v) => { l.counts.good = num(v); } },
  { name: 'Counts/Scrap', type: 'Int64', get: (l) => l.counts.scrap, set: (l, v) => { l.counts.scrap = num(v); } },
  { name: 'Energy/Shift kWh', type: 'Double', get: (l) => l.energyKWh, set: (l, v) => { l.energyKWh = num(v); } },
  { name: 'OEE/Availability', type: 'Double', get: (l) => l.oee.availability, set: (l, v) => { l.oee.availability = num(v); } },
  { name: 'OEE/Performance', type: 'Double', get: (l) => l.oee.performance, set: (l, v) => { l.oee.performance = num(v); } },
  { name: 'OEE/Quality', type: 'Double', get: (l) => l.oee.quality, set: (l, v) => { l.oee.quality = num(v, 1); } },
  { name: 'OEE/OEE', type: 'Double', get: (l) => l.oee.oee, set: (l, v) => { l.oee.oee = num(v); } },
  {
    name: 'Shift/Name', type: 'String', get: (l) => l.shift?.name ?? null,
    set: (l, v) => { if (typeof v === 'string') ensureShift(l).name = v; else l.shift = null; },
  },
  { name: 'Shift/Start', type: 'DateTime', get: (l) => l.shift?.start ?? null, set: (l, v) => { if (typeof v === 'number' && l.shift) l.shift.start = v; } },
  { name: 'Shift/End', type: 'DateTime', get: (l) => l.shift?.end ?? null, set: (l, v) => { if (typeof v === 'number' && l.shift) l.shift.end = v; } },
  { name: 'Updated At', type: 'DateTime', get: (l) => l.updatedAt, set: (l, v) => { l.updatedAt = num(v, l.updatedAt); } },
];

export interface DeviceField {
  field: string;
  type: SparkplugType;
  get(h: DeviceHealth): MetricValue;
  set(h: DeviceHealth, value: MetricValue): void;
}

export const DEVICE_FIELDS: readonly DeviceField[] = [
  { field: 'Protocol', type: 'String', get: (h) => h.protocol, set: (h, v) => { h.protocol = typeof v === 'string' ? v : h.protocol; } },
  { field: 'Connected', type: 'Boolean', get: (h) => h.connected, set: (h, v) => { h.connected = v === true; } },
  { field: 'Last Error', type: 'String', get: (h) => h.lastError, set: (h, v) => { h.lastError = typeof v === 'string' ? v : null; } },
  // Rounded: a latency or a rate that moves in the last digit is not news worth a message.
  { field: 'Latency ms', type: 'Double', get: (h) => (h.latencyMs === null ? null : Math.round(h.latencyMs)), set: (h, v) => { h.latencyMs = typeof v === 'number' ? v : null; } },
  { field: 'Reads Per Second', type: 'Double', get: (h) => Math.round(h.readsPerSecond * 10) / 10, set: (h, v) => { h.readsPerSecond = num(v); } },
  { field: 'Reconnects', type: 'Int64', get: (h) => h.reconnects, set: (h, v) => { h.reconnects = num(v); } },
];

export const deviceMetricName = (deviceId: string, field: string) => `Devices/${deviceId}/${field}`;

/** `Devices/<id>/<field>` → its parts, or null. */
export function parseDeviceMetricName(name: string): { deviceId: string; field: string } | null {
  const m = /^Devices\/([^/]+)\/(.+)$/.exec(name);
  return m ? { deviceId: m[1]!, field: m[2]! } : null;
}

function isScaled(tag: TagConfig): boolean {
  return !!tag.modbus && (tag.modbus.scale !== 1 || tag.modbus.offset !== 0);
}

/** The Sparkplug type of a tag's engineering value: a scaled integer register is a Double. */
export function tagMetricType(tag: TagConfig): SparkplugType {
  switch (tag.type) {
    case 'bool': return 'Boolean';
    case 'string': return 'String';
    case 'float32': return isScaled(tag) ? 'Double' : 'Float';
    case 'float64': return 'Double';
    case 'int16': return isScaled(tag) ? 'Double' : 'Int16';
    case 'uint16': return isScaled(tag) ? 'Double' : 'UInt16';
    case 'int32': return isScaled(tag) ? 'Double' : 'Int32';
    case 'uint32': return isScaled(tag) ? 'Double' : 'UInt32';
  }
}

const INT_RANGE: Partial<Record<SparkplugType, [number, number]>> = {
  Int8: [-128, 127], Int16: [-32768, 32767], Int32: [-(2 ** 31), 2 ** 31 - 1],
  UInt8: [0, 255], UInt16: [0, 65535], UInt32: [0, 2 ** 32 - 1],
  Int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], UInt64: [0, Number.MAX_SAFE_INTEGER], DateTime: [0, Number.MAX_SAFE_INTEGER],
};

/** A value the metric's type can carry, or null (sent as is_null) when it cannot. */
export function coerceValue(type: SparkplugType, value: TagValue | MetricValue): MetricValue {
  if (value === null) return null;
  switch (type) {
    case 'Boolean': return typeof value === 'boolean' ? value : typeof value === 'number' ? value !== 0 : null;
    case 'String': case 'Text': return typeof value === 'string' ? value : String(value);
    case 'Float': case 'Double': return typeof value === 'number' && !Number.isNaN(value) ? value : typeof value === 'boolean' ? Number(value) : null;
    default: {
      const n = typeof value === 'boolean' ? Number(value) : value;
      const range = INT_RANGE[type];
      if (typeof n !== 'number' || !Number.isInteger(n) || !range || n < range[0] || n > range[1]) return null;
      return n;
    }
  }
}

export const qualityCode = (q: Quality): number => QUALITY_CODE[q];
export function qualityFromCode(code: MetricValue | undefined): Quality {
  if (code === undefined || code === QUALITY_CODE.good) return 'good';
  return code === QUALITY_CODE.uncertain ? 'uncertain' : 'bad';
}

export interface Catalogue {
  node: MetricDef[];
  /** Machine id → its metrics: MACHINE_FIELDS first, then commands, alarms, then one per tag. */
  devices: Map<string, MetricDef[]>;
  /** Device ids (connectors) whose health is published as node metrics. */
  deviceIds: string[];
  byName(device: string | null, name: string): MetricDef | undefined;
  byAlias(alias: number): MetricDef | undefined;
  /** Hash of names and types in alias order: changes whenever an alias would mean something else. */
  fingerprint: string;
}

/**
 * Aliases are unique across the edge node's whole set of metrics (Sparkplug 3.0 §6.4.5) and
 * deterministic for a given plant file: node metrics first, then machines in file order.
 */
export function buildCatalogue(plant: PlantConfig): Catalogue {
  let alias = 0;
  const node: MetricDef[] = [];
  const def = (device: string | null, name: string, type: SparkplugType, extra: Partial<MetricDef> = {}): MetricDef => ({ name, alias: alias++, type, device, ...extra });

  node.push(def(null, NODE_METRIC.bdSeq, 'UInt64'));
  node.push(def(null, NODE_METRIC.rebirth, 'Boolean'));
  node.push(def(null, NODE_METRIC.software, 'String'));
  node.push(def(null, NODE_METRIC.plantView, 'String'));
  node.push(def(null, NODE_METRIC.lineOee, 'Double'));
  node.push(def(null, NODE_METRIC.lineAvailability, 'Double'));
  node.push(def(null, NODE_METRIC.linePerformance, 'Double'));
  node.push(def(null, NODE_METRIC.lineQuality, 'Double'));
  node.push(def(null, NODE_METRIC.lineBottleneck, 'String'));
  node.push(def(null, NODE_METRIC.queuedMetrics, 'Int64'));
  node.push(def(null, NODE_METRIC.droppedMetrics, 'Int64'));
  node.push(def(null, NODE_METRIC.kpiSettings, 'String'));
  node.push(def(null, NODE_METRIC.alarmFlood, 'String'));
  node.push(def(null, NODE_METRIC.auditAnchor, 'String'));
  node.push(def(null, NODE_METRIC.energyMeters, 'String'));
  node.push(def(null, NODE_METRIC.siteAlarms, 'String'));
  node.push(def(null, NODE_METRIC.startedAt, 'DateTime'));
  const deviceIds = plant.devices.map((d) => d.id);
  for (const id of deviceIds) {
    for (const f of DEVICE_FIELDS) node.push(def(null, deviceMetricName(id, f.field), f.type));
  }

  const devices = new Map<string, MetricDef[]>();
  for (const m of plant.machines) {
    const defs: MetricDef[] = MACHINE_FIELDS.map((f) => def(m.id, f.name, f.type));
    defs.push(def(m.id, COMMAND_REQUEST, 'String', { writable: true }));
    defs.push(def(m.id, COMMAND_RESULT, 'String'));
    defs.push(def(m.id, ALARM_METRIC.active, 'Int32'));
    defs.push(def(m.id, ALARM_METRIC.unacknowledged, 'Int32'));
    defs.push(def(m.id, ALARM_METRIC.highestPriority, 'String'));
    defs.push(def(m.id, ALARM_METRIC.list, 'String'));
    for (const t of m.tags) {
      defs.push(def(m.id, TAG_PREFIX + t.name, tagMetricType(t), { tag: t.name, unit: t.unit, writable: t.writable }));
    }
    devices.set(m.id, defs);
  }

  const byAlias = new Map<number, MetricDef>();
  const byName = new Map<string, MetricDef>();
  for (const d of [...node, ...[...devices.values()].flat()]) {
    byAlias.set(d.alias, d);
    byName.set(`${d.device ?? ''}\u0000${d.name}`, d);
  }
  const fingerprint = createHash('sha256').update([...byAlias.values()].map((d) => `${d.alias}:${d.device ?? ''}:${d.name}:${d.type}`).join('\n')).digest('hex');
  return {
    node, devices, deviceIds, fingerprint,
    byName: (device, name) => byName.get(`${device ?? ''}\u0000${name}`),
    byAlias: (a) => byAlias.get(a),
  };
}
