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
CREATE INDEX `flight_recordings_alarm` ON `flight_recordings` (`alarm_id`);--> statement-breakpoint
CREATE TABLE `service_case_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`author` text NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `service_case_notes_case` ON `service_case_notes` (`case_id`,`ts`);--> statement-breakpoint
CREATE TABLE `service_cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`alarm_id` integer,
	`recording_id` integer,
	`fault_code` integer,
	`opened_by` text NOT NULL,
	`opened_ts` integer NOT NULL,
	`assignee` text,
	`assigned_ts` integer,
	`closed_by` text,
	`closed_ts` integer,
	`resolution` text,
	`context_json` text
);
--> statement-breakpoint
CREATE INDEX `service_cases_machine_opened` ON `service_cases` (`machine_id`,`opened_ts`);--> statement-breakpoint
CREATE INDEX `service_cases_status` ON `service_cases` (`status`);