CREATE TABLE `passkey_failures` (
	`user_id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`failed_count` integer NOT NULL,
	`last_failed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `passkey_failures_bucket` ON `passkey_failures` (`bucket`);--> statement-breakpoint
CREATE TABLE `passkeys` (
	`user_id` text NOT NULL,
	`credential_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`name` text NOT NULL,
	`public_key` text NOT NULL,
	`counter` integer NOT NULL,
	`transports` text NOT NULL,
	`device_type` text NOT NULL,
	`backed_up` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	PRIMARY KEY(`user_id`, `credential_id`)
);
--> statement-breakpoint
CREATE INDEX `passkeys_bucket` ON `passkeys` (`bucket`);--> statement-breakpoint
CREATE TABLE `spent_passkey_challenges` (
	`challenge_hash` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `spent_passkey_challenges_bucket` ON `spent_passkey_challenges` (`bucket`);--> statement-breakpoint
CREATE INDEX `spent_passkey_challenges_expiry` ON `spent_passkey_challenges` (`expires_at`);