-- Edited in issue 17.3: this migration also created `alarms`, `audit_log` and `users`, which now
-- belong to the alarms, audit and auth modules (their own schemas and migrations). Databases
-- that ran the original keep those tables until their modules import and drop them; a new
-- database never gets them. drizzle's migrator does not re-run or re-check applied migrations.
CREATE TABLE `historian_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `kpi_periods` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`date` text NOT NULL,
	`start_ts` integer NOT NULL,
	`end_ts` integer NOT NULL,
	`total_count` integer NOT NULL,
	`good_count` integer NOT NULL,
	`energy_kwh` real NOT NULL,
	`availability` real NOT NULL,
	`performance` real NOT NULL,
	`quality` real NOT NULL,
	`oee` real NOT NULL,
	`totals_json` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `kpi_periods_machine_start` ON `kpi_periods` (`machine_id`,`kind`,`start_ts`);--> statement-breakpoint
CREATE TABLE `tag_minutes` (
	`tag_id` integer NOT NULL,
	`minute` integer NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`sum` real NOT NULL,
	`count` integer NOT NULL,
	`last` real NOT NULL,
	`last_ts` integer NOT NULL,
	PRIMARY KEY(`tag_id`, `minute`)
);
--> statement-breakpoint
CREATE TABLE `tag_samples` (
	`tag_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`value` real,
	`quality` integer NOT NULL,
	PRIMARY KEY(`tag_id`, `ts`)
);
--> statement-breakpoint
CREATE TABLE `tag_text_samples` (
	`tag_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`value` text,
	`quality` integer NOT NULL,
	PRIMARY KEY(`tag_id`, `ts`)
);
--> statement-breakpoint
CREATE TABLE `tags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tags_name_unique` ON `tags` (`name`);