CREATE TABLE `alarms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule_id` text NOT NULL,
	`machine_id` text,
	`tag` text,
	`priority` text NOT NULL,
	`message` text NOT NULL,
	`state` text NOT NULL,
	`active_ts` integer NOT NULL,
	`ack_ts` integer,
	`ack_by` text,
	`return_ts` integer,
	`updated_ts` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alarms_active_ts` ON `alarms` (`active_ts`);--> statement-breakpoint
CREATE INDEX `alarms_machine_active` ON `alarms` (`machine_id`,`active_ts`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer NOT NULL,
	`actor` text NOT NULL,
	`role` text,
	`action` text NOT NULL,
	`target` text,
	`details_json` text,
	`outcome` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_ts` ON `audit_log` (`ts`);--> statement-breakpoint
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
CREATE UNIQUE INDEX `tags_name_unique` ON `tags` (`name`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_ts` integer NOT NULL,
	`disabled_ts` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);