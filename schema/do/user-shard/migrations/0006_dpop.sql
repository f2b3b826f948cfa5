CREATE TABLE `dpop_proofs` (
	`bucket` integer NOT NULL,
	`jti_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`bucket`, `jti_hash`)
);
--> statement-breakpoint
CREATE INDEX `dpop_proofs_expiry` ON `dpop_proofs` (`expires_at`);--> statement-breakpoint
ALTER TABLE `auth_codes` ADD `dpop_jkt` text;--> statement-breakpoint
ALTER TABLE `grants` ADD `dpop_jkt` text;