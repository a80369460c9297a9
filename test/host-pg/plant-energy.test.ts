// The plant energy report from PostgreSQL: one host stores what the edges publish in Energy/Meters
// (meter definitions and totals); another host, which never saw a message, answers the report
// from the database alone. Figures worked by hand (GB/T 2589 factors as the edges publish them).
import { afterAll, describe, expect, it } from 'vitest';
import { HostPostgresSchema, openPlantDatabase, type PlantDatabase } from '../../edge/host/pg/index.js';
import { plantEnergyReport } from '../../edge/host/plant-energy.js';
import type { EnergyUplink } from '../../shared/energy-uplink.js';
import { startTestPostgres } from './support/postgres.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/host-pg/plant-energy.test.ts skipped: ${started.why}`);

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 8);
const view = (line: string) => ({ site: { id: 's', name: 'S', timezone: 'UTC' }, line: { id: line, name: `Line ${line}` }, machines: [] }) as never;

type Meter = EnergyUplink['meters'][number];
const meter = (id: string, medium: string, unit: string, kgce: number, co2: number, parent: string | null = null, rollover: number | null = null): Meter => ({
  id, name: id, medium, unit, parent, area: null, kgcePerUnit: kgce, kgCO2ePerUnit: co2, rollover, total: null, ts: null,
});
const lineA: EnergyUplink = {
  meters: [meter('main', 'electricity', 'kWh', 0.1229, 0.5366), meter('feeder', 'electricity', 'kWh', 0.1229, 0.5366, 'main'), meter('gas', 'natural-gas', 'm3', 1.2143, 2.165, null, 1000)],
  tariff: null, contractDemandKW: null,
};
/** main 1000 → 1060 kWh, feeder (under main) 500 → 540 kWh, gas 990 → 999 → 20 m³ through its rollover at 1000 (10 + 20 = 30 m³). */
const totals: Record<string, number[]> = { main: [1000, 1030, 1060], feeder: [500, 520, 540], gas: [990, 999, 20] };

describe.skipIf(!started.ok)('plant energy in PostgreSQL', () => {
  const server = started.ok ? started.server : null!;
  const open: PlantDatabase[] = [];
  const host = async (hostId: string) => {
    const db = await openPlantDatabase({ settings: HostPostgresSchema.parse({ url: server.url, flushIntervalMs: 10 }), hostId, env: {}, log: () => undefined, now: () => T0 + 61 * MIN });
    open.push(db);
    return db;
  };

  afterAll(async () => {
    for (const db of open) await db.close();
    await server.stop();
  });

  it('answers every line\'s report on a host that received none of the messages', async () => {
    const writer = await host('plant-a');
    writer.store.writer.line('g/A', 'g', 'A', view('A'), 'UTC');
    writer.store.writer.line('g/B', 'g', 'B', view('B'), 'UTC');
    for (let i = 0; i < 3; i++) {
      const ts = T0 + i * 30 * MIN;
      writer.energy('g/A', { ...lineA, meters: lineA.meters.map((m) => ({ ...m, total: totals[m.id]![i]!, ts })) });
    }
    await writer.store.flush();
    await writer.energySources(T0, T0 + 60 * MIN); // waits for the meter definitions too

    const reader = await host('plant-b');
    const r = plantEnergyReport(await reader.energySources(T0, T0 + 60 * MIN), T0, T0 + 60 * MIN);
    expect(r.lines.map((l) => [l.key, l.name])).toEqual([['g/A', 'Line A']]);
    expect(r.withoutMeters).toEqual(['g/B']);
    const a = r.lines[0]!;
    const consumption = (id: string) => a.report.meters.find((m) => m.id === id)!.consumption;
    expect(consumption('main')).toBeCloseTo(60, 9);
    expect(consumption('feeder')).toBeCloseTo(40, 9);
    expect(consumption('gas')).toBeCloseTo(30, 9);
    // Roots only: 60 × 0.1229 + 30 × 1.2143 = 7.374 + 36.429 kgce; 60 × 0.5366 + 30 × 2.165 = 32.196 + 64.95 kgCO2e.
    expect(r.totalKgce).toBeCloseTo(43.803, 9);
    expect(r.totalKgCO2e).toBeCloseTo(97.146, 9);
    expect(a.report.balance.main).toMatchObject({ childrenConsumption: 40, unmetered: 20 });
    // Half the window: the readings at T0 and T0 + 30 min only (main 30 kWh).
    const half = plantEnergyReport(await reader.energySources(T0, T0 + 30 * MIN), T0, T0 + 30 * MIN);
    expect(half.lines[0]!.report.meters.find((m) => m.id === 'main')!.consumption).toBeCloseTo(30, 9);
  });

  it('keeps one row of meter definitions per line, the totals left out, and follows a change', async () => {
    const writer = open[0]!;
    writer.energy('g/A', { ...lineA, contractDemandKW: 250, meters: lineA.meters.map((m) => ({ ...m, total: 1, ts: T0 })) });
    await writer.energySources(T0, T0 + MIN); // its own writes done
    const sources = await open[1]!.energySources(T0, T0 + MIN);
    const a = sources.find((s) => s.key === 'g/A')!;
    expect(a.uplink?.contractDemandKW).toBe(250);
    expect(a.uplink?.meters.every((m) => m.total === null && m.ts === null)).toBe(true);
    const rows = await writer.store.pool.query('SELECT count(*)::int AS n FROM line_energy_meters');
    expect(rows.rows[0].n).toBe(1);
  });
});
