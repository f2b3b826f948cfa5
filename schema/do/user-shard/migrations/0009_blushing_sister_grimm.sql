CREATE TABLE `ciba_requests` (
	`request_id` text PRIMARY KEY NOT NULL,
	`auth_req_id_hash` text NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`client_id` text NOT NULL,
	`scope` text NOT NULL,
	`binding_message` text,
	`mode` text NOT NULL,
	`notification_token` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`interval_s` integer NOT NULL,
	`last_polled_at` integer,
	`status` text NOT NULL,
	`grant_id` text,
	`auth_time` integer,
	`acr` text,
	`amr` text,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ciba_requests_auth_req_id_hash_unique` ON `ciba_requests` (`auth_req_id_hash`);--> statement-breakpoint
CREATE INDEX `ciba_requests_bucket` ON `ciba_requests` (`bucket`);--> statement-breakpoint
CREATE INDEX `ciba_requests_expiry` ON `ciba_requests` (`expires_at`);