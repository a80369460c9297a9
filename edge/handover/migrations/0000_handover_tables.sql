CREATE TABLE `handover_issue_closures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`note_id` integer NOT NULL,
	`text` text,
	`closed_by` text NOT NULL,
	`role` text NOT NULL,
	`ts` integer NOT NULL,
	FOREIGN KEY (`note_id`) REFERENCES `handover_notes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `handover_issue_closures_note_id_unique` ON `handover_issue_closures` (`note_id`);--> statement-breakpoint
CREATE TABLE `handover_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`line_id` text NOT NULL,
	`shift_start` integer NOT NULL,
	`shift_name` text NOT NULL,
	`shift_date` text NOT NULL,
	`kind` text NOT NULL,
	`machine_id` text,
	`text` text NOT NULL,
	`author` text NOT NULL,
	`role` text NOT NULL,
	`ts` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `handover_notes_line_shift` ON `handover_notes` (`line_id`,`shift_start`);--> statement-breakpoint
CREATE TABLE `shift_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`line_id` text NOT NULL,
	`shift_start` integer NOT NULL,
	`shift_end` integer NOT NULL,
	`shift_name` text NOT NULL,
	`shift_date` text NOT NULL,
	`generated_ts` integer NOT NULL,
	`report_json` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shift_reports_line_shift` ON `shift_reports` (`line_id`,`shift_start`);--> statement-breakpoint
CREATE TRIGGER `handover_notes_no_update` BEFORE UPDATE ON `handover_notes` BEGIN SELECT RAISE(ABORT, 'handover notes are append-only: write a new note or close the issue'); END;
--> statement-breakpoint
CREATE TRIGGER `handover_notes_no_delete` BEFORE DELETE ON `handover_notes` BEGIN SELECT RAISE(ABORT, 'handover notes are append-only: write a new note or close the issue'); END;
--> statement-breakpoint
CREATE TRIGGER `handover_issue_closures_no_update` BEFORE UPDATE ON `handover_issue_closures` BEGIN SELECT RAISE(ABORT, 'handover notes are append-only: write a new note or close the issue'); END;
--> statement-breakpoint
CREATE TRIGGER `handover_issue_closures_no_delete` BEFORE DELETE ON `handover_issue_closures` BEGIN SELECT RAISE(ABORT, 'handover notes are append-only: write a new note or close the issue'); END;
