ALTER TABLE `auth_codes` ADD `claims` text;--> statement-breakpoint
ALTER TABLE `grants` ADD `claims` text;