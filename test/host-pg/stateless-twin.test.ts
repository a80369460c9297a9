// Stateless hosts for the twin (issue 19.2): host A runs while an edge (the real plant model and
// Sparkplug uplink, fed by the test) publishes through Mosquitto; then host B starts with an empty
// data folder on the same PostgreSQL. B's line API answers the tag trend and the state timelines
// of the time before B started as A's does, equal to what the edge was fed (the ground truth), and
// the replay's count deltas of that time as A's own historian booked them,
// and B's KPI engine starts from the shift so far in the database: its counts equal A's (and the
// edge's) and its state times equal A's within the tolerance explained at the check. A shift
// closes (on A) before B starts: B lists it, and the day it adds up to, as A does.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MachineLive } from '../../shared/live-protocol.js';
import type { AlarmOccurrence, AlarmView } from '../../shared/alarm-wire.js';
import type { CountsAnswer, KpiPeriod, RawPoint, StateInterval, TagTrend } from '../../shared/history-api.js';
import type { ClosedShiftsAnswer, LineClosedShiftsAnswer, MachinesKpiAnswer, PeriodKpiAnswer } from '../../shared/kpi-api.js';
import { formatInstant, periodBounds, shiftAt } from '../../shared/kpi/index.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { withoutBreaks } from '../support/line-harness.js';
import { modelLine } from '../uplink/support/model-line.js';
import { startTestPostgres } from './support/postgres.js';
import { startBroker, tempDir, until, type Broker } from './support/plant-rig.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/host-pg/stateless-twin.test.ts skipped: ${started.why}`);

const GROUP = 'plant';
const NODE = 'line-1';
const KEY = `${GROUP}/${NODE}`;
const plant = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
const tz = plant.site.timezone;
const TICK_MS = 100;

