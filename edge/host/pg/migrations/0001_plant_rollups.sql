-- Rollups the plant queries read (edge/host/pg/plant-queries.ts): a year of a plant in thousands
-- of rows instead of hundreds of thousands. Each row is recomputed from its detail rows whenever
-- they change (plant-store.ts), so it is exactly their sum, however often they are written.
CREATE TABLE IF NOT EXISTS line_shift_totals (
  line_key text NOT NULL, shift_start timestamptz NOT NULL, shift_end timestamptz NOT NULL, shift_name text NOT NULL, shift_date text NOT NULL,
  machines integer NOT NULL, calendar_ms bigint NOT NULL, planned_operation_ms bigint NOT NULL, planned_down_ms bigint NOT NULL, no_data_ms bigint NOT NULL,
  production_ms bigint NOT NULL, setup_ms bigint NOT NULL, breakdown_ms bigint NOT NULL, micro_stop_ms bigint NOT NULL, idle_ms bigint NOT NULL,
  breakdowns integer NOT NULL, micro_stops integer NOT NULL, setups integer NOT NULL, idles integer NOT NULL,
  total_count bigint NOT NULL, good_count bigint NOT NULL, ideal_output_seconds double precision NOT NULL, energy_kwh double precision NOT NULL,
  PRIMARY KEY (line_key, shift_start)
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS line_shift_totals_start_idx ON line_shift_totals (shift_start);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS line_shift_losses (
  line_key text NOT NULL, shift_start timestamptz NOT NULL, bucket text NOT NULL, reason text NOT NULL, ms bigint NOT NULL, events integer NOT NULL,
  PRIMARY KEY (line_key, shift_start, bucket, reason)
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS line_shift_losses_start_idx ON line_shift_losses (shift_start) INCLUDE (bucket, reason, ms, events, line_key);
--> statement-breakpoint
-- Alarm statistics per line and UTC day: counts by priority, acknowledge and active times, the
-- busiest 10 minutes and the 10-minute intervals over 10 alarms (ISA-18.2 flood).
CREATE TABLE IF NOT EXISTS alarm_days (
  line_key text NOT NULL, day date NOT NULL,
  raised integer NOT NULL, critical integer NOT NULL, high integer NOT NULL, medium integer NOT NULL, low integer NOT NULL,
  acked integer NOT NULL, ack_seconds double precision NOT NULL, returned integer NOT NULL, active_seconds double precision NOT NULL,
  peak_10min integer NOT NULL, flood_intervals integer NOT NULL,
  PRIMARY KEY (line_key, day)
);
--> statement-breakpoint
-- The most frequent alarms, per line, alarm and UTC day.
CREATE TABLE IF NOT EXISTS alarm_key_days (
  line_key text NOT NULL, day date NOT NULL, alarm_key text NOT NULL, message text NOT NULL, priority text NOT NULL, raised integer NOT NULL,
  PRIMARY KEY (line_key, day, alarm_key)
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS alarm_key_days_day_idx ON alarm_key_days (day) INCLUDE (line_key, alarm_key, raised);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS alarm_events_occurrence_idx ON alarm_events (line_key, active_ts);
