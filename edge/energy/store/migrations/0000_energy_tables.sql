CREATE TABLE `energy_blocks` (
	`meter_id` text NOT NULL,
	`block_start` integer NOT NULL,
	`units` real NOT NULL,
	`covered_ms` integer NOT NULL,
	PRIMARY KEY(`meter_id`, `block_start`)
);
--> statement-breakpoint
CREATE TABLE `energy_meter_totals` (
	`meter_id` text NOT NULL,
	`ts` integer NOT NULL,
	`total` real NOT NULL,
	`increase` real NOT NULL,
	`event` text,
	PRIMARY KEY(`meter_id`, `ts`)
);
