// One edge node as the host sees it, rebuilt only from what arrives: NBIRTH gives the line
// (plant view), node metrics and their aliases; DBIRTH a machine's metrics and aliases; DATA
// messages change values by alias; DEATH certificates mark things stale. seq is checked on every
// message after the NBIRTH: a gap (or data from a node the host never saw born) asks for a rebirth
// and ignores data until the new NBIRTH, because values after a gap cannot be trusted to be current.
// Synchronous and deterministic; the MQTT client lives in primary-host.ts.
import { PlantViewSchema, type DeviceHealth, type MachineLive, type PlantView, type Quality } from '../../shared/live-protocol.js';
import { KpiSettingsSchema, ShiftCalendarSchema, type MachineState } from '../../shared/plant-schema.js';
import { AlarmViewSchema, FloodStatusSchema, type AlarmView, type FloodStatus } from '../../shared/alarm-wire.js';
import { EnergyUplinkSchema, MAX_ENERGY_UPLINK_CHARS, type EnergyUplink } from '../../shared/energy-uplink.js';
import { z } from 'zod';
import type { ModelEvent } from '../model/index.js';
import { TagChanges, type TagReading } from '../model/index.js';
import {
  ALARM_METRIC, COMMAND_RESULT, DEVICE_FIELDS, MACHINE_FIELDS, NODE_METRIC, parseDeviceMetricName, qualityFromCode, TAG_PREFIX,
  type KpiSettingsMetric,
} from '../uplink/index.js';
import type { Metric, Payload, SparkplugType } from '../uplink/index.js';
import { nextSeq, type DeviceMessageType, type NodeMessageType } from '../uplink/index.js';

export interface LineKpiView {
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  bottleneck: string | null;
}

const KpiSettingsMetricSchema = z.object({
  timezone: z.string(),
  calendar: ShiftCalendarSchema,
  kpi: KpiSettingsSchema.nullable(),
  co2eKgPerKWh: z.number().min(0),
}) satisfies z.ZodType<KpiSettingsMetric>;
const AlarmListMetricSchema = z.array(AlarmViewSchema);

/** A machine's shift totals as the edge published them (Counts/*, Energy/Shift kWh, Shift/Start). */
export interface PublishedShiftTotals {
  shiftStart: number | null;
  total: number;
  good: number;
  energyKWh: number;
}

interface AliasDef {
  device: string | null;
  name: string;
  type: SparkplugType;
}

export interface MirrorSink {
  /** Machines whose live view changed. */
  touched(machineIds: Iterable<string>): void;
  /** Tag samples and state changes, for the host's historian; `historical`: store-and-forward replays (Sparkplug is_historical). */
  events(events: ModelEvent[], historical: boolean): void;
  /** The line changed shape (a new plant view in an NBIRTH), or appeared. */
  lineChanged(): void;
  /** Ask the edge node for a rebirth (rate-limited by the caller). */
  requestRebirth(reason: string): void;
  /** A Command/Result arrived. */
  commandResult(machineId: string, json: string): void;
  /** The standing alarms of a machine changed (Alarms/List). */
  alarmsChanged?(machineId: string): void;
  /** The edge's shift counts or energy of a machine changed (at `ts`, the edge's time): the host recomputes KPIs from them. */
  totals?(machineId: string, totals: PublishedShiftTotals, ts: number): void;
  /** A new audit anchor of the edge (its JSON, checked for shape and bounded): the host keeps it. */
  auditAnchor?(json: string): void;
  /** The edge's meters with their stored totals (Energy/Meters, validated): the host keeps the totals in the line's history. */
  energy?(uplink: EnergyUplink): void;
  log(level: 'info' | 'warn', message: string): void;
}

export interface MirrorStats {
  messages: number;
  seqGaps: number;
  rebirthRequests: number;
  historicalMetrics: number;
  ignored: number;
}

