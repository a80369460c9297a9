CREATE TABLE `downtime_classifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`stop_start` integer NOT NULL,
	`revision` integer NOT NULL,
	`parts_json` text NOT NULL,
	`note` text,
	`actor` text NOT NULL,
	`role` text NOT NULL,
	`ts` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `downtime_classifications_stop_revision` ON `downtime_classifications` (`machine_id`,`stop_start`,`revision`);--> statement-breakpoint
CREATE INDEX `downtime_classifications_ts` ON `downtime_classifications` (`ts`);--> statement-breakpoint
CREATE TRIGGER `downtime_classifications_no_update` BEFORE UPDATE ON `downtime_classifications` BEGIN SELECT RAISE(ABORT, 'classifications are append-only: classify the stop again to change its reason'); END;
--> statement-breakpoint
CREATE TRIGGER `downtime_classifications_no_delete` BEFORE DELETE ON `downtime_classifications` BEGIN SELECT RAISE(ABORT, 'classifications are append-only: classify the stop again to change its reason'); END;
