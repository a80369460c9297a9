-- IF NOT EXISTS (hand-edited): files from before issue 17.3 have these tables, made without drizzle.
CREATE TABLE IF NOT EXISTS `forward_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `forward_queue` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device` text,
	`metrics` integer NOT NULL,
	`payload` blob NOT NULL
);
