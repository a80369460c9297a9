// The plant store's tables in PostgreSQL (drizzle's pg dialect): every line of the plant in one
// schema, keyed by the line ("group/edge node"). The time-series tables are range-partitioned by
// time (migrations/0000_plant_store.sql; partitions.ts keeps them ahead and drops old ones), or
// TimescaleDB hypertables where that extension is installed. Primary keys hold the line, the
// thing measured and the time, so a store-and-forward replay or a second host writing the same
// message changes nothing (inserts are ON CONFLICT DO NOTHING).
import { bigint, doublePrecision, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' }).notNull();

/** One row per line the host has seen born: what the plant queries name it and how its calendar runs. */
export const plantLines = pgTable('plant_lines', {
  lineKey: text('line_key').primaryKey(),
  groupId: text('group_id').notNull(),
  edgeNodeId: text('edge_node_id').notNull(),
  lineId: text('line_id').notNull(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull(),
  machines: jsonb('machines').notNull(),
  updatedAt: ts('updated_at'),
});

/** Tag samples as the edges published them (live and store-and-forward). Partitioned by day. */
export const tagSamples = pgTable('tag_samples', {
  lineKey: text('line_key').notNull(),
  machineId: text('machine_id').notNull(),
  tag: text('tag').notNull(),
  ts: ts('ts'),
  num: doublePrecision('num'),
  txt: text('txt'),
  quality: text('quality').notNull(),
}, (t) => [primaryKey({ columns: [t.lineKey, t.machineId, t.tag, t.ts] })]);

/** Machine state changes at the edge's time. Partitioned by month. */
export const machineStates = pgTable('machine_states', {
  lineKey: text('line_key').notNull(),
  machineId: text('machine_id').notNull(),
  ts: ts('ts'),
  state: text('state').notNull(),
  previous: text('previous'),
  reason: text('reason'),
}, (t) => [primaryKey({ columns: [t.lineKey, t.machineId, t.ts] })]);

/**
 * The edge's shift counters as last published (Counts/Total, Counts/Good, Energy/Shift kWh with
 * Shift/Start), one row per machine and shift, raised to the largest value seen: the counters only
 * grow within a shift, so the row is the same however many hosts wrote it, whichever host was the
 * primary, and after any replay — and it already holds the shift that is still open.
 */
export const shiftCounters = pgTable('shift_counters', {
  lineKey: text('line_key').notNull(),
  machineId: text('machine_id').notNull(),
  shiftStart: ts('shift_start'),
  ts: ts('ts'),
  total: bigint('total', { mode: 'number' }).notNull(),
  good: bigint('good', { mode: 'number' }).notNull(),
  energyKWh: doublePrecision('energy_kwh').notNull(),
}, (t) => [primaryKey({ columns: [t.lineKey, t.machineId, t.shiftStart] })]);

/** ISA-18.2 alarm transitions (raised, acknowledged, returned), each once, from the edges' alarm lists. */
export const alarmEvents = pgTable('alarm_events', {
  lineKey: text('line_key').notNull(),
  machineId: text('machine_id').notNull(),
  alarmKey: text('alarm_key').notNull(),
  event: text('event').notNull(),
  ts: ts('ts'),
  priority: text('priority').notNull(),
  message: text('message').notNull(),
  activeTs: timestamp('active_ts', { withTimezone: true, mode: 'date' }),
  by: text('by'),
  /** As the edge's alarm list states them (migration 0003; null in older rows). */
  ruleId: text('rule_id'),
  kind: text('kind'),
  tag: text('tag'),
  faultCode: integer('fault_code'),
}, (t) => [primaryKey({ columns: [t.lineKey, t.alarmKey, t.event, t.ts] })]);

/**
 * A machine's closed shift as the host's KPI engine booked it (shared/kpi PeriodTotals, flattened
 * so periods and lines add up in SQL). A later booking of the same shift replaces it only if it
 * knows more of it (less no-data time): a host that took over mid-shift does not overwrite the one
 * that saw it whole.
 */
export const shiftTotals = pgTable('shift_totals', {
  lineKey: text('line_key').notNull(),
  machineId: text('machine_id').notNull(),
  shiftStart: ts('shift_start'),
  shiftEnd: ts('shift_end'),
  shiftName: text('shift_name').notNull(),
  shiftDate: text('shift_date').notNull(),
  calendarMs: bigint('calendar_ms', { mode: 'number' }).notNull(),
  plannedOperationMs: bigint('planned_operation_ms', { mode: 'number' }).notNull(),
  plannedDownMs: bigint('planned_down_ms', { mode: 'number' }).notNull(),
  noDataMs: bigint('no_data_ms', { mode: 'number' }).notNull(),
  productionMs: bigint('production_ms', { mode: 'number' }).notNull(),
  setupMs: bigint('setup_ms', { mode: 'number' }).notNull(),
  breakdownMs: bigint('breakdown_ms', { mode: 'number' }).notNull(),
  microStopMs: bigint('micro_stop_ms', { mode: 'number' }).notNull(),
  idleMs: bigint('idle_ms', { mode: 'number' }).notNull(),
  breakdowns: integer('breakdowns').notNull(),
  microStops: integer('micro_stops').notNull(),
  setups: integer('setups').notNull(),
  idles: integer('idles').notNull(),
  totalCount: bigint('total_count', { mode: 'number' }).notNull(),
  goodCount: bigint('good_count', { mode: 'number' }).notNull(),
  idealOutputSeconds: doublePrecision('ideal_output_seconds').notNull(),
  energyKWh: doublePrecision('energy_kwh').notNull(),
  /** PeriodTotals.energy's kWh by state and by demand block, for the line's closed-shift reports on any host (migration 0004; null before). */
  energyDetail: jsonb('energy_detail').$type<{ byState: Record<string, number>; blocks: Record<string, number> }>(),
}, (t) => [primaryKey({ columns: [t.lineKey, t.machineId, t.shiftStart] })]);

/** A closed shift's stops by reason (PeriodTotals.reasons), rewritten with its shift_totals row: the top losses. */
export const shiftLosses = pgTable('shift_losses', {
  lineKey: text('line_key').notNull(),
  machineId: text('machine_id').notNull(),
  shiftStart: ts('shift_start'),
  bucket: text('bucket').notNull(),
  reason: text('reason').notNull(),
  ms: bigint('ms', { mode: 'number' }).notNull(),
  events: integer('events').notNull(),
}, (t) => [primaryKey({ columns: [t.lineKey, t.machineId, t.shiftStart, t.bucket, t.reason] })]);

/** The partitioned tables, their time column and partition size. */
export const PARTITIONED = [
  { table: 'tag_samples', column: 'ts', period: 'day' },
  { table: 'machine_states', column: 'ts', period: 'month' },
  { table: 'shift_counters', column: 'shift_start', period: 'month' },
  { table: 'alarm_events', column: 'ts', period: 'month' },
  { table: 'shift_totals', column: 'shift_start', period: 'month' },
  { table: 'shift_losses', column: 'shift_start', period: 'month' },
] as const;
export type PartitionedTable = (typeof PARTITIONED)[number]['table'];
