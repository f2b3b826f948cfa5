CREATE TABLE `credentials` (
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`bucket` integer NOT NULL,
	`secret` text NOT NULL,
	`failed_count` integer DEFAULT 0 NOT NULL,
	`last_failed_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `type`)
);
--> statement-breakpoint
CREATE INDEX `credentials_bucket` ON `credentials` (`bucket`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`type` text NOT NULL,
	`user_id` text,
	`client_id` text,
	`data` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_bucket` ON `outbox` (`bucket`);--> statement-breakpoint
CREATE INDEX `outbox_at` ON `outbox` (`at`);--> statement-breakpoint
CREATE TABLE `owned_buckets` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`epoch` integer NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `shard_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`email` text NOT NULL,
	`email_verified` integer DEFAULT false NOT NULL,
	`name` text,
	`given_name` text,
	`family_name` text,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `users_bucket` ON `users` (`bucket`);