// The plant store on a real PostgreSQL: migrations, partitions made on demand and dropped for
// retention, and idempotent writes (a replay or a second host writing the same messages leaves
// one row each).
import { afterAll, describe, expect, it } from 'vitest';
import { openPlantStore, PLANT_STORE_DEFAULTS, type PlantStore } from '../../edge/host/pg/index.js';
import { TagChanges } from '../../edge/model/index.js';
import type { ModelEvent } from '../../edge/model/index.js';
import { startTestPostgres } from './support/postgres.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/host-pg/plant-store.test.ts skipped: ${started.why}`);

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 30, 22, 0, 0); // two days, crossing a month

function samples(line: number, from: number, n: number): ModelEvent[] {
  const readings = Array.from({ length: n }, (_, i) => ({ machineId: `m${line}`, tagName: 'temp', value: i * 0.5, quality: 'good' as const, ts: from + i * 60_000, receivedTs: from + i * 60_000 }));
  return [{ kind: 'tags', changes: TagChanges.from(readings) }];
}

describe.skipIf(!started.ok)('plant store on PostgreSQL', () => {
  const server = started.ok ? started.server : null!;
  let clock = T0 + 2 * DAY;
  const stores: PlantStore[] = [];
  const open = async (url = server.url, retention = {}) => {
    const s = await openPlantStore({ settings: { ...PLANT_STORE_DEFAULTS, url, flushIntervalMs: 10_000, ...retention }, log: () => undefined, now: () => clock });
    stores.push(s);
    return s;
  };
  const count = async (store: PlantStore, q: string) => Number((await store.pool.query(q)).rows[0].n);

  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await server?.stop();
  });

  it('migrates once, even with two hosts starting at the same moment, into partitioned tables', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    expect(a.layout).toBe('partitioned');
    expect(b.layout).toBe('partitioned');
    const kinds = await a.pool.query(`SELECT relname, relkind FROM pg_class WHERE relname IN ('tag_samples','machine_states','shift_counters','alarm_events','shift_totals','shift_losses') ORDER BY 1`);
    expect(kinds.rows.map((r) => `${r.relname}:${r.relkind}`)).toEqual(
      ['alarm_events:p', 'machine_states:p', 'shift_counters:p', 'shift_losses:p', 'shift_totals:p', 'tag_samples:p']);
    // Made ahead: today and the next seven days of samples.
    const ahead = await count(a, `SELECT count(*) AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'tag_samples'`);
    expect(ahead).toBeGreaterThanOrEqual(8);
  });

  it('stores samples once however often they arrive, from one host or two, into day partitions made on demand', async () => {
    const a = stores[0]!;
    const b = stores[1]!;
    // 2 × 2,880 minutes of two lines; line 1 replayed (store-and-forward) and written by the second host too.
    a.writer.events('g/line1', samples(1, T0 - DAY, 2880));
    a.writer.events('g/line2', samples(2, T0 - DAY, 2880));
    await a.flush();
    a.writer.events('g/line1', samples(1, T0 - DAY, 2880));
    b.writer.events('g/line1', samples(1, T0 - DAY, 2880));
    await Promise.all([a.flush(), b.flush()]);
    expect(await count(a, `SELECT count(*) AS n FROM tag_samples`)).toBe(2 * 2880);
    expect(await count(a, `SELECT count(*) AS n FROM tag_samples WHERE line_key = 'g/line1' AND tag = 'temp' AND num = 0.5 * 100`)).toBe(1);
    // Rows sit in the partition of their UTC day.
    const days = await a.pool.query(`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM tag_samples GROUP BY 1 ORDER BY 1`);
    expect(days.rows.map((r) => r.part)).toEqual(['tag_samples_p20261129', 'tag_samples_p20261130', 'tag_samples_p20261201']);
    expect(days.rows.reduce((n, r) => n + r.n, 0)).toBe(5760);
  });

  it('keeps shift counters idempotent and takes a later booking of a shift only when it knows more of it', async () => {
    const a = stores[0]!;
    const shiftStart = T0 - 6 * 3_600_000;
    a.writer.totals('g/line1', 'm1', { shiftStart, total: 10, good: 9, energyKWh: 1.5 }, T0 - 60_000);
    a.writer.totals('g/line1', 'm1', { shiftStart, total: 12, good: 11, energyKWh: 1.75 }, T0);
    await a.flush();
    a.writer.totals('g/line1', 'm1', { shiftStart, total: 12, good: 11, energyKWh: 1.75 }, T0); // again, and an older one late: the same row
    a.writer.totals('g/line1', 'm1', { shiftStart, total: 10, good: 9, energyKWh: 1.5 }, T0 - 60_000);
    const whole = closedShift('m1', shiftStart, 0, 100);
    const partial = closedShift('m1', shiftStart, 3_600_000, 40);
    a.writer.shiftClosed('g/line1', whole);
    await a.flush();
    a.writer.shiftClosed('g/line1', partial); // a host that took over mid-shift: less of the shift, not written
    await a.flush();
    const counters = await a.pool.query(`SELECT total::int, good::int, energy_kwh FROM shift_counters`);
    expect(counters.rows).toEqual([{ total: 12, good: 11, energy_kwh: 1.75 }]);
    const st = await a.pool.query(`SELECT total_count::int, no_data_ms::int FROM shift_totals`);
    expect(st.rows).toEqual([{ total_count: 100, no_data_ms: 0 }]);
    const losses = await a.pool.query(`SELECT reason, ms::int FROM shift_losses ORDER BY reason`);
    expect(losses.rows).toEqual([{ reason: 'spindle', ms: 600_000 }]);
  });

  it('drops whole partitions past retention and refuses rows that would bring them back', async () => {
    const url = await server.createDatabase('retention');
    const s = await open(url, { tagSampleRetentionDays: 2 });
    // Now is T0 + 2 days: of two days of samples from T0 − 1 day, the first day is already past retention.
    s.writer.events('g/line1', samples(1, T0 - DAY, 2880));
    expect(s.health().droppedRows).toBe(1440);
    await s.flush();
    expect(await count(s, `SELECT count(*) AS n FROM tag_samples`)).toBe(1440);
    clock = T0 + 4 * DAY; // two more days pass
    const { dropped } = await s.maintain();
    expect(dropped).toEqual(['tag_samples_p20261130', 'tag_samples_p20261201']);
    expect(await count(s, `SELECT count(*) AS n FROM tag_samples`)).toBe(0);
    const before = s.health().droppedRows;
    s.writer.events('g/line1', samples(1, T0 - DAY, 10)); // a late replay of expired data
    expect(s.health().droppedRows - before).toBe(10);
    await s.flush();
    expect(await count(s, `SELECT count(*) AS n FROM pg_class WHERE relname IN ('tag_samples_p20261129', 'tag_samples_p20261130')`)).toBe(0);
  });
});

function closedShift(machineId: string, start: number, noDataMs: number, total: number) {
  return {
    machineId,
    shift: { name: 'Night', date: '2026-11-30', start, end: start + 8 * 3_600_000 },
    totals: {
      start, end: start + 8 * 3_600_000, calendarMs: 8 * 3_600_000,
      times: { plannedOperationMs: 8 * 3_600_000, plannedDownMs: 0, noDataMs, productionMs: 7 * 3_600_000 - noDataMs, setupMs: 0, breakdownMs: 600_000, microStopMs: 0, idleMs: 3_000_000 },
      stops: { breakdowns: 1, microStops: 0, setups: 0, idles: 1 },
      reasons: { 'breakdown|spindle': { bucket: 'breakdown' as const, reason: 'spindle', ms: 600_000, events: 1 } },
      counts: { total, good: total - 2 },
      idealOutputSeconds: total * 10,
      energy: { kWh: 12, byState: { running: 12, idle: 0, down: 0, setup: 0, 'planned-stop': 0, 'no-data': 0 }, blocks: {} },
    },
  };
}
