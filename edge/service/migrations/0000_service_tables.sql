-- Hand-edited from drizzle-kit's output. Databases from before issue 17.3 already have both
-- tables (the alarm module's first migration made them, notes without a foreign key): cases
-- are kept as they are; notes are rebuilt with case_id a foreign key (a note whose case is
-- gone has nothing to belong to and is not carried over).
CREATE TABLE IF NOT EXISTS `service_cases` (
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
CREATE INDEX IF NOT EXISTS `service_cases_machine_opened` ON `service_cases` (`machine_id`,`opened_ts`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `service_cases_status` ON `service_cases` (`status`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `service_case_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`author` text NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `service_case_notes_fk` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`author` text NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `service_cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `service_case_notes_fk` (`id`, `case_id`, `ts`, `author`, `text`)
	SELECT `id`, `case_id`, `ts`, `author`, `text` FROM `service_case_notes` WHERE `case_id` IN (SELECT `id` FROM `service_cases`);
--> statement-breakpoint
DROP TABLE `service_case_notes`;
--> statement-breakpoint
ALTER TABLE `service_case_notes_fk` RENAME TO `service_case_notes`;
--> statement-breakpoint
CREATE INDEX `service_case_notes_case` ON `service_case_notes` (`case_id`,`ts`);
