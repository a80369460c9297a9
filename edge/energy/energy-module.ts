// The edge's energy module: reads the site's meters (machine tags through the model, meter
// devices through connectors of its own), books consumption into its own tables (totals and
// 15-minute blocks), watches the demand of the running block against the contract, and
// answers reports with the shared maths (shared/energy). A ModelEventSink like every other
// consumer of the model.
import { ModbusTcpDeviceSchema, TagSchema, type PlantConfig, type TagConfig } from '../../shared/plant-schema.js';
import { meterFactors, type MeterConfig, type MeterSource } from '../../shared/energy-schema.js';
import { forecastBlock, BLOCK_MS } from '../../shared/energy/index.js';
import { calendarWindows, spreadOver, type LabelledWindow } from '../../shared/energy/index.js';
import { shiftsBetween } from '../../shared/kpi/index.js';
import { reportFromIntervals, type EnergyReport, type MeterIntervals } from '../../shared/energy/index.js';
import type { CounterEvent } from '../../shared/energy/index.js';
import type { DemandStatus, MeterLive } from '../../shared/energy-api.js';
import type { EnergyUplink } from '../../shared/energy-uplink.js';
export type { MeterLive } from '../../shared/energy-api.js';
import { createConnector } from '../connectors/registry.js';
import type { BoundTag, Connector, ConnectorHealth, TagSample } from '../connectors/index.js';
import type { ModelEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import type { Log } from '../logger.js';
import type { DerivedSignal, DerivedSignalSpec } from '../alarms/index.js';
import { MeterFeed, type FeedResult } from './meter-feed.js';
import { openEnergyStore, type EnergyStore, type StoredBlock, type StoredTotal } from './store/energy-store.js';

export interface EnergyModuleOptions {
  plant: PlantConfig;
  dbFile: string;
  dataDir: string;
  now: () => number;
  log: Log;
  /** The edge's alarm engine: the demand alarm is one of its points (`demand@energy`), acknowledged and shelved like any other. */
  alarms?: { derive(spec: DerivedSignalSpec): DerivedSignal };
}

export interface DemandAlarmEvent {
  kind: 'raised' | 'cleared';
  meter: string;
  blockStart: number;
  forecastKW: number;
  contractDemandKW: number;
  ts: number;
}

export interface ReadingEvent {
  meterId: string;
  ts: number;
  total: number;
  increase: number;
  event?: CounterEvent['kind'];
}

export interface MeterFilter { meter?: string; medium?: string; area?: string }

export interface ConsumptionTable {
  bucket: 'hour' | 'shift' | 'day' | 'month';
  buckets: Array<{ label: string; start: number; end: number }>;
  /** Per meter: units per bucket (same order as `buckets`) and how much of each bucket readings covered, ms. */
  meters: Array<{ id: string; medium: string; unit: string; units: number[]; coveredMs: number[] }>;
}

export interface EnergyModule extends ModelEventSink {
  start(): Promise<void>;
  stop(): Promise<void>;
  meters(): MeterLive[];
  demand(): DemandStatus;
  /** One period's report (docs/energy.md) from the stored totals; `filter` picks meters by id, medium or area. */
  report(from: number, to: number, filter?: MeterFilter & { good?: number }): EnergyReport;
  blocks(meterId: string, from: number, to: number): StoredBlock[];
  /** Each chosen meter's consumption per plant-local hour, shift, day or month (rule 4: even use between readings). */
  consumption(from: number, to: number, bucket: 'hour' | 'shift' | 'day' | 'month', filter?: MeterFilter): ConsumptionTable;
  health(): ConnectorHealth[];
  /** What the uplink publishes for the plant host (`Energy/Meters`): last stored totals, factors, tariff, contract. */
  uplink(): EnergyUplink;
  onReading(listener: (r: ReadingEvent) => void): () => void;
  onDemandAlarm(listener: (e: DemandAlarmEvent) => void): () => void;
}

/** Rows one report may read per meter: a month of one-minute totals, with room to spare. */
const MAX_ROWS_PER_METER = 100_000;
/** The forecast is noise in a block's first minutes; it may alarm after this much of the block. */
const FORECAST_SETTLE_MS = 3 * 60_000;

function tagOf(meterId: string, role: 'total' | 'rate' | 'power', src: Extract<MeterSource, { device: string }>): TagConfig {
  return TagSchema.parse({ name: `${meterId}-${role}`, type: src.type, modbus: { ...src.modbus } });
}

export function createEnergyModule(o: EnergyModuleOptions): EnergyModule {
  const metering = o.plant.metering;
  if (!metering) throw new Error('the energy module needs a metering section in the plant file');
  const store: EnergyStore = openEnergyStore(o.dbFile);
  const storeMs = metering.storeIntervalSeconds * 1000;
  const feeds = new Map<string, MeterFeed>(metering.meters.map((m) => [m.id, new MeterFeed(m, storeMs, store.last(m.id))]));
  // Which feed and role a reading is for, by tag id (machine tags) or bound tag id (meter devices).
  const routes = new Map<string, { feed: MeterFeed; role: 'total' | 'rate' | 'power' }>();
  /** Each meter's last stored total: what the plant host gets (it changes at most once per store interval). */
  const lastStored = new Map<string, { ts: number; total: number }>();
  for (const m of metering.meters) {
    const row = store.last(m.id);
    if (row) lastStored.set(m.id, { ts: row.ts, total: row.total });
  }
  const byDevice = new Map<string, BoundTag[]>();
  for (const m of metering.meters) {
    for (const role of ['total', 'rate', 'power'] as const) {
      const src = m[role];
      if (!src) continue;
      if ('tag' in src) routes.set(src.tag, { feed: feeds.get(m.id)!, role });
      else {
        const id = `meter:${m.id}.${role}`;
        routes.set(id, { feed: feeds.get(m.id)!, role });
        const list = byDevice.get(src.device) ?? [];
        list.push({ id, machineId: `meter:${m.id}`, config: tagOf(m.id, role, src) });
        byDevice.set(src.device, list);
      }
    }
  }
  const connectors: Connector[] = metering.devices
    .filter((d) => byDevice.has(d.id))
    .map((d) => createConnector({ device: ModbusTcpDeviceSchema.parse({ ...d }), tags: byDevice.get(d.id)!, now: o.now, dataDir: o.dataDir, log: o.log }));

  const readingListeners = new Set<(r: ReadingEvent) => void>();
  const alarmListeners = new Set<(e: DemandAlarmEvent) => void>();
  const demandMeter = metering.demandMeter ?? metering.tariff?.meter ?? null;
  const contract = metering.contractDemandKW ?? null;
  let alarmBlock: number | null = null;
  const demandSignal = demandMeter && contract !== null && o.alarms
    ? o.alarms.derive({
      id: 'demand', source: 'energy', priority: 'high', limit: contract,
      message: `Demand: the running 15-minute block of ${demandMeter} is heading for {value} kW against the contracted {limit} kW; shed load now`,
    })
    : null;

  function demand(): DemandStatus {
    const feed = demandMeter ? feeds.get(demandMeter) : undefined;
    const now = o.now();
    const blockStart = Math.floor(now / BLOCK_MS) * BLOCK_MS;
    const block = feed?.state.block && feed.state.block.start === blockStart ? feed.state.block : null;
    const presentKW = feed?.state.powerKW ?? feed?.state.ratePerHour ?? null;
    if (!feed || presentKW === null) {
      return { meter: demandMeter, contractDemandKW: contract, blockStart: null, kWhSoFar: 0, forecastKW: null, headroomKW: null, alarm: false };
    }
    // Energy up to the last reading, then the present power for the rest of the block.
    const lastTs = feed.state.ts ?? now;
    const f = forecastBlock(Math.max(lastTs, blockStart), block?.units ?? 0, presentKW, contract ?? undefined);
    return { meter: demandMeter, contractDemandKW: contract, blockStart, kWhSoFar: block?.units ?? 0, forecastKW: f.forecastKW, headroomKW: f.headroomKW, alarm: alarmBlock === blockStart };
  }

  function checkDemand(ts: number): void {
    if (!demandMeter || contract === null) return;
    const d = demand();
    if (d.forecastKW === null || d.blockStart === null) return;
    const blockStart = d.blockStart;
    if (alarmBlock !== null && alarmBlock !== blockStart) {
      const cleared = alarmBlock;
      alarmBlock = null;
      for (const l of alarmListeners) l({ kind: 'cleared', meter: demandMeter, blockStart: cleared, forecastKW: d.forecastKW, contractDemandKW: contract, ts });
    }
    if (alarmBlock === null && ts - blockStart >= FORECAST_SETTLE_MS && d.forecastKW >= contract * metering!.demandAlarmAt) {
      alarmBlock = blockStart;
      o.log('warn', `demand: the 15-minute block from ${new Date(blockStart).toISOString()} is heading for ${d.forecastKW.toFixed(1)} kW against a contract of ${contract} kW; shed load now (${d.headroomKW?.toFixed(1)} kW allowed for the rest of the block)`);
      for (const l of alarmListeners) l({ kind: 'raised', meter: demandMeter, blockStart, forecastKW: d.forecastKW, contractDemandKW: contract, ts });
    }
    // Latched for the block: a forecast hovering at the threshold must not chatter; the block's end clears it.
    demandSignal?.set(alarmBlock === blockStart, Math.round(d.forecastKW * 10) / 10);
  }

  function take(samples: Iterable<{ id: string; value: unknown; ok: boolean; ts: number }>): void {
    const totals: StoredTotal[] = [];
    const blocks: StoredBlock[] = [];
    const seen: ReadingEvent[] = [];
    let demandTouched = false;
    for (const s of samples) {
      const route = routes.get(s.id);
      if (!route || !s.ok || typeof s.value !== 'number' || !Number.isFinite(s.value)) continue;
      if (route.role === 'power') {
        route.feed.power(s.value);
        continue;
      }
      const r: FeedResult = route.role === 'total' ? route.feed.total(s.ts, s.value) : route.feed.rate(s.ts, s.value);
      totals.push(...r.totals);
      blocks.push(...r.blocks);
      if (route.feed.meter.id === demandMeter) demandTouched = true;
      if (route.feed.state.total !== null) {
        seen.push({ meterId: route.feed.meter.id, ts: s.ts, total: route.feed.state.total, increase: r.increase, ...(r.event ? { event: r.event } : {}) });
      }
    }
    try {
      store.write(totals, blocks);
      for (const t of totals) lastStored.set(t.meterId, { ts: t.ts, total: t.total });
    } catch (err) {
      o.log('error', `energy: storing ${totals.length} meter totals failed: ${(err as Error).message}`);
    }
    if (demandTouched) checkDemand(o.now());
    for (const r of seen) for (const l of readingListeners) l(r);
  }

  function fromBatch(samples: TagSample[]) {
    return samples.map((s) => ({ id: s.tag, value: s.value, ok: s.quality === 'good', ts: s.ts }));
  }

  function choose(filter: MeterFilter): MeterConfig[] {
    return metering!.meters.filter((m) =>
      (!filter.meter || m.id === filter.meter) && (!filter.medium || m.medium === filter.medium) && (!filter.area || m.area === filter.area));
  }

  function intervalsOf(m: MeterConfig, from: number, to: number): MeterIntervals {
    const rows = store.totals(m.id, from, to, MAX_ROWS_PER_METER);
    const latest = feeds.get(m.id)!.unstored();
    if (latest && latest.ts <= to && (rows.length === 0 || latest.ts > rows[rows.length - 1]!.ts)) {
      // Its increase counts from the last stored row, which must then be in the window too.
      if (rows.length > 0 || latest.increase === 0) rows.push(latest);
    }
    const intervals = [];
    const events: CounterEvent[] = [];
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1]!;
      const b = rows[i]!;
      intervals.push({ from: a.ts, to: b.ts, units: b.increase });
      if (b.event) events.push({ ts: b.ts, kind: b.event, previous: a.total, total: b.total });
    }
    return {
      id: m.id, medium: m.medium, unit: m.unit, parent: m.parent, ...(m.area ? { area: m.area } : {}), ...meterFactors(m),
      ...(m.rollover !== undefined ? { rollover: m.rollover } : {}),
      intervals, events, covered: rows.length >= 2 ? { from: rows[0]!.ts, to: rows[rows.length - 1]!.ts } : null,
    };
  }

  return {
    name: 'energy',
    onModelEvents(events: readonly ModelEvent[]) {
      const mine: { id: string; value: unknown; ok: boolean; ts: number }[] = [];
      for (const e of events) {
        if (e.kind !== 'tags') continue;
        for (const c of e.changes) if (routes.has(c.tagId)) mine.push({ id: c.tagId, value: c.value, ok: c.quality === 'good', ts: c.ts });
      }
      if (mine.length) take(mine);
    },
    async start() {
      for (const c of connectors) await c.start((batch) => take(fromBatch(batch.toSamples())));
    },
    async stop() {
      for (const c of [...connectors].reverse()) await c.stop().catch((err) => o.log('warn', `stopping ${c.deviceId}: ${(err as Error).message}`));
      store.close();
    },
    meters: () => metering.meters.map((m) => {
      const feed = feeds.get(m.id)!;
      const s = feed.state;
      return {
        id: m.id, name: m.name, medium: m.medium, unit: m.unit, parent: m.parent, area: m.area ?? null,
        total: s.total, ts: s.ts, ratePerHour: s.ratePerHour, powerKW: s.powerKW, lastEvent: s.lastEvent, suspectStuck: feed.suspectStuck(s.ts ?? o.now()),
      };
    }),
    demand,
    report(from, to, filter = {}) {
      const chosen = choose(filter);
      const ids = new Set(chosen.map((m) => m.id));
      const meters = chosen.map((m) => {
        const iv = intervalsOf(m, from, to);
        // A meter whose parent is not in the report is a root of this report (its own site total).
        return ids.has(iv.parent ?? '') ? iv : { ...iv, parent: null };
      });
      const tariff = metering.tariff && ids.has(metering.tariff.meter) ? metering.tariff : undefined;
      return reportFromIntervals(meters, {
        timezone: o.plant.site.timezone,
        period: { start: from, end: to },
        ...(tariff ? { tariff } : {}),
        ...(metering.demandMeter && ids.has(metering.demandMeter) ? { demandMeter: metering.demandMeter } : {}),
        ...(metering.contractDemandKW !== undefined ? { contractDemandKW: metering.contractDemandKW } : {}),
        ...(filter.good !== undefined ? { production: { good: filter.good } } : {}),
        // The baseline models the whole site: only a report of every meter can be held against it.
        ...(metering.baseline && filter.good !== undefined && chosen.length === metering.meters.length ? { baseline: metering.baseline } : {}),
      });
    },
    blocks: (meterId, from, to) => store.blocks(meterId, from, to, MAX_ROWS_PER_METER),
    consumption(from, to, bucket, filter = {}) {
      const tz = o.plant.site.timezone;
      const windows: LabelledWindow[] = bucket === 'shift'
        ? shiftsBetween(o.plant.calendar, tz, from, to).map((s) => ({ start: Math.max(s.start, from), end: Math.min(s.end, to), label: `${s.date} ${s.name}` }))
        : calendarWindows(from, to, bucket, tz).map((w) => ({ ...w, start: Math.max(w.start, from), end: Math.min(w.end, to) }));
      const meters = choose(filter).map((m) => {
        const shares = spreadOver(intervalsOf(m, from, to).intervals, windows);
        return { id: m.id, medium: m.medium, unit: m.unit, units: shares.map((s) => s.units), coveredMs: shares.map((s) => s.coveredMs) };
      });
      return { bucket, buckets: windows.map((w) => ({ label: w.label, start: w.start, end: w.end })), meters };
    },
    health: () => connectors.map((c) => c.health()),
    uplink: () => ({
      meters: metering.meters.map((m) => {
        const last = lastStored.get(m.id);
        return {
          id: m.id, name: m.name.slice(0, 200), medium: m.medium, unit: m.unit, parent: m.parent, area: m.area ?? null, ...meterFactors(m),
          rollover: m.rollover ?? null, total: last?.total ?? null, ts: last?.ts ?? null,
        };
      }),
      tariff: metering.tariff ?? null,
      contractDemandKW: metering.contractDemandKW ?? null,
    }),
    onReading(listener) {
      readingListeners.add(listener);
      return () => readingListeners.delete(listener);
    },
    onDemandAlarm(listener) {
      alarmListeners.add(listener);
      return () => alarmListeners.delete(listener);
    },
  };
}
