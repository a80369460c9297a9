CREATE TABLE `machine_baselines` (
	`machine_id` text NOT NULL,
	`tag` text NOT NULL,
	`updated_ts` integer NOT NULL,
	`baseline_json` text NOT NULL,
	PRIMARY KEY(`machine_id`, `tag`)
);
