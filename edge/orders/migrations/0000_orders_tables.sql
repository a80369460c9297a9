CREATE TABLE `order_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`ts` integer NOT NULL,
	`kind` text NOT NULL,
	`by` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_events_order` ON `order_events` (`order_id`);--> statement-breakpoint
CREATE TABLE `order_segments` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`machine_id` text NOT NULL,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`totals_json` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_segments_order` ON `order_segments` (`order_id`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text NOT NULL,
	`version` integer NOT NULL,
	`body_json` text NOT NULL,
	`changed_at` integer NOT NULL,
	`changed_by` text NOT NULL,
	PRIMARY KEY(`id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `scrap_bookings` (
	`id` integer PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`machine_id` text NOT NULL,
	`order_id` text,
	`quantity` integer NOT NULL,
	`reason` text NOT NULL,
	`source` text NOT NULL,
	`by` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scrap_bookings_machine_ts` ON `scrap_bookings` (`machine_id`,`ts`);--> statement-breakpoint
CREATE INDEX `scrap_bookings_order` ON `scrap_bookings` (`order_id`);--> statement-breakpoint
CREATE TABLE `work_orders` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`product_version` integer,
	`quantity` integer NOT NULL,
	`due` integer,
	`line` text NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`started_at` integer,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `work_orders_status` ON `work_orders` (`status`);