export class EdgeMirror {
  online = false;
  bdSeq: number | null = null;
  /** null: waiting for an NBIRTH (never born, after a death, or after a gap). */
  expectedSeq: number | null = null;
  plantView: PlantView | null = null;
  private plantViewJson = '';
  readonly machines = new Map<string, MachineLive>();
  readonly devices = new Map<string, DeviceHealth>();
  line: LineKpiView = { availability: null, performance: null, quality: null, oee: null, bottleneck: null };
  readonly aliases = new Map<number, AliasDef>();
  readonly stats: MirrorStats = { messages: 0, seqGaps: 0, rebirthRequests: 0, historicalMetrics: 0, ignored: 0 };
  lastMessageAt: number | null = null;
  /** Shown for nodes that are not twinline edges (no plant view in their NBIRTH). */
  foreign = false;
  /** Calendar and KPI conventions from the NBIRTH; null from an edge that does not publish them (older twinline). */
  kpiSettings: KpiSettingsMetric | null = null;
  /** Standing alarms per machine (Alarms/List), as the edge last published them. */
  readonly alarms = new Map<string, AlarmView[]>();
  flood: FloodStatus | null = null;
  /** When the edge process started (Twinline/Started At), or null. */
  edgeStartedAt: number | null = null;
  /** The edge's latest audit anchor (Twinline/Audit Anchor), JSON as sent. */
  auditAnchor: string | null = null;
  /** The edge's meters as last published (Energy/Meters), or null: no meters, or nothing understood. */
  energy: EnergyUplink | null = null;
  /** Sources of the alarms that belong to no machine (Alarms/Site List), e.g. `energy`: kept in `alarms` under their source. */
  private readonly siteSources = new Set<string>();

  constructor(readonly groupId: string, readonly edgeNodeId: string, private readonly sink: MirrorSink, private readonly now: () => number) {}

  get key(): string {
    return `${this.groupId}/${this.edgeNodeId}`;
  }

  /** Alias of a node metric, for an NCMD (Sparkplug 3.0: commands by alias once one is known). */
  nodeAlias(name: string): number | undefined {
    for (const [alias, d] of this.aliases) if (d.device === null && d.name === name) return alias;
    return undefined;
  }

  deviceAlias(machineId: string, name: string): number | undefined {
    for (const [alias, d] of this.aliases) if (d.device === machineId && d.name === name) return alias;
    return undefined;
  }

  /**
   * One edge's message, applied. Never throws: a message this host cannot apply (whatever part
   * of the path it breaks, the mirror or a sink behind it) is dropped and counted, the node is
   * asked for a rebirth to restate itself, and the host goes on with every other edge.
   */
  handleNode(type: NodeMessageType, payload: Payload): void {
    this.guarded(type, () => this.nodeMessage(type, payload));
  }

  handleDevice(type: DeviceMessageType, deviceId: string, payload: Payload): void {
    this.guarded(`${type} ${String(deviceId).slice(0, 64)}`, () => this.deviceMessage(type, deviceId, payload));
  }

  /** Messages dropped because they could not be applied. */
  rejected = 0;
  private lastRejectLog = -Infinity;

  private guarded(what: string, apply: () => void): void {
    try {
      apply();
    } catch (err) {
      this.rejected++;
      this.stats.ignored++;
      this.expectedSeq = null;
      const t = this.now();
      // Once a minute at most: a broken edge must not flood the host's log either.
      if (t - this.lastRejectLog >= 60_000) {
        this.lastRejectLog = t;
        this.sink.log('warn', `${this.key}: a ${what} could not be applied (${String((err as Error)?.message ?? err).slice(0, 200)}); dropped (${this.rejected} so far), asking for a rebirth`);
      }
      try {
        this.askRebirth(`a ${what} could not be applied`);
      } catch {
        // the rebirth request is best effort
      }
    }
  }

  private nodeMessage(type: NodeMessageType, payload: Payload): void {
    this.stats.messages++;
    this.lastMessageAt = this.now();
    switch (type) {
      case 'NBIRTH': return this.nodeBirth(payload);
      case 'NDEATH': return this.nodeDeath(payload);
      case 'NDATA':
        if (!this.checkSeq(payload, 'NDATA')) return;
        for (const m of payload.metrics) {
          const d = this.resolve(m, null);
          if (d) this.applyNodeMetric(d.name, m);
        }
        return;
      case 'NCMD': return; // another host's command to this node
    }
  }

