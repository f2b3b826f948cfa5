CREATE TABLE `ldap_accounts` (
	`dn` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`email` text NOT NULL,
	`removed_at` integer,
	`synced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ldap_accounts_user` ON `ldap_accounts` (`user_id`);