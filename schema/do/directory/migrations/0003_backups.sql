CREATE TABLE `backup_buckets` (
	`backup_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`shard` text,
	`key` text,
	`bytes` integer,
	`sha256` text,
	`checksum` text,
	`rows` integer,
	`users` integer,
	`taken_at` integer,
	PRIMARY KEY(`backup_id`, `bucket`)
);
--> statement-breakpoint
CREATE TABLE `backups` (
	`id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`map_version` integer NOT NULL,
	`buckets` integer NOT NULL,
	`rows` integer,
	`users` integer,
	`bytes` integer
);
