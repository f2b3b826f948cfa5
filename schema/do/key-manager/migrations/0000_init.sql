CREATE TABLE `rotation` (
	`id` integer PRIMARY KEY NOT NULL,
	`rotates_at` integer NOT NULL,
	`last_rotated_at` integer
);
--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`alg` text NOT NULL,
	`state` text NOT NULL,
	`public_jwk` text NOT NULL,
	`private_jwk` text NOT NULL,
	`created_at` integer NOT NULL,
	`activated_at` integer,
	`retired_at` integer,
	`retire_until` integer
);
--> statement-breakpoint
CREATE INDEX `signing_keys_state` ON `signing_keys` (`alg`,`state`);