-- Edited in issue 17.3: this migration also created `service_cases` and `service_case_notes`,
-- which now belong to the service module (edge/service/migrations, CREATE TABLE IF NOT EXISTS
-- there, so databases that ran the original keep their cases). drizzle's migrator does not
-- re-run or re-check applied migrations.
CREATE TABLE `alarm_details` (
	`alarm_id` integer PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`fault_code` integer,
	`closed_ts` integer,
	`chattering` integer DEFAULT false NOT NULL,
	`recording_id` integer
);
--> statement-breakpoint
CREATE INDEX `alarm_details_key` ON `alarm_details` (`key`);--> statement-breakpoint
CREATE TABLE `alarm_points` (
	`key` text PRIMARY KEY NOT NULL,
	`shelved_json` text,
	`out_of_service_json` text,
	`updated_ts` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `flight_recordings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`trigger` text NOT NULL,
	`alarm_id` integer,
	`alarm_key` text,
	`note` text,
	`trigger_ts` integer NOT NULL,
	`from_ts` integer NOT NULL,
	`to_ts` integer NOT NULL,
	`status` text NOT NULL,
	`sample_count` integer NOT NULL,
	`data_json` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `flight_recordings_machine_ts` ON `flight_recordings` (`machine_id`,`trigger_ts`);--> statement-breakpoint
CREATE INDEX `flight_recordings_alarm` ON `flight_recordings` (`alarm_id`);
