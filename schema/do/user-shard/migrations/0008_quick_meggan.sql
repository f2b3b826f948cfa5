CREATE TABLE `pushed_requests` (
	`request_hash` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`client_id` text NOT NULL,
	`params` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `pushed_requests_bucket` ON `pushed_requests` (`bucket`);--> statement-breakpoint
CREATE INDEX `pushed_requests_expiry` ON `pushed_requests` (`expires_at`);