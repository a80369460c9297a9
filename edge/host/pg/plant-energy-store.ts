// The plant's energy from PostgreSQL: each line's meters (line_energy_meters, written when what an
// edge publishes in Energy/Meters changes, totals aside) and the meters' totals (tag samples
// meter:<id>/total, stored with the line's other samples), handed to the same report as on a host
// without a database (plant-energy.ts). Any host, a standby that just took over included, answers
// for every line and for as far back as the tag samples are kept.
import type pg from 'pg';
import type { Log } from '../../logger.js';
import type { EnergyUplink } from '../../../shared/energy-uplink.js';
import type { RawPoint } from '../../../shared/history-api.js';
import type { LineEnergySource } from '../plant-energy.js';

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

/** Every line of the plant with its stored meters (none: listed without meters) and their totals in [from, to] loaded (the report reads them synchronously). */
export async function plantEnergySources(pool: pg.Pool, from: number, to: number): Promise<LineEnergySource[]> {
  const lines = await pool.query<{ line_key: string; name: string; timezone: string; meters: EnergyUplink | null }>(`
    SELECT l.line_key, l.name, l.timezone, e.meters FROM plant_lines l LEFT JOIN line_energy_meters e ON e.line_key = l.line_key ORDER BY l.line_key`);
  if (!lines.rows.some((l) => l.meters)) return lines.rows.map((l) => ({ key: l.line_key, name: l.name, timezone: l.timezone, uplink: null, history: () => [] }));
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
  }));
}
