CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`acquired_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `moves` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bucket` integer NOT NULL,
	`from_shard` text NOT NULL,
	`to_shard` text NOT NULL,
	`step` text NOT NULL,
	`plan_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`fenced_at` integer,
	`fence_ms` integer,
	`rows_copied` integer DEFAULT 0 NOT NULL,
	`users` integer,
	`checksum` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`holder` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `moves_open_bucket` ON `moves` (`bucket`) WHERE step NOT IN ('done', 'rolled_back');--> statement-breakpoint
CREATE INDEX `moves_step` ON `moves` (`step`);