CREATE TABLE `buckets` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`shard` text NOT NULL,
	`epoch` integer NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `map_meta` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`shards` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `shard_sync` (
	`shard` text PRIMARY KEY NOT NULL,
	`acked_version` integer NOT NULL
);
