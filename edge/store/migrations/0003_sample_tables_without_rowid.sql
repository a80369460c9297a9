-- Custom SQL migration file, put your code below! --
-- Hand-written (drizzle-kit cannot express WITHOUT ROWID): rebuilds the three sample tables
-- that 0002 created so that their (tag_id, ts|minute) primary key IS the table. Same
-- columns and keys as edge/store/schema.ts, so drizzle's snapshot stays true.
CREATE TABLE `tag_samples_wr` (
	`tag_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`value` real,
	`quality` integer NOT NULL,
	PRIMARY KEY(`tag_id`, `ts`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `tag_samples_wr` SELECT `tag_id`, `ts`, `value`, `quality` FROM `tag_samples`;
--> statement-breakpoint
DROP TABLE `tag_samples`;
--> statement-breakpoint
ALTER TABLE `tag_samples_wr` RENAME TO `tag_samples`;
--> statement-breakpoint
CREATE TABLE `tag_text_samples_wr` (
	`tag_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`value` text,
	`quality` integer NOT NULL,
	PRIMARY KEY(`tag_id`, `ts`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `tag_text_samples_wr` SELECT `tag_id`, `ts`, `value`, `quality` FROM `tag_text_samples`;
--> statement-breakpoint
DROP TABLE `tag_text_samples`;
--> statement-breakpoint
ALTER TABLE `tag_text_samples_wr` RENAME TO `tag_text_samples`;
--> statement-breakpoint
CREATE TABLE `tag_minutes_wr` (
	`tag_id` integer NOT NULL,
	`minute` integer NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`sum` real NOT NULL,
	`count` integer NOT NULL,
	`last` real NOT NULL,
	`last_ts` integer NOT NULL,
	PRIMARY KEY(`tag_id`, `minute`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `tag_minutes_wr` SELECT `tag_id`, `minute`, `min`, `max`, `sum`, `count`, `last`, `last_ts` FROM `tag_minutes`;
--> statement-breakpoint
DROP TABLE `tag_minutes`;
--> statement-breakpoint
ALTER TABLE `tag_minutes_wr` RENAME TO `tag_minutes`;
