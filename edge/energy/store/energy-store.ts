// The energy module's own connection to the edge's SQLite file: meter totals and 15-minute
// blocks (schema.ts). Hot writes go through prepared statements in one transaction per batch.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateModule, openDatabase } from '../../store/database.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface StoredTotal {
  meterId: string;
  ts: number;
  total: number;
  increase: number;
  event: 'rollover' | 'reset' | null;
}

export interface StoredBlock {
  meterId: string;
  blockStart: number;
  units: number;
  coveredMs: number;
}

export interface EnergyStore {
  /** Totals and block shares of one batch of readings, in one transaction. */
  write(totals: readonly StoredTotal[], blocks: readonly StoredBlock[]): void;
  totals(meterId: string, from: number, to: number, limit: number): StoredTotal[];
  /** The meter's newest stored row, to carry on after a restart. */
  last(meterId: string): StoredTotal | undefined;
  blocks(meterId: string, from: number, to: number, limit: number): StoredBlock[];
  close(): void;
}

export function openEnergyStore(file: string): EnergyStore {
  const sqlite = openDatabase(file);
  migrateModule(sqlite, { folder: MIGRATIONS, table: '__drizzle_migrations_energy' });
  const insertTotal = sqlite.prepare('INSERT OR REPLACE INTO energy_meter_totals (meter_id, ts, total, increase, event) VALUES (?, ?, ?, ?, ?)');
  const addBlock = sqlite.prepare(
    'INSERT INTO energy_blocks (meter_id, block_start, units, covered_ms) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (meter_id, block_start) DO UPDATE SET units = units + excluded.units, covered_ms = covered_ms + excluded.covered_ms',
  );
  const selectTotals = sqlite.prepare(
    'SELECT meter_id AS meterId, ts, total, increase, event FROM energy_meter_totals WHERE meter_id = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?',
  );
  const selectLast = sqlite.prepare('SELECT meter_id AS meterId, ts, total, increase, event FROM energy_meter_totals WHERE meter_id = ? ORDER BY ts DESC LIMIT 1');
  const selectBlocks = sqlite.prepare(
    'SELECT meter_id AS meterId, block_start AS blockStart, units, covered_ms AS coveredMs FROM energy_blocks WHERE meter_id = ? AND block_start >= ? AND block_start < ? ORDER BY block_start LIMIT ?',
  );
  const write = sqlite.transaction((totals: readonly StoredTotal[], blocks: readonly StoredBlock[]) => {
    for (const t of totals) insertTotal.run(t.meterId, t.ts, t.total, t.increase, t.event);
    // Integer ms: coverage is compared with exactly 900,000 for a complete block.
    for (const b of blocks) addBlock.run(b.meterId, b.blockStart, b.units, Math.round(b.coveredMs));
  });
  return {
    write: (totals, blocks) => {
      if (totals.length || blocks.length) write(totals, blocks);
    },
    totals: (meterId, from, to, limit) => selectTotals.all(meterId, from, to, limit) as StoredTotal[],
    last: (meterId) => selectLast.get(meterId) as StoredTotal | undefined,
    blocks: (meterId, from, to, limit) => selectBlocks.all(meterId, from, to, limit) as StoredBlock[],
    close: () => sqlite.close(),
  };
}