describe.skipIf(!started.ok)('a host that starts late answers the line\'s history from PostgreSQL', () => {
  const server = started.ok ? started.server : null!;
  const tmp = tempDir('twinline-stateless-');
  let broker: Broker | null = null;
  let edge: EdgeNode | null = null;
  const hosts: RunningHost[] = [];
  const logs: string[] = [];

  afterAll(async () => {
    await edge?.stop();
    for (const h of hosts) await h.stop().catch(() => undefined);
    await broker?.stop();
    await server?.stop();
    tmp.remove();
  });

  const host = async (name: string) => {
    const h = await startHost({
      config: parseHostConfig({
        host: { id: 'plant', groups: [GROUP], rebirthMinIntervalSeconds: 0.2 },
        broker: { url: broker!.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
        http: { port: 0, host: '127.0.0.1' },
        auth: { mode: 'demo' },
        postgres: { url: server.url, leaseRetryMs: 200, handoverMs: 1000, flushIntervalMs: 50 },
      }, `${name}.yaml`),
      dataDir: join(tmp.dir, name), uiDir: join(tmp.dir, 'no-ui'), configDir: tmp.dir,
      log: (level, message) => logs.push(`[${name}] ${level} ${message}`),
    });
    hosts.push(h);
    return h;
  };
  const get = async <T>(h: RunningHost, path: string): Promise<T> => {
    const res = await fetch(`${h.url}/lines/${GROUP}/${NODE}${path}`);
    if (!res.ok) throw new Error(`${path} on ${h.url}: ${res.status} ${await res.text()}`);
    return await res.json() as T;
  };

  it('B, started fresh, shows the trend, timelines, closed shifts and shift KPIs from before its start as A does', async () => {
    broker = await startBroker();
    const a = await host('a');
    await until(() => a.plantDb!.primaryHeld && !a.primary.passive && a.primary.health().connected, 20_000, 'host A the primary');
    // A short shift that A closes while the edge publishes (calendars have whole minutes: it ends
    // at the next one at least 6 s away), then one that lasts past the test (both hosts would close
    // it, each at its own moment).
    const change = Math.ceil((Date.now() + 6_000) / 60_000) * 60_000;
    const hhmm = (t: number) => formatInstant(t, tz).slice(11, 16);
    plant.calendar = {
      shifts: [{ name: 'Short', start: hhmm(change - 30 * 60_000), end: hhmm(change), breaks: [] }, { name: 'Long', start: hhmm(change), end: hhmm(change - 30 * 60_000), breaks: [] }],
      workingDays: [1, 2, 3, 4, 5, 6, 7], nonWorkingDates: [],
    };

    // The edge: the real plant model and uplink; its shift counters are the test's (as the edge's KPI engine would publish them).
    const line = modelLine(plant, Date.now());
    const counts = new Map(plant.machines.map((m) => [m.id, { total: 0, good: 0 }]));
    // The edge's shift counters start again with each shift (as its KPI engine's do); those of the short shift are its ground truth.
    let countsShift = shiftAt(plant.calendar, tz, Date.now())?.start ?? 0;
    const closedCounts = new Map<string, { total: number; good: number }>();
    const countsNow = () => {
      const s = shiftAt(plant.calendar, tz, Date.now())?.start ?? 0;
      if (s !== countsShift) {
        countsShift = s;
        for (const [id, c] of counts) {
          closedCounts.set(id, { ...c });
          c.total = 0;
          c.good = 0;
        }
      }
      return counts;
    };
    const edgeStartedAt = Date.now();
    // The washer's breakdown alarm, as the edge's alarm service would list it (raised, then returned, not yet acknowledged).
    let washerAlarm: AlarmView | null = null;
    const source = {
      ...line.source,
      startedAt: edgeStartedAt,
      alarms: () => ({ alarms: washerAlarm ? [washerAlarm] : [], flood: { active: false, since: null, count: 0, windowMinutes: 10, limit: 10 }, ts: Date.now() }),
      machineLive(id: string): MachineLive | undefined {
        const m = line.source.machineLive(id);
        const c = countsNow().get(id);
        const s = shiftAt(plant.calendar, tz, Date.now());
        if (!m || !c) return m;
        return { ...m, counts: { total: c.total, good: c.good, scrap: c.total - c.good }, energyKWh: c.total * 0.05, shift: s && { name: s.name, start: s.start, end: s.end } };
      },
    };
    edge = createEdgeNode({
      settings: UplinkSettingsSchema.parse({
        broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
        groupId: GROUP, edgeNodeId: NODE, primaryHostId: 'plant', publishIntervalMs: 20, refreshIntervalMs: 200,
      }),
      source, dataDir: join(tmp.dir, 'edge'), log: (level, message) => logs.push(`[edge] ${level} ${message}`),
    });
    line.sink = edge;
    edge.start();
    await until(() => edge!.health().online && !!a.line(KEY)?.kpi, 20_000, 'the edge online and its line served by A');

    // Ground truth: what the edge is fed, at the edge's time.
    const speeds: Array<{ ts: number; value: number }> = [];
    const changes = new Map<string, Array<{ ts: number; state: string }>>(plant.machines.map((m) => [m.id, []]));
    const STATES: Record<number, string> = { 1: 'running', 2: 'idle', 3: 'down' };
    let tick = 0;
    // The states and the alarm run from tick `base` on, in the long shift.
    let base = Number.POSITIVE_INFINITY;
    const feed = () => {
      const ts = Date.now();
      const t = tick - base;
      countsNow();
      const samples: Array<{ tag: string; value: number; ts: number }> = [];
      if (tick === 0) for (const m of plant.machines) samples.push({ tag: `${m.id}.state`, value: 1, ts });
      // The mill idles for 2.5 s, the washer breaks down for 2 s; both run again 3 s after the start.
      if (t === 5) samples.push({ tag: 'mill.state', value: 2, ts });
      if (t === 30) samples.push({ tag: 'mill.state', value: 1, ts });
      if (t === 10) samples.push({ tag: 'washer.state', value: 3, ts });
      if (t === 30) samples.push({ tag: 'washer.state', value: 1, ts });
      for (const s of samples) changes.get(s.tag.split('.')[0]!)!.push({ ts, state: STATES[s.value]! });
      if (t === 10) {
        washerAlarm = {
          key: 'breakdown@washer', ruleId: 'breakdown', kind: 'state', machineId: 'washer', tag: 'state', priority: 'high', message: 'Washer: breakdown',
          state: 'active-unacked', active: true, acked: false, occurrenceId: 1, activeTs: ts, ackTs: null, ackBy: null, returnTs: null,
          value: 3, faultCode: 302, shelved: null, outOfService: null, suppressed: false, chattering: false,
        };
      }
      if (t === 30) washerAlarm = { ...washerAlarm!, state: 'rtn-unacked', active: false, returnTs: ts };
      samples.push({ tag: 'mill.spindleSpeed', value: 1000 + tick, ts });
      speeds.push({ ts, value: 1000 + tick });
      // A part per tick on the mill (every fifth scrap), every other tick on the packer; none in
      // the last second of the short shift (a count the host receives after it closed the shift is the next one's).
      if (ts >= change - 1_000 && ts < change) {
        line.feed(samples);
        tick++;
        return;
      }
      const mill = counts.get('mill')!;
      mill.total++;
      if (tick % 5 !== 4) mill.good++;
      if (tick % 2 === 0) { counts.get('packer')!.total++; counts.get('packer')!.good++; }
      line.feed(samples);
      tick++;
    };
    const ticking = async (n: number) => {
      for (let i = 0; i < n; i++) {
        feed();
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
    };
    // The short shift: the line runs (A books it whole) until A has closed it.
    if (Date.now() > change - 1_000) throw new Error(`the edge came online ${Date.now() - change + 1_000} ms too late for the short shift\n${logs.slice(-20).join('\n')}`);
    while (Date.now() < change + 300) await ticking(1);
    base = tick;
    const longFrom = Date.now();
    await ticking(35);

    // Host B: an empty data folder, the same database; it asks the edge for a rebirth to mirror it.
    // The edge goes on publishing meanwhile: the data B sees without a birth makes it ask for one.
    const bStart = Date.now();
    const b = await host('b');
    const more = ticking(10);
    await until(() => !!b.line(KEY)?.kpi, 20_000, 'host B serving the line with its KPI engine');
    await more;
    expect(b.plantDb!.primaryHeld).toBe(false);
    const edgeCounts = () => JSON.stringify([...counts].map(([id, c]) => [id, c.total, c.good]));
    const apiCounts = async (h: RunningHost) => JSON.stringify((await get<MachinesKpiAnswer>(h, '/api/kpi/machines')).machines.map((m) => [m.machineId, m.counts.total, m.counts.good]));
    let seen = '';
    await until(async () => {
      seen = `A ${await apiCounts(a)} B ${await apiCounts(b)}`;
      return seen === `A ${edgeCounts()} B ${edgeCounts()}`;
    }, 20_000, 'both hosts with the edge\'s counts').catch((err) => { throw new Error(`${(err as Error).message}: edge ${edgeCounts()}, ${seen}\n${logs.slice(-20).join('\n')}`); });

    // Tag history of the time before B started: the same answer from both hosts, equal to what was fed.
    const window = `from=${longFrom}&to=${bStart}`;
    const trendA = await get<TagTrend>(a, `/api/history/tags/mill.spindleSpeed?${window}`);
    const trendB = await get<TagTrend>(b, `/api/history/tags/mill.spindleSpeed?${window}`);
    expect(trendB).toEqual(trendA);
    expect(trendB.resolution).toBe('raw');
    const fedBefore = speeds.filter((s) => s.ts >= longFrom && s.ts < bStart);
    expect((trendB.points as RawPoint[]).map((p) => [p.ts, p.value, p.quality])).toEqual(fedBefore.map((s) => [s.ts, s.value, 'good']));
    // B did not mirror that time itself: its own historian holds at most the value its rebirth restated.
    const own = b.line(KEY)!.historian;
    own.flush();
    expect(own.queries.raw('mill.spindleSpeed', edgeStartedAt - 1000, bStart).length).toBeLessThanOrEqual(1);
    expect(own.queries.kpiPeriods('mill', 0, bStart)).toEqual([]);
    // Downsampled: fewer points asked for than samples stored → per-minute aggregates, the same on both.
    const aggA = await get<TagTrend>(a, `/api/history/tags/mill.spindleSpeed?${window}&maxPoints=2`);
    const aggB = await get<TagTrend>(b, `/api/history/tags/mill.spindleSpeed?${window}&maxPoints=2`);
    expect(aggB).toEqual(aggA);
    expect(aggB.resolution).toBe('aggregate');
    // The buckets start at the minute of `from`.
    const fedMinutes = speeds.filter((s) => s.ts >= longFrom - (longFrom % 60_000) && s.ts < bStart);
    const aggPoints = aggB.points as Array<{ avg: number; count: number; min: number; max: number; last: number }>;
    expect(aggPoints.reduce((n, p) => n + p.avg * p.count, 0)).toBeCloseTo(fedMinutes.reduce((n, s) => n + s.value, 0), 6);
    expect(aggPoints.reduce((n, p) => n + p.count, 0)).toBe(fedMinutes.length);
    expect(Math.max(...aggPoints.map((p) => p.max))).toBe(fedBefore.at(-1)!.value);
    expect(aggPoints.at(-1)!.last).toBe(fedBefore.at(-1)!.value);
    expect(aggB.points.every((p) => p.ts % 60_000 === 0 && (p.ts - aggB.points[0]!.ts) % aggB.bucketMs! === 0)).toBe(true);

    // State timelines of the time before B started: equal on both hosts and to the changes fed.
    for (const m of ['mill', 'washer', 'packer']) {
      const sa = await get<{ intervals: StateInterval[] }>(a, `/api/history/states/${m}?${window}`);
      const sb = await get<{ intervals: StateInterval[] }>(b, `/api/history/states/${m}?${window}`);
      expect(sb.intervals, m).toEqual(sa.intervals);
      const fed = changes.get(m)!;
      expect(sb.intervals.map((s) => [s.state, s.startTs]), m).toEqual(fed.map((c) => [c.state, c.ts]));
      expect(sb.intervals.map((s) => s.endTs), m).toEqual([...fed.slice(1).map((c) => c.ts), null]);
    }
    const csv = await fetch(`${b.url}/lines/${GROUP}/${NODE}/api/history/states/mill?${window}&format=csv`);
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split('\n').length).toBe(1 + changes.get('mill')!.length);

    // The trend picker's tag list: the same on both (A's stored the samples), what the edge published.
    const tagsB = await get<{ tags: Array<{ name: string; kind: string }> }>(b, '/api/history/tags');
    expect(tagsB).toEqual(await get<{ tags: Array<{ name: string; kind: string }> }>(a, '/api/history/tags'));
    expect(tagsB.tags.filter((x) => x.name.startsWith('counts:'))).toEqual([]);
    expect(tagsB.tags.filter((x) => x.name.startsWith('mill.'))).toEqual(expect.arrayContaining([{ name: 'mill.spindleSpeed', kind: 'number' }, { name: 'mill.state', kind: 'number' }]));

    // The replay's "values at a moment" before B started: the same on both, the sample fed then.
    const moment = speeds[base + 20]!;
    const valuesA = await get<{ tags: Record<string, RawPoint> }>(a, `/api/history/values/mill?at=${moment.ts}`);
    const valuesB = await get<{ tags: Record<string, RawPoint> }>(b, `/api/history/values/mill?at=${moment.ts}`);
    expect(valuesB).toEqual(valuesA);
    expect(valuesB.tags.spindleSpeed).toEqual({ ts: moment.ts, value: moment.value, quality: 'good' });
    expect(valuesB.tags.state?.value).toBe(2); // the mill idled then

    // The replay's count deltas of that time, with the count since the edge started (across the
    // short shift) as base: B's from the database, as A booked them in its own historian.
    const countsB = await get<CountsAnswer>(b, `/api/history/counts/mill?${window}&since=${edgeStartedAt}`);
    const ownA = a.line(KEY)!.historian;
    ownA.flush();
    expect(countsB).toEqual({
      machineId: 'mill', from: longFrom, to: bStart, since: edgeStartedAt,
      base: ownA.queries.countTotals('mill', edgeStartedAt, longFrom), deltas: ownA.queries.counts('mill', longFrom, bStart),
    });
    expect(countsB.deltas.length).toBeGreaterThan(10);
    expect(countsB.base.total).toBeGreaterThan(closedCounts.get('mill')!.total);
    expect(countsB.deltas.some((d) => d.deltaGood === 0 && d.deltaTotal === 1)).toBe(true); // a scrapped part

    // The alarm journal of that time: the occurrence as the edge listed it, on B as on A.
    const journalA = await get<{ occurrences: AlarmOccurrence[] }>(a, `/api/alarms/history?${window}`);
    const journalB = await get<{ occurrences: AlarmOccurrence[] }>(b, `/api/alarms/history?${window}`);
    expect(journalB).toEqual(journalA);
    const raisedAt = changes.get('washer')![1]!.ts;
    const returnedAt = changes.get('washer')![2]!.ts;
    expect(journalB.occurrences.map((x) => [x.key, x.ruleId, x.kind, x.machineId, x.tag, x.priority, x.state, x.faultCode, x.activeTs, x.ackTs, x.returnTs, x.closedTs])).toEqual([
      ['breakdown@washer', 'breakdown', 'state', 'washer', 'state', 'high', 'rtn-unacked', 302, raisedAt, null, returnedAt, null],
    ]);

    // The shift so far: B's engine (seeded from the database at its start) and A's (which saw it
    // all), read one right after the other. Counts, energy and stops are equal. State times can
    // differ only by a change B neither found in the database when it read its seed nor received
    // itself (one in A's 50-ms write window while B subscribed) — measured 0 ms here; 1 s allows
    // for a loaded CI machine. A B without the seed misses the mill's idle time and the washer's
    // stop before its start: ≥ 3 s off (checked by disabling the seed: the noDataMs check fails).
    let worst = 0;
    const ka = a.line(KEY)!.kpi!.engine;
    const kb = b.line(KEY)!.kpi!.engine;
    for (const m of plant.machines.map((x) => x.id)) {
      const da = ka.details(m)!;
      const db = kb.details(m)!;
      expect(db.shift.start, m).toBe(da.shift.start);
      expect(db.totals.counts, m).toEqual(da.totals.counts);
      expect(db.totals.energy.kWh, m).toBeCloseTo(da.totals.energy.kWh, 9);
      const times = (t: typeof da.totals.times) => Object.entries(t).filter(([, v]) => typeof v === 'number') as Array<[string, number]>;
      const tb = new Map(times(db.totals.times));
      for (const [k, v] of times(da.totals.times)) {
        worst = Math.max(worst, Math.abs(tb.get(k)! - v));
        expect(Math.abs(tb.get(k)! - v), `${m} ${k}: A ${v} ms, B ${tb.get(k)} ms`).toBeLessThan(1000);
      }
      expect(db.totals.stops, m).toEqual(da.totals.stops);
    }
    // The short shift, closed by A before B started: listed by B as by A (B never saw it), with the edge's counts.
    const shifts = `from=${edgeStartedAt - 60 * 60_000}&to=${bStart}`;
    const closedA = await get<ClosedShiftsAnswer>(a, `/api/kpi/machines/mill/shifts?${shifts}`);
    const closedB = await get<ClosedShiftsAnswer>(b, `/api/kpi/machines/mill/shifts?${shifts}`);
    expect(closedB).toEqual(closedA);
    expect(closedB.shifts.map((x) => [x.shift.name, x.shift.end, x.totals.counts])).toEqual([['Short', change, closedCounts.get('mill')]]);
    // Read back as A's engine booked it (times, stops by reason, kWh by state and demand block).
    expect(closedB.shifts[0]!.totals).toEqual(a.line(KEY)!.kpi!.engine.closedShifts('mill')[0]!.totals);
    expect(closedB.shifts[0]!.totals.energy.kWh).toBeCloseTo(closedCounts.get('mill')!.total * 0.05, 9);
    expect(closedB.shifts[0]!.totals.times.productionMs).toBeGreaterThan(0);
    expect(await get<LineClosedShiftsAnswer>(b, `/api/kpi/line/shifts?${shifts}`)).toEqual(await get<LineClosedShiftsAnswer>(a, `/api/kpi/line/shifts?${shifts}`));
    const storedA = await get<{ periods: KpiPeriod[] }>(a, `/api/history/kpi/packer?${shifts}`);
    expect(await get<{ periods: KpiPeriod[] }>(b, `/api/history/kpi/packer?${shifts}`)).toEqual(storedA);
    expect(storedA.periods.map((x) => [x.name, x.totalCount, x.goodCount])).toEqual([['Short', closedCounts.get('packer')!.total, closedCounts.get('packer')!.good]]);
    // The day so far: the short shift (if it started today) and the current one, the same on both.
    const dayA = await get<PeriodKpiAnswer>(a, '/api/kpi/machines/mill/periods/day');
    const dayB = await get<PeriodKpiAnswer>(b, '/api/kpi/machines/mill/periods/day');
    expect(dayB.report.kpis.counts).toEqual(dayA.report.kpis.counts);
    const shortToday = change - 30 * 60_000 >= periodBounds('day', Date.now(), tz).start;
    expect(dayB.report.kpis.counts.total).toBe(counts.get('mill')!.total + (shortToday ? closedCounts.get('mill')!.total : 0));

    console.log(`stateless twin: B's shift times within ${worst} ms of A's; ${fedBefore.length} samples and ${changes.get('mill')!.length} mill states before B started, answered by B from the database`);
    // The washer's stop before B started (shorter than the micro-stop threshold, so a micro-stop) is on B too.
    const washer = kb.details('washer')!.totals;
    expect(washer.times.microStopMs + washer.times.breakdownMs).toBeGreaterThan(1000);
    expect(washer.stops.microStops + washer.stops.breakdowns).toBe(1);
  }, 150_000);
});
