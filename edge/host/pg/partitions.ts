// Native declarative partitions of the plant store: one per UTC day (tag samples) or month (the
// rest), named <table>_p<yyyymmdd>. Made ahead of time and on demand for older data arriving
// (a store-and-forward replay), and dropped whole for retention — dropping a partition is
// instant and leaves no dead rows to vacuum, unlike DELETE.
import type { ClientBase, Pool } from 'pg';

export type PartitionPeriod = 'day' | 'month';
export interface PartitionSpec { table: string; period: PartitionPeriod }

type Queryable = Pick<Pool | ClientBase, 'query'>;

export function periodStart(period: PartitionPeriod, ts: number): number {
  const d = new Date(ts);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextPeriodStart(period: PartitionPeriod, start: number): number {
  const d = new Date(start);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function partitionName(table: string, start: number): string {
  return `${table}_p${new Date(start).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The start of a partition from its name, or null for a table that is not one of ours. */
export function partitionStartOf(table: string, name: string): number | null {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

export async function listPartitions(db: Queryable, table: string): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = $1 AND p.relnamespace = current_schema()::regnamespace ORDER BY 1`, [table]);
  return r.rows.map((row) => row.name);
}

/** Makes every partition of [fromTs, toTs] that is missing; returns the names it made. */
export async function ensurePartitions(db: Queryable, spec: PartitionSpec, fromTs: number, toTs: number, known: Set<string>): Promise<string[]> {
  const made: string[] = [];
  for (let start = periodStart(spec.period, fromTs); start <= toTs; start = nextPeriodStart(spec.period, start)) {
    const name = partitionName(spec.table, start);
    if (known.has(name)) continue;
    const end = nextPeriodStart(spec.period, start);
    try {
      await db.query(`CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF "${spec.table}" FOR VALUES FROM ('${new Date(start).toISOString()}') TO ('${new Date(end).toISOString()}')`);
      made.push(name);
    } catch (err) {
      // Another host made it in the same moment (duplicate type/relation): it exists, which is all we need.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw err;
    }
    known.add(name);
  }
  return made;
}

/** Drops the partitions that end at or before `cutoffTs`; returns their names. */
export async function dropPartitionsBefore(db: Queryable, spec: PartitionSpec, cutoffTs: number, known: Set<string>): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of await listPartitions(db, spec.table)) {
    const start = partitionStartOf(spec.table, name);
    if (start === null || nextPeriodStart(spec.period, start) > cutoffTs) continue;
    await db.query(`DROP TABLE IF EXISTS "${name}"`);
    known.delete(name);
    dropped.push(name);
  }
  return dropped;
}
