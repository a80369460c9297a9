DROP TABLE `alarm_details`;
--> statement-breakpoint
-- Hand-written: the historian's old journal table, copied into alarm_occurrences by 0002.
DROP TABLE `alarms`;
