CREATE TABLE `access_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`external_id` text,
	`roles` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_groups_display_name_unique` ON `access_groups` (`display_name`);--> statement-breakpoint
CREATE INDEX `access_groups_external_id` ON `access_groups` (`external_id`);--> statement-breakpoint
CREATE TABLE `client_access_claims` (
	`client_id` text PRIMARY KEY NOT NULL,
	`id_token` text NOT NULL,
	`access_token` text NOT NULL,
	`userinfo` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `group_members` (
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`group_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `group_members_user` ON `group_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `role_permissions` (
	`role_name` text NOT NULL,
	`permission` text NOT NULL,
	PRIMARY KEY(`role_name`, `permission`)
);
--> statement-breakpoint
CREATE TABLE `roles` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text,
	`client_id` text,
	`condition` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scim_clients` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scim_clients_token_hash_unique` ON `scim_clients` (`token_hash`);--> statement-breakpoint
CREATE TABLE `scim_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`user_name` text NOT NULL,
	`external_id` text,
	`display_name` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scim_users_user_name` ON `scim_users` (`user_name`);--> statement-breakpoint
CREATE INDEX `scim_users_external_id` ON `scim_users` (`external_id`);--> statement-breakpoint
CREATE INDEX `scim_users_display_name` ON `scim_users` (`display_name`);