  private deviceMessage(type: DeviceMessageType, deviceId: string, payload: Payload): void {
    this.stats.messages++;
    this.lastMessageAt = this.now();
    if (type === 'DCMD') return;
    if (!this.checkSeq(payload, type)) return;
    const live = this.machines.get(deviceId);
    if (!live) {
      this.stats.ignored++;
      this.sink.log('warn', `${this.key}: ${type} for "${deviceId}", which is not in the line's plant view: ignored`);
      return;
    }
    if (type === 'DBIRTH') {
      for (const [alias, d] of [...this.aliases]) if (d.device === deviceId) this.aliases.delete(alias);
      for (const m of payload.metrics) {
        if (m.alias !== undefined && m.name !== undefined) this.aliases.set(m.alias, { device: deviceId, name: m.name, type: m.type });
      }
      // A birth states every tag: ones it leaves out are gone.
      live.tags = {};
      this.applyDeviceMetrics(live, payload.metrics, false);
    } else if (type === 'DDATA') {
      this.applyDeviceMetrics(live, payload.metrics, true);
    } else if (type === 'DDEATH') {
      this.markStale(live, payload.timestamp || this.now(), 'device death (DDEATH)');
    }
  }

  // ---- node ----------------------------------------------------------------------------------
  private nodeBirth(payload: Payload): void {
    if (payload.seq !== 0) this.sink.log('warn', `${this.key}: NBIRTH with seq ${payload.seq} (Sparkplug says 0); accepted`);
    for (const [alias, d] of [...this.aliases]) if (d.device === null) this.aliases.delete(alias);
    const byName = new Map<string, Metric>();
    for (const m of payload.metrics) {
      if (m.name === undefined) continue;
      byName.set(m.name, m);
      if (m.alias !== undefined) this.aliases.set(m.alias, { device: null, name: m.name, type: m.type });
    }
    const bd = byName.get(NODE_METRIC.bdSeq)?.value;
    this.bdSeq = typeof bd === 'number' ? bd : null;
    this.expectedSeq = nextSeq(payload.seq ?? 0);
    this.online = true;

    const settingsJson = byName.get(NODE_METRIC.kpiSettings)?.value;
    let settings: KpiSettingsMetric | null = null;
    if (typeof settingsJson === 'string') {
      try {
        const parsed = KpiSettingsMetricSchema.safeParse(JSON.parse(settingsJson));
        if (parsed.success) settings = parsed.data;
      } catch {
        settings = null;
      }
      if (!settings) this.sink.log('warn', `${this.key}: "${NODE_METRIC.kpiSettings}" is not understood; the host shows no KPIs for this line`);
    }
    const settingsChanged = JSON.stringify(settings) !== JSON.stringify(this.kpiSettings);
    this.kpiSettings = settings;
    const started = byName.get(NODE_METRIC.startedAt)?.value;
    this.edgeStartedAt = typeof started === 'number' ? started : null;
    const viewJson = byName.get(NODE_METRIC.plantView)?.value;
    if (typeof viewJson !== 'string') {
      if (!this.foreign) this.sink.log('warn', `${this.key}: NBIRTH without "${NODE_METRIC.plantView}": not a twinline edge; its metrics are not shown`);
      this.foreign = true;
      return;
    }
    if (viewJson !== this.plantViewJson) {
      let parsed;
      try {
        parsed = PlantViewSchema.safeParse(JSON.parse(viewJson));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) {
        this.sink.log('warn', `${this.key}: "${NODE_METRIC.plantView}" is not a plant view this host understands; line not shown`);
        this.foreign = true;
        return;
      }
      this.foreign = false;
      this.plantViewJson = viewJson;
      this.plantView = parsed.data;
      const ids = new Set(parsed.data.machines.map((m) => m.id));
      for (const id of [...this.machines.keys()]) if (!ids.has(id)) this.machines.delete(id);
      for (const id of [...this.alarms.keys()]) if (!ids.has(id)) this.alarms.delete(id);
      for (const m of parsed.data.machines) if (!this.machines.has(m.id)) this.machines.set(m.id, emptyMachine(m.id, payload.timestamp));
      this.devices.clear();
      // In the edge's order (its NBIRTH lists device health in plant-file order), then any the view adds.
      const fromBirth = [...byName.keys()].map((n) => parseDeviceMetricName(n)?.deviceId).filter((id): id is string => !!id);
      for (const id of new Set([...fromBirth, ...parsed.data.machines.map((m) => m.device)])) {
        this.devices.set(id, { deviceId: id, protocol: 'unknown', connected: false, lastError: null, latencyMs: null, readsPerSecond: 0, reconnects: 0 });
      }
      this.sink.lineChanged();
    } else if (settingsChanged) {
      this.sink.lineChanged(); // same machines, another calendar or KPI convention
    }
    for (const [name, m] of byName) this.applyNodeMetric(name, m);
    // The DBIRTHs follow at once and restate every machine; marking them stale in between
    // would only write millisecond no-data intervals into the host's history.
  }

