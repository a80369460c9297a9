CREATE TABLE `audit_entries` (
	`id` integer PRIMARY KEY NOT NULL,
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
CREATE INDEX `audit_entries_ts` ON `audit_entries` (`ts`);--> statement-breakpoint
CREATE INDEX `audit_entries_action` ON `audit_entries` (`action`);