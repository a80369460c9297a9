CREATE TABLE `alarm_occurrences` (
	`id` integer PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`rule_id` text NOT NULL,
	`kind` text NOT NULL,
	`machine_id` text,
	`tag` text,
	`priority` text NOT NULL,
	`message` text NOT NULL,
	`state` text NOT NULL,
	`fault_code` integer,
	`active_ts` integer NOT NULL,
	`ack_ts` integer,
	`ack_by` text,
	`return_ts` integer,
	`closed_ts` integer,
	`chattering` integer DEFAULT false NOT NULL,
	`recording_id` integer,
	`updated_ts` integer NOT NULL,
	FOREIGN KEY (`recording_id`) REFERENCES `flight_recordings`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `alarm_occurrences_active_ts` ON `alarm_occurrences` (`active_ts`);--> statement-breakpoint
CREATE INDEX `alarm_occurrences_machine_active` ON `alarm_occurrences` (`machine_id`,`active_ts`);--> statement-breakpoint
CREATE INDEX `alarm_occurrences_key` ON `alarm_occurrences` (`key`);--> statement-breakpoint
CREATE INDEX `alarm_occurrences_open` ON `alarm_occurrences` (`closed_ts`);--> statement-breakpoint
-- Hand-written: the journal of older databases, in the historian's `alarms` and this module's
-- `alarm_details`, moves here (0003 drops both). A database the historian never created has
-- no `alarms`: an empty one stands in so the copy needs no condition. A recording pruned
-- before this version leaves no dangling id (recording_id is a foreign key now).
CREATE TABLE IF NOT EXISTS `alarms` (
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
INSERT INTO `alarm_occurrences` (`id`, `key`, `rule_id`, `kind`, `machine_id`, `tag`, `priority`, `message`, `state`, `fault_code`,
	`active_ts`, `ack_ts`, `ack_by`, `return_ts`, `closed_ts`, `chattering`, `recording_id`, `updated_ts`)
SELECT a.`id`, coalesce(d.`key`, a.`rule_id` || '@' || coalesce(a.`machine_id`, 'null')), a.`rule_id`, coalesce(d.`kind`, 'fault'), a.`machine_id`, a.`tag`,
	a.`priority`, a.`message`, a.`state`, d.`fault_code`, a.`active_ts`, a.`ack_ts`, a.`ack_by`, a.`return_ts`, d.`closed_ts`, coalesce(d.`chattering`, 0),
	(SELECT r.`id` FROM `flight_recordings` r WHERE r.`id` = d.`recording_id`), a.`updated_ts`
FROM `alarms` a LEFT JOIN `alarm_details` d ON d.`alarm_id` = a.`id`;