  private nodeDeath(payload: Payload): void {
    const bd = payload.metrics.find((m) => m.name === NODE_METRIC.bdSeq)?.value;
    // A Will from an older session (its bdSeq differs) says nothing about the current one.
    if (this.bdSeq !== null && typeof bd === 'number' && bd !== this.bdSeq) {
      this.sink.log('info', `${this.key}: NDEATH bdSeq ${bd} is from an older session (current ${this.bdSeq}): ignored`);
      return;
    }
    this.online = false;
    this.expectedSeq = null;
    const ts = payload.timestamp || this.now();
    for (const live of this.machines.values()) this.markStale(live, ts, 'edge node death (NDEATH)');
    for (const d of this.devices.values()) d.connected = false;
    this.sink.log('info', `${this.key}: offline (NDEATH)`);
  }

  private applyNodeMetric(name: string, m: Metric): void {
    const v = m.value;
    const num = typeof v === 'number' ? v : null;
    switch (name) {
      case NODE_METRIC.lineOee: this.line.oee = num; return;
      case NODE_METRIC.lineAvailability: this.line.availability = num; return;
      case NODE_METRIC.linePerformance: this.line.performance = num; return;
      case NODE_METRIC.lineQuality: this.line.quality = num; return;
      case NODE_METRIC.lineBottleneck: this.line.bottleneck = typeof v === 'string' ? v : null; return;
      case NODE_METRIC.auditAnchor: {
        // Kept as sent (the HMAC covers it; only the edge's key can check it), if it has an anchor's shape.
        if (typeof v !== 'string' || v.length > 1024 || v === this.auditAnchor) return;
        let shaped = false;
        try {
          const a = JSON.parse(v) as Record<string, unknown>;
          shaped = typeof a.ts === 'number' && typeof a.entries === 'number' && typeof a.head === 'string' && typeof a.mac === 'string';
        } catch {
          shaped = false;
        }
        if (!shaped) return;
        this.auditAnchor = v;
        this.sink.auditAnchor?.(v);
        return;
      }
      case NODE_METRIC.energyMeters: {
        if (typeof v !== 'string' || v.length > MAX_ENERGY_UPLINK_CHARS) return;
        let parsed: EnergyUplink | null = null;
        try {
          const r = EnergyUplinkSchema.safeParse(JSON.parse(v));
          parsed = r.success ? r.data : null;
        } catch {
          parsed = null;
        }
        if (!parsed) {
          this.sink.log('warn', `${this.key}: "${NODE_METRIC.energyMeters}" is not understood; the host leaves this line out of the plant's energy`);
          return;
        }
        this.energy = parsed;
        this.sink.energy?.(parsed);
        return;
      }
      case NODE_METRIC.siteAlarms: {
        this.applySiteAlarms(v);
        return;
      }
      case NODE_METRIC.alarmFlood: {
        let flood: FloodStatus | null = null;
        try {
          const parsed = typeof v === 'string' ? FloodStatusSchema.safeParse(JSON.parse(v)) : null;
          flood = parsed?.success ? parsed.data : null;
        } catch {
          flood = null;
        }
        this.flood = flood;
        return;
      }
    }
    const dev = parseDeviceMetricName(name);
    if (!dev) return;
    const health = this.devices.get(dev.deviceId);
    const field = DEVICE_FIELDS.find((f) => f.field === dev.field);
    if (health && field) field.set(health, v);
  }

