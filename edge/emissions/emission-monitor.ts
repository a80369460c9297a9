// The emissions module: a ModelEventSink that keeps the latest analyser readings of every
// monitored outlet, samples them on its own clock, builds minute/hour/day records (HJ 75 rules,
// shared/emissions), stores them (emission-store.ts) and queues them as HJ 212 packets for each
// platform (hj212-link.ts). tick(now) does the timed work; start() runs it every second.
import { readFileSync } from 'node:fs';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { OutletConfig, PlatformConfig } from '../../shared/emission-schema.js';
import { decodeFlag, encodeFlag } from '../../shared/hj212/index.js';
import { zoneOffsetMs } from '../../shared/kpi/index.js';
import type { ModelEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import type { Log } from '../logger.js';
import type { EmissionRecord, EmissionStore, Period } from './emission-store.js';
import { createHj212Link, type Hj212Link, type HistoryAnswer, type LinkStatus } from './hj212-link.js';
import { periodPackets, qnMaker, realtimePacket, type PacketContext } from './hj212-packets.js';
import { createPeriodBuilder, type PeriodBuilder } from './period-builder.js';
import { sampleOutlet, type OutletSample, type TagReading } from './outlet-sample.js';
import { ConditionTracker, type EmissionCondition } from './emission-conditions.js';
import { bindEmissionAlarms, type DerivedAlarmTarget } from './emission-alarms.js';
import { massTotals, type MassTotal } from './emission-totals.js';

/** Longest range one history request may ask for, per period. */
const MAX_HISTORY_MS: Record<Period, number> = { minute: 86_400_000, hour: 31 * 86_400_000, day: 366 * 86_400_000 };

export interface EmissionMonitorOptions {
  plant: PlantConfig;
  store: EmissionStore;
  now: () => number;
  log: Log;
  /** Where passwords come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** The alarm engine: the conditions become ISA-18.2 alarms there (without it they are only listed and logged). */
  alarms?: DerivedAlarmTarget;
}

export interface EmissionMonitor extends ModelEventSink {
  /** Samples when due, closes ended periods, queues and sends packets. */
  tick(now?: number): void;
  start(): void;
  stop(): Promise<void>;
  latest(): OutletSample[];
  platforms(): LinkStatus[];
  records(period: Period, outlet: string, from: number, to: number): EmissionRecord[];
  outlets(): readonly OutletConfig[];
  /** Over-limit hours and days, daily permit exceeded, annual permit approaching or exceeded, calibration overdue, lost data. */
  conditions(): EmissionCondition[];
  /** Today's and this year's mass of each pollutant with a permit (as of the last closed minute). */
  totals(): MassTotal[];
}

export function passwordOf(platform: PlatformConfig, env: Record<string, string | undefined>): { password: string } | { error: string } {
  if (platform.passwordEnv) {
    const v = env[platform.passwordEnv];
    if (v) return { password: v };
    if (!platform.passwordFile) return { error: `no HJ 212 password for platform ${platform.id}: set the environment variable ${platform.passwordEnv}` };
  }
  try {
    const line = readFileSync(platform.passwordFile!, 'utf8').split(/\r?\n/)[0]!.trim();
    if (line) return { password: line };
    return { error: `the password file of platform ${platform.id} (${platform.passwordFile}) is empty` };
  } catch (err) {
    return { error: `cannot read the password file of platform ${platform.id}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

export function createEmissionMonitor(options: EmissionMonitorOptions): EmissionMonitor {
  const { plant, store, log } = options;
  const settings = plant.emissions;
  const outlets = settings?.outlets ?? [];
  const machines = new Set(outlets.map((o) => o.machine));
  const readings = new Map<string, TagReading>();
  const timeZone = plant.site.timezone;
  const startedAt = options.now();
  const utcOffsetMinutes = Math.round(zoneOffsetMs(startedAt, timeZone) / 60_000);
  const builder: PeriodBuilder = createPeriodBuilder(outlets, timeZone, startedAt);
  // Continue the open hour and day from what was stored before a restart.
  for (const o of outlets) {
    builder.resume(store.records('minute', o.id, startedAt - 3_600_000, startedAt));
    builder.resume(store.records('hour', o.id, startedAt - 86_400_000, startedAt));
  }
  const nextSample = new Map(outlets.map((o) => [o.id, startedAt]));
  // The last calibration (a minute flagged C) in the stored records, so a restart does not reset the overdue clock.
  const lastCalibrated = new Map<string, number>();
  for (const o of outlets) {
    const lookBack = startedAt - Math.max(48, 2 * o.calibrationOverdueHours) * 3_600_000;
    const c = store.lastFlagged('minute', o.id, o.factors[0]!.code, 'C', lookBack);
    // None: the clock runs from the first minute recorded in the window (a fresh install: from now).
    lastCalibrated.set(o.id, c !== null ? c + 60_000 : store.records('minute', o.id, lookBack, startedAt, 1)[0]?.start ?? startedAt);
  }
  const conditions = new ConditionTracker(outlets, startedAt, lastCalibrated);
  let totals = massTotals(store, outlets, startedAt, timeZone);
  // Minutes the edge was not there to record are lost data too.
  for (const o of outlets) {
    const last = store.lastStart('minute', o.id);
    const gap = last === null ? null : conditions.gap(o.id, last + 60_000, Math.floor(startedAt / 60_000) * 60_000);
    if (gap) log('warn', `emissions: ${gap.en}`);
  }
  conditions.update([], startedAt, totals);
  const feedAlarms = options.alarms ? bindEmissionAlarms(options.alarms, outlets) : null;
  feedAlarms?.(conditions.list());
  const latestSample = new Map<string, OutletSample>();
  const qn = qnMaker(utcOffsetMinutes);
  const links = new Map<string, { link: Hj212Link; ctx: PacketContext; outlets: Set<string>; nextLive: number }>();
  const failed: LinkStatus[] = [];

  for (const platform of settings?.platforms ?? []) {
    const ctx: PacketContext = { platform, utcOffsetMinutes, qn };
    const pw = passwordOf(platform, options.env ?? process.env);
    if ('error' in pw) {
      log('error', pw.error);
      failed.push({ platform: platform.id, host: platform.host, port: platform.port, edition: platform.edition, connected: false, backlog: 0, lastSentAt: null, lastAnswerAt: null, lastError: pw.error, resends: 0 });
      continue;
    }
    const link = createHj212Link({ platform, password: pw.password, store, ctx, now: options.now, log, history: (mn, period, from, to, requestQn) => history(ctx, mn, period, from, to, requestQn) });
    links.set(platform.id, { link, ctx, outlets: new Set(platform.outlets ?? outlets.map((o) => o.id)), nextLive: startedAt });
  }

  function history(ctx: PacketContext, mn: string, period: Period, from: number, to: number, requestQn: string): HistoryAnswer {
    const outlet = outlets.find((o) => o.mn === mn);
    if (!outlet) return { packets: null };
    if (to - from > MAX_HISTORY_MS[period] || to < from) return { packets: [], tooLong: true };
    const byStart = new Map<number, EmissionRecord[]>();
    for (const r of store.records(period, outlet.id, from, to)) byStart.set(r.start, [...(byStart.get(r.start) ?? []), r]);
    const now = options.now();
    // Answers to a request carry its QN and ask for no answer of their own.
    return {
      packets: [...byStart].flatMap(([start, recs]) => periodPackets(ctx, outlet, period, start, recs, now, requestQn)
        .map((p) => ({ header: p.header.map(([k, v]) => [k, k === 'Flag' ? String(encodeFlag(ctx.platform.edition, { split: decodeFlag(Number(v)).split })) : v] as [typeof k, string]), cp: p.cp }))),
    };
  }

  function queue(records: EmissionRecord[], now: number) {
    // Stored first: the totals are read back from the store.
    if (records.length) {
      store.putRecords(records);
      totals = massTotals(store, outlets, now, timeZone);
    }
    for (const c of conditions.update(records, now, records.length ? totals : null)) log('warn', `emissions: ${c.en}`);
    feedAlarms?.(conditions.list());
    if (!records.length) return;
    const groups = new Map<string, EmissionRecord[]>();
    for (const r of records) {
      const key = `${r.period}|${r.outlet}|${r.start}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const entries = [];
    for (const [key, recs] of groups) {
      const [period, outletId, start] = key.split('|') as [Period, string, string];
      const outlet = outlets.find((o) => o.id === outletId)!;
      for (const [id, l] of links) {
        if (!l.outlets.has(outletId)) continue;
        for (const packet of periodPackets(l.ctx, outlet, period, Number(start), recs, now)) {
          entries.push({ platform: id, qn: packet.header[0]![1], cn: packet.header[2]![1], dataTime: Number(start), packet });
        }
      }
    }
    store.enqueue(entries, now);
    for (const l of links.values()) l.link.kick();
  }

  let timer: NodeJS.Timeout | undefined;
  const monitor: EmissionMonitor = {
    name: 'emissions',
    onModelEvents(events: readonly ModelEvent[]) {
      for (const e of events) {
        if (e.kind !== 'tags') continue;
        for (const c of e.changes) {
          if (!machines.has(c.machineId)) continue;
          readings.set(`${c.machineId}.${c.tagName}`, { value: c.value, quality: c.quality, ts: c.ts });
        }
      }
    },
    tick(now = options.now()) {
      // Periods that ended are closed before sampling, so a sample on a boundary opens the next one.
      queue(builder.closeUpTo(now), now);
      for (const o of outlets) {
        if (now < nextSample.get(o.id)!) continue;
        // Freshness is the connector's job (a lost device turns its tags bad); an analyser
        // value that holds still is still a value.
        const sample = sampleOutlet(o, (tag) => {
          const r = readings.get(`${o.machine}.${tag}`);
          return r && { ...r, ts: now };
        }, now);
        builder.add(sample);
        latestSample.set(o.id, sample);
        nextSample.set(o.id, now - (now % (o.sampleSeconds * 1000)) + o.sampleSeconds * 1000);
      }
      for (const l of links.values()) {
        if (!l.ctx.platform.realtimeSeconds || now < l.nextLive) continue;
        l.nextLive = now + l.ctx.platform.realtimeSeconds * 1000;
        for (const o of outlets) {
          const s = latestSample.get(o.id);
          if (s && l.outlets.has(o.id)) l.link.sendLive(realtimePacket(l.ctx, o, s, now));
        }
      }
    },
    start() {
      for (const l of links.values()) l.link.start();
      timer = setInterval(() => {
        try {
          monitor.tick();
        } catch (err) {
          log('error', `emissions: ${(err as Error).message}`);
        }
        // Often enough for 5-second samples on a simulated clock running several times faster than the wall.
      }, 250);
    },
    async stop() {
      clearInterval(timer);
      await Promise.all([...links.values()].map((l) => l.link.stop()));
    },
    latest: () => outlets.map((o) => latestSample.get(o.id)).filter((s): s is OutletSample => !!s),
    platforms: () => [...[...links.values()].map((l) => l.link.status()), ...failed],
    records: (period, outlet, from, to) => store.records(period, outlet, from, to),
    outlets: () => outlets,
    conditions: () => conditions.list(),
    totals: () => totals,
  };
  return monitor;
}
