CREATE TABLE `energy_deltas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`ts` integer NOT NULL,
	`delta_kwh` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `energy_deltas_machine_ts` ON `energy_deltas` (`machine_id`,`ts`);--> statement-breakpoint
CREATE TABLE `machine_states` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`state` text NOT NULL,
	`start_ts` integer NOT NULL,
	`end_ts` integer,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `machine_states_machine_start` ON `machine_states` (`machine_id`,`start_ts`);--> statement-breakpoint
CREATE TABLE `production_counts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`ts` integer NOT NULL,
	`delta_total` integer NOT NULL,
	`delta_good` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `production_counts_machine_ts` ON `production_counts` (`machine_id`,`ts`);--> statement-breakpoint
CREATE TABLE `tag_samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tag` text NOT NULL,
	`ts` integer NOT NULL,
	`value_num` real,
	`value_text` text,
	`quality` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tag_samples_tag_ts` ON `tag_samples` (`tag`,`ts`);