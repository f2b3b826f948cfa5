CREATE TABLE `federated_links` (
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`subject` text NOT NULL,
	`bucket` integer NOT NULL,
	`email` text,
	`sealed_tokens` text,
	`linked_at` integer NOT NULL,
	`last_sign_in_at` integer,
	PRIMARY KEY(`user_id`, `provider`, `subject`)
);
--> statement-breakpoint
CREATE INDEX `federated_links_bucket` ON `federated_links` (`bucket`);