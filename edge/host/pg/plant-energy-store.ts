// The plant's energy from PostgreSQL: each line's meters (line_energy_meters, written when what an
// edge publishes in Energy/Meters changes, totals aside) and the meters' totals (tag samples
// meter:<id>/total, stored with the line's other samples) and the good output of each line's
// output machine (its good count over time, also tag samples), handed to the same report as on a
// host without a database (plant-energy.ts). Any host, a standby that just took over included,
// answers for every line and for as far back as the tag samples are kept.
import type pg from 'pg';
import type { Log } from '../../logger.js';
import type { EnergyUplink } from '../../../shared/energy-uplink.js';
import type { RawPoint } from '../../../shared/history-api.js';
import { outputMachineOf, type LineEnergySource } from '../plant-energy.js';

/**
 * The good count over time: each shift total the host receives for a machine is also a tag sample
 * (machine `counts:<id>`, tag `good`, the shift's start in epoch ms as its text). shift_counters
 * keeps only a shift's last figures; these give the good output of any window, partial shifts included.
 */
export const GOOD_COUNT_TAG = 'good';
/** The shift's total count beside it (same machine, time and text): the replay's count deltas (line-history.ts). */
export const TOTAL_COUNT_TAG = 'total';
export const goodCountMachine = (machineId: string): string => `counts:${machineId}`;

/** What a line's report needs besides the totals: the uplink with each meter's total and time left out. */
const meterDefinitions = (u: EnergyUplink): EnergyUplink => ({ ...u, meters: u.meters.map((m) => ({ ...m, total: null, ts: null })) });

export interface MeterDefinitionWriter {
  write(lineKey: string, uplink: EnergyUplink): void;
  /** Resolves when the writes started so far have ended. */
  settled(): Promise<void>;
}

/**
 * Writes a line's meter definitions when they differ from the last written (Energy/Meters repeats
 * them with every new total); a failed write is logged and tried again with the next message.
 */
