CREATE TABLE `ldap_links` (
	`user_id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`dn` text NOT NULL,
	`groups` text NOT NULL,
	`roles` text NOT NULL,
	`state` text NOT NULL,
	`synced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ldap_links_bucket` ON `ldap_links` (`bucket`);