  // ---- devices ----------------------------------------------------------------------------------
  private applyDeviceMetrics(live: MachineLive, metrics: Metric[], isData: boolean): void {
    const liveTags: TagReading[] = [];
    const historyTags: TagReading[] = [];
    const machineId = live.machineId;
    const previousState = live.state;
    const before = totalsOf(live);
    let totalsTs: number | null = null;
    let touched = false;
    let latestStateTs = live.stateSince;
    for (const m of metrics) {
      const d = this.resolve(m, machineId);
      if (!d) continue;
      const ts = m.timestamp ?? this.now();
      if (d.name.startsWith(TAG_PREFIX)) {
        const tagName = d.name.slice(TAG_PREFIX.length);
        const quality: Quality = m.properties?.Quality ? qualityFromCode(m.properties.Quality.value) : isData ? (live.tags[tagName]?.quality ?? 'good') : 'good';
        const value = m.value;
        const change: TagReading = { machineId, tagName, value, quality, ts, receivedTs: this.now() };
        if (m.isHistorical) {
          this.stats.historicalMetrics++;
          historyTags.push(change);
          continue; // history for the store; the live view keeps the current value
        }
        // A birth's tag without a value (the machine has no reading yet) is no sample: nothing to store.
        if (isData || value !== null) liveTags.push(change);
        live.tags[tagName] = { value, quality, ts };
        touched = true;
        continue;
      }
      if (m.isHistorical) {
        this.stats.historicalMetrics++;
        continue;
      }
      if (d.name === COMMAND_RESULT) {
        if (isData && typeof m.value === 'string' && m.value) this.sink.commandResult(machineId, m.value);
        continue;
      }
      if (d.name === ALARM_METRIC.list) {
        this.applyAlarmList(machineId, m.value);
        touched = true;
        continue;
      }
      const field = MACHINE_FIELDS.find((f) => f.name === d.name);
      if (!field) continue;
      field.set(live, m.value);
      if (field.name === 'State') latestStateTs = ts;
      if (TOTAL_FIELDS.has(field.name)) totalsTs = Math.max(totalsTs ?? ts, ts);
      touched = true;
    }
    const asEvents = (changes: TagReading[]): ModelEvent[] => (changes.length ? [{ kind: 'tags', changes: TagChanges.from(changes) }] : []);
    const history = asEvents(historyTags);
    const events = asEvents(liveTags);
    if (live.state !== previousState) {
      // "State Since" travels with "State" and is the edge's own time of the change.
      events.push({ kind: 'state', machineId, state: live.state, previous: previousState, ts: live.stateSince || latestStateTs, reason: null });
    }
    if (history.length) this.sink.events(history, true);
    if (events.length) this.sink.events(events, false);
    if (totalsTs !== null) {
      const after = totalsOf(live);
      // A birth restates the totals even when unchanged: the host may have missed some (it started later, or a gap).
      if (!isData || JSON.stringify(after) !== JSON.stringify(before)) this.sink.totals?.(machineId, after, totalsTs);
    }
    if (touched) this.sink.touched([machineId]);
  }

  private applyAlarmList(machineId: string, value: unknown): void {
    const list = parseAlarmList(value);
    if (!list) {
      this.stats.ignored++;
      this.sink.log('warn', `${this.key}: "${ALARM_METRIC.list}" of ${machineId} is not an alarm list; kept the previous one`);
      return;
    }
    this.alarms.set(machineId, list);
    this.sink.alarmsChanged?.(machineId);
  }

