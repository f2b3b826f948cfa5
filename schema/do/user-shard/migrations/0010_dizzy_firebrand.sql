CREATE TABLE `spent_assertions` (
	`key_hash` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `spent_assertions_bucket` ON `spent_assertions` (`bucket`);--> statement-breakpoint
CREATE INDEX `spent_assertions_expiry` ON `spent_assertions` (`expires_at`);