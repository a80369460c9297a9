-- The alarm journal of a line on any host (edge/host/pg/line-history.ts): what an occurrence
-- needs besides its transitions — the rule, its kind, the tag and the fault code — as the edge's
-- alarm list states them. Rows stored before this migration have them null.
ALTER TABLE alarm_events ADD COLUMN IF NOT EXISTS rule_id text;
--> statement-breakpoint
ALTER TABLE alarm_events ADD COLUMN IF NOT EXISTS kind text;
--> statement-breakpoint
ALTER TABLE alarm_events ADD COLUMN IF NOT EXISTS tag text;
--> statement-breakpoint
ALTER TABLE alarm_events ADD COLUMN IF NOT EXISTS fault_code integer;