export function createMeterDefinitionWriter(pool: pg.Pool, log: Log, now: () => number): MeterDefinitionWriter {
  const written = new Map<string, string>();
  const inFlight = new Set<Promise<unknown>>();
  return {
    write(lineKey, uplink) {
      const json = JSON.stringify(meterDefinitions(uplink));
      if (written.get(lineKey) === json) return;
      written.set(lineKey, json);
      const p = pool.query(`INSERT INTO line_energy_meters (line_key, meters, updated_at) VALUES ($1, $2::jsonb, $3)
        ON CONFLICT (line_key) DO UPDATE SET meters = EXCLUDED.meters, updated_at = EXCLUDED.updated_at`, [lineKey, json, new Date(now()).toISOString()])
        .catch((err: Error) => {
          if (written.get(lineKey) === json) written.delete(lineKey);
          log('warn', `plant store: cannot store the meters of ${lineKey} (${err.message}); tried again with its next Energy/Meters`);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async settled() {
      await Promise.all([...inFlight]);
    },
  };
}

/**
 * Good parts of each line's output machine (the last in flow order) in [from, to], as the host
 * without a database books them (line-kpi.ts: the differences of the edge's shift totals at the
 * times they arrived, summed over the window): per shift, its last good count in the window less
 * its last one before the window (0 for a shift that began in it). Lines without machines: absent.
 */
async function goodOutput(pool: pg.Pool, lines: ReadonlyArray<{ line_key: string; machines: Array<{ id: string }> | null }>, from: number, to: number): Promise<Map<string, number>> {
  const keys = lines.flatMap((l) => {
    const output = outputMachineOf((l.machines ?? []).map((m) => m.id));
    return output ? [[l.line_key, goodCountMachine(output)] as const] : [];
  });
  const out = new Map<string, number>(keys.map(([line]) => [line, 0]));
  if (!keys.length) return out;
  // Through tag_samples' primary key (line, machine, tag, ts): the window's rows, and per shift one row before it.
  const r = await pool.query<{ line_key: string; good: number }>(`
    WITH w AS (
      SELECT s.line_key, s.machine_id, s.txt AS shift, (array_agg(s.num ORDER BY s.ts DESC))[1] AS at_end
      FROM unnest($1::text[], $2::text[]) AS k(line_key, machine_id)
      JOIN tag_samples s ON s.line_key = k.line_key AND s.machine_id = k.machine_id AND s.tag = $3
        AND s.ts >= $4::timestamptz AND s.ts <= $5::timestamptz AND s.txt IS NOT NULL
      GROUP BY 1, 2, 3)
    SELECT w.line_key, sum(w.at_end - coalesce(b.num, 0))::float8 AS good
    FROM w LEFT JOIN LATERAL (
      SELECT p.num FROM tag_samples p
      WHERE p.line_key = w.line_key AND p.machine_id = w.machine_id AND p.tag = $3 AND p.txt = w.shift
        AND p.ts < $4::timestamptz AND p.ts >= to_timestamp(w.shift::float8 / 1000.0)
      ORDER BY p.ts DESC LIMIT 1) b ON true
    GROUP BY 1`, [keys.map((k) => k[0]), keys.map((k) => k[1]), GOOD_COUNT_TAG, new Date(from).toISOString(), new Date(to).toISOString()]);
  // As the host without a database: a window whose scrap outweighs its parts counts no output.
  for (const row of r.rows) out.set(row.line_key, Math.max(0, row.good));
  return out;
}

/** Every line of the plant with its stored meters (none: listed without meters) and their totals in [from, to] loaded (the report reads them synchronously). */
export async function plantEnergySources(pool: pg.Pool, from: number, to: number): Promise<LineEnergySource[]> {
  const lines = await pool.query<{ line_key: string; name: string; timezone: string; machines: Array<{ id: string }> | null; meters: EnergyUplink | null }>(`
    SELECT l.line_key, l.name, l.timezone, l.machines, e.meters FROM plant_lines l LEFT JOIN line_energy_meters e ON e.line_key = l.line_key ORDER BY l.line_key`);
  if (!lines.rows.some((l) => l.meters)) return lines.rows.map((l) => ({ key: l.line_key, name: l.name, timezone: l.timezone, uplink: null, history: () => [] }));
  const good = await goodOutput(pool, lines.rows.filter((l) => l.meters), from, to);
  // By line and meter, so each day's partition is read through its primary key (line, machine, tag, ts)
  // rather than scanned for meters among all the line's samples.
  const keys = lines.rows.flatMap((l) => (l.meters?.meters ?? []).map((m) => [l.line_key, `meter:${m.id}`] as const));
  const samples = await pool.query<{ line_key: string; machine_id: string; ts: number; num: number | null; quality: RawPoint['quality'] }>(`
    SELECT s.line_key, s.machine_id, (extract(epoch FROM s.ts) * 1000)::float8 AS ts, s.num, s.quality
    FROM unnest($1::text[], $2::text[]) AS k(line_key, machine_id)
    JOIN tag_samples s ON s.line_key = k.line_key AND s.machine_id = k.machine_id AND s.tag = 'total' AND s.ts >= $3::timestamptz AND s.ts <= $4::timestamptz
    ORDER BY 1, 2, s.ts`, [keys.map((k) => k[0]), keys.map((k) => k[1]), new Date(from).toISOString(), new Date(to + 1).toISOString()]);
  const byTag = new Map<string, RawPoint[]>();
  for (const s of samples.rows) {
    const key = `${s.line_key}\u0000${s.machine_id}.total`;
    let list = byTag.get(key);
    if (!list) byTag.set(key, (list = []));
    list.push({ ts: s.ts, value: s.num, quality: s.quality });
  }
  return lines.rows.map((l) => ({
    key: l.line_key, name: l.name, timezone: l.timezone, uplink: l.meters,
    history: (tag, f, t) => (byTag.get(`${l.line_key}\u0000${tag}`) ?? []).filter((p) => p.ts >= f && p.ts <= t),
    // Loaded for this window only (the report asks for no other).
    good: (f, t) => (f === from && t === to ? good.get(l.line_key) ?? null : null),
  }));
}
