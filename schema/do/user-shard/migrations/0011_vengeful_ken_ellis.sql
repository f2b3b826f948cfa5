CREATE TABLE `email_challenges` (
	`handle_hash` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`purpose` text NOT NULL,
	`code_hash` text NOT NULL,
	`link_hash` text NOT NULL,
	`interaction` text,
	`pending_user` text,
	`attempts` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `email_challenges_link` ON `email_challenges` (`link_hash`);--> statement-breakpoint
CREATE INDEX `email_challenges_bucket` ON `email_challenges` (`bucket`);--> statement-breakpoint
CREATE INDEX `email_challenges_expiry` ON `email_challenges` (`expires_at`);