CREATE TABLE `emission_records` (
	`period` text NOT NULL,
	`outlet` text NOT NULL,
	`code` text NOT NULL,
	`start` integer NOT NULL,
	`avg` real,
	`min` real,
	`max` real,
	`zs_avg` real,
	`zs_min` real,
	`zs_max` real,
	`cou` real,
	`flag` text NOT NULL,
	`valid_parts` integer NOT NULL,
	`expected_parts` integer NOT NULL,
	PRIMARY KEY(`period`, `outlet`, `code`, `start`)
);
--> statement-breakpoint
CREATE TABLE `hj212_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`qn` text NOT NULL,
	`cn` text NOT NULL,
	`data_time` integer NOT NULL,
	`segment` text NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL
);