  /** Alarms of no machine (a module's derived signals), listed under their source; a machine's own list is never touched here. */
  private applySiteAlarms(value: unknown): void {
    const list = parseAlarmList(value);
    if (!list) {
      this.stats.ignored++;
      this.sink.log('warn', `${this.key}: "${NODE_METRIC.siteAlarms}" is not an alarm list; kept the previous one`);
      return;
    }
    const bySource = new Map<string, AlarmView[]>();
    for (const a of list) {
      if (this.machines.has(a.machineId)) continue;
      bySource.set(a.machineId, [...(bySource.get(a.machineId) ?? []), a]);
    }
    for (const source of [...this.siteSources]) {
      if (bySource.has(source)) continue;
      this.siteSources.delete(source);
      this.alarms.delete(source);
      this.sink.alarmsChanged?.(source);
    }
    for (const [source, alarms] of bySource) {
      if (JSON.stringify(this.alarms.get(source)) === JSON.stringify(alarms)) continue;
      this.siteSources.add(source);
      this.alarms.set(source, alarms);
      this.sink.alarmsChanged?.(source);
    }
  }

  private markStale(live: MachineLive, ts: number, why: string | null): void {
    const previous = live.state;
    for (const t of Object.values(live.tags)) t.quality = 'bad';
    live.state = 'no-data';
    if (previous !== 'no-data') {
      live.stateSince = ts;
      this.sink.events([{ kind: 'state', machineId: live.machineId, state: 'no-data', previous, ts, reason: why }], false);
    }
    this.sink.touched([live.machineId]);
  }

  private resolve(m: Metric, device: string | null): AliasDef | undefined {
    if (m.alias !== undefined) {
      const d = this.aliases.get(m.alias);
      if (d && d.device === device) return d;
      if (d) return undefined;
    }
    if (m.name !== undefined) return { device, name: m.name, type: m.type };
    this.stats.ignored++;
    return undefined;
  }

  /** True when the message is in sequence; otherwise asks for a rebirth and says to ignore it. */
  private checkSeq(payload: Payload, type: string): boolean {
    if (this.expectedSeq === null) {
      this.stats.ignored++;
      this.askRebirth(`${type} from a node without a current NBIRTH`);
      return false;
    }
    if (payload.seq !== this.expectedSeq) {
      this.stats.seqGaps++;
      this.stats.ignored++;
      this.sink.log('warn', `${this.key}: seq gap (expected ${this.expectedSeq}, got ${payload.seq} on ${type}): asking for a rebirth`);
      this.expectedSeq = null;
      this.askRebirth('seq gap');
      return false;
    }
    this.expectedSeq = nextSeq(this.expectedSeq);
    return true;
  }

  private askRebirth(reason: string): void {
    this.stats.rebirthRequests++;
    this.sink.requestRebirth(reason);
  }

  /** The host lost the broker: everything it shows is stale until the next births. */
  brokerLost(): void {
    this.expectedSeq = null;
    this.online = false;
    for (const live of this.machines.values()) this.markStale(live, this.now(), 'host lost the broker');
    for (const d of this.devices.values()) d.connected = false;
  }
}

const TOTAL_FIELDS = new Set(['Counts/Total', 'Counts/Good', 'Energy/Shift kWh', 'Shift/Start']);

function totalsOf(live: MachineLive): PublishedShiftTotals {
  return { shiftStart: live.shift?.start ?? null, total: live.counts.total, good: live.counts.good, energyKWh: live.energyKWh };
}

function emptyMachine(machineId: string, ts: number): MachineLive {
  return {
    machineId, state: 'no-data' as MachineState, stateSince: ts, faultCode: null,
    counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0, oee: { availability: 0, performance: 0, quality: 1, oee: 0 },
    shift: null, tags: {}, updatedAt: ts,
  };
}

/** An alarm list metric (JSON text), or null when it is not one. */
function parseAlarmList(value: unknown): AlarmView[] | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed = AlarmListMetricSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
