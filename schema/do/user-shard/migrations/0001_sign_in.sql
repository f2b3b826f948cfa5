CREATE TABLE `auth_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`client_id` text NOT NULL,
	`redirect_uri` text NOT NULL,
	`code_challenge` text,
	`nonce` text,
	`scope` text NOT NULL,
	`sid` text NOT NULL,
	`auth_time` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`redeemed_at` integer
);
--> statement-breakpoint
CREATE INDEX `auth_codes_bucket` ON `auth_codes` (`bucket`);--> statement-breakpoint
CREATE INDEX `auth_codes_expiry` ON `auth_codes` (`expires_at`);--> statement-breakpoint
CREATE TABLE `consents` (
	`user_id` text NOT NULL,
	`client_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`scope` text NOT NULL,
	`granted_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `client_id`)
);
--> statement-breakpoint
CREATE INDEX `consents_bucket` ON `consents` (`bucket`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`client_id` text NOT NULL,
	`sid` text,
	`scope` text NOT NULL,
	`auth_time` integer NOT NULL,
	`code_hash` text,
	`offline` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`revoke_reason` text
);
--> statement-breakpoint
CREATE INDEX `grants_bucket` ON `grants` (`bucket`);--> statement-breakpoint
CREATE INDEX `grants_user` ON `grants` (`user_id`);--> statement-breakpoint
CREATE INDEX `grants_sid` ON `grants` (`sid`);--> statement-breakpoint
CREATE INDEX `grants_code` ON `grants` (`code_hash`);--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`grant_id` text NOT NULL,
	`generation` integer NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer
);
--> statement-breakpoint
CREATE INDEX `refresh_tokens_bucket` ON `refresh_tokens` (`bucket`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_grant` ON `refresh_tokens` (`grant_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`sid` text NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`auth_time` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`idle_expires_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`amr` text NOT NULL,
	`acr` text NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_sid_unique` ON `sessions` (`sid`);--> statement-breakpoint
CREATE INDEX `sessions_bucket` ON `sessions` (`bucket`);--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expiry` ON `sessions` (`expires_at`);