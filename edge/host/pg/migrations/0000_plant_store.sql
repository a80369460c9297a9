-- The plant store (edge/host/pg/plant-tables.ts). Time-series tables are range-partitioned by
-- time (partitions are made ahead and dropped for retention by partitions.ts), or, when the
-- TimescaleDB extension is installed in this database, hypertables of the same shape.
CREATE TABLE IF NOT EXISTS plant_lines (
  line_key text PRIMARY KEY,
  group_id text NOT NULL,
  edge_node_id text NOT NULL,
  line_id text NOT NULL,
  name text NOT NULL,
  timezone text NOT NULL,
  machines jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS plant_store_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
--> statement-breakpoint
DO $$
DECLARE
  timescale boolean := EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb');
  part text;
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('tag_samples', 'ts', '1 day',
     'line_key text NOT NULL, machine_id text NOT NULL, tag text NOT NULL, ts timestamptz NOT NULL, num double precision, txt text, quality text NOT NULL, PRIMARY KEY (line_key, machine_id, tag, ts)'),
    ('machine_states', 'ts', '1 month',
     'line_key text NOT NULL, machine_id text NOT NULL, ts timestamptz NOT NULL, state text NOT NULL, previous text, reason text, PRIMARY KEY (line_key, machine_id, ts)'),
    ('shift_counters', 'shift_start', '1 month',
     'line_key text NOT NULL, machine_id text NOT NULL, shift_start timestamptz NOT NULL, ts timestamptz NOT NULL, total bigint NOT NULL, good bigint NOT NULL, energy_kwh double precision NOT NULL, PRIMARY KEY (line_key, machine_id, shift_start)'),
    ('alarm_events', 'ts', '1 month',
     'line_key text NOT NULL, machine_id text NOT NULL, alarm_key text NOT NULL, event text NOT NULL, ts timestamptz NOT NULL, priority text NOT NULL, message text NOT NULL, active_ts timestamptz, "by" text, PRIMARY KEY (line_key, alarm_key, event, ts)'),
    ('shift_totals', 'shift_start', '1 month',
     'line_key text NOT NULL, machine_id text NOT NULL, shift_start timestamptz NOT NULL, shift_end timestamptz NOT NULL, shift_name text NOT NULL, shift_date text NOT NULL, calendar_ms bigint NOT NULL, planned_operation_ms bigint NOT NULL, planned_down_ms bigint NOT NULL, no_data_ms bigint NOT NULL, production_ms bigint NOT NULL, setup_ms bigint NOT NULL, breakdown_ms bigint NOT NULL, micro_stop_ms bigint NOT NULL, idle_ms bigint NOT NULL, breakdowns integer NOT NULL, micro_stops integer NOT NULL, setups integer NOT NULL, idles integer NOT NULL, total_count bigint NOT NULL, good_count bigint NOT NULL, ideal_output_seconds double precision NOT NULL, energy_kwh double precision NOT NULL, PRIMARY KEY (line_key, machine_id, shift_start)'),
    ('shift_losses', 'shift_start', '1 month',
     'line_key text NOT NULL, machine_id text NOT NULL, shift_start timestamptz NOT NULL, bucket text NOT NULL, reason text NOT NULL, ms bigint NOT NULL, events integer NOT NULL, PRIMARY KEY (line_key, machine_id, shift_start, bucket, reason)')
  ) AS v(name, col, chunk, columns)
  LOOP
    IF timescale THEN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I (%s)', t.name, t.columns);
      PERFORM create_hypertable(t.name, t.col, chunk_time_interval => t.chunk::interval, if_not_exists => true);
    ELSE
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I (%s) PARTITION BY RANGE (%I)', t.name, t.columns, t.col);
    END IF;
  END LOOP;
  INSERT INTO plant_store_meta VALUES ('layout', CASE WHEN timescale THEN 'timescaledb' ELSE 'partitioned' END)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
END $$;
--> statement-breakpoint
-- The plant queries: every period query selects a time range (partition pruning) and, per line, the line key.
CREATE INDEX IF NOT EXISTS shift_totals_start_idx ON shift_totals (shift_start, line_key);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS shift_losses_start_idx ON shift_losses (shift_start, line_key);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS alarm_events_ts_idx ON alarm_events (ts, line_key);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS shift_counters_start_idx ON shift_counters (shift_start, line_key);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS machine_states_ts_idx ON machine_states (ts, line_key);
