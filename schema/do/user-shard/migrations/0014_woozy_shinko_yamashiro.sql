CREATE TABLE `user_access` (
	`user_id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`roles` text NOT NULL,
	`groups` text NOT NULL,
	`attributes` text NOT NULL,
	`scim` text,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `user_access_bucket` ON `user_access` (`bucket`);