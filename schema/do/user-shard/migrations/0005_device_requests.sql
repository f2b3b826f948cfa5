CREATE TABLE `device_requests` (
	`device_code_hash` text PRIMARY KEY NOT NULL,
	`user_code_hash` text NOT NULL,
	`bucket` integer NOT NULL,
	`client_id` text NOT NULL,
	`scope` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`interval_s` integer NOT NULL,
	`last_polled_at` integer,
	`status` text NOT NULL,
	`user_id` text,
	`grant_id` text,
	`auth_time` integer,
	`acr` text,
	`amr` text,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `device_requests_user_code` ON `device_requests` (`user_code_hash`);--> statement-breakpoint
CREATE INDEX `device_requests_bucket` ON `device_requests` (`bucket`);--> statement-breakpoint
CREATE INDEX `device_requests_expiry` ON `device_requests` (`expires_at`);