-- Fewer rows written per token request. The family's current refresh token moves onto
-- its grant row; refresh_tokens keeps only retired tokens; a redeemed code points to its
-- grant; auth_codes, grants, refresh_tokens and outbox become WITHOUT ROWID tables keyed the way
-- they are read, with no secondary index they do not need. (Hand-edited: drizzle-kit does
-- not write WITHOUT ROWID or the data moves below.)
CREATE TABLE `__new_auth_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`client_id` text NOT NULL,
	`redirect_uri` text NOT NULL,
	`code_challenge` text,
	`nonce` text,
	`scope` text NOT NULL,
	`sid` text NOT NULL,
	`auth_time` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`redeemed_at` integer,
	`grant_id` text
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_auth_codes` ("code_hash", "bucket", "user_id", "client_id", "redirect_uri", "code_challenge", "nonce", "scope", "sid", "auth_time", "created_at", "expires_at", "redeemed_at", "grant_id")
SELECT c."code_hash", c."bucket", c."user_id", c."client_id", c."redirect_uri", c."code_challenge", c."nonce", c."scope", c."sid", c."auth_time", c."created_at", c."expires_at", c."redeemed_at",
	(SELECT g."id" FROM `grants` g WHERE g."code_hash" = c."code_hash")
FROM `auth_codes` c;--> statement-breakpoint
DROP TABLE `auth_codes`;--> statement-breakpoint
ALTER TABLE `__new_auth_codes` RENAME TO `auth_codes`;--> statement-breakpoint
CREATE INDEX `auth_codes_bucket` ON `auth_codes` (`bucket`);--> statement-breakpoint
CREATE INDEX `auth_codes_expiry` ON `auth_codes` (`expires_at`);--> statement-breakpoint
CREATE TABLE `__new_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`client_id` text NOT NULL,
	`sid` text,
	`scope` text NOT NULL,
	`auth_time` integer NOT NULL,
	`offline` integer DEFAULT false NOT NULL,
	`refresh_hash` text,
	`refresh_generation` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`revoke_reason` text
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_grants` ("id", "bucket", "user_id", "client_id", "sid", "scope", "auth_time", "offline", "refresh_hash", "refresh_generation", "created_at", "last_used_at", "expires_at", "revoked_at", "revoke_reason")
SELECT g."id", g."bucket", g."user_id", g."client_id", g."sid", g."scope", g."auth_time", g."offline",
	(SELECT r."token_hash" FROM `refresh_tokens` r WHERE r."grant_id" = g."id" AND r."retired_at" IS NULL ORDER BY r."generation" DESC LIMIT 1),
	COALESCE((SELECT max(r."generation") FROM `refresh_tokens` r WHERE r."grant_id" = g."id"), 0),
	g."created_at", g."last_used_at", g."expires_at", g."revoked_at", g."revoke_reason"
FROM `grants` g;--> statement-breakpoint
DROP TABLE `grants`;--> statement-breakpoint
ALTER TABLE `__new_grants` RENAME TO `grants`;--> statement-breakpoint
CREATE INDEX `grants_bucket_user` ON `grants` (`bucket`,`user_id`);--> statement-breakpoint
CREATE TABLE `__new_refresh_tokens` (
	`grant_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`bucket` integer NOT NULL,
	`generation` integer NOT NULL,
	`retired_at` integer NOT NULL,
	`successor_enc` text,
	PRIMARY KEY(`grant_id`, `token_hash`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_refresh_tokens` ("grant_id", "token_hash", "bucket", "generation", "retired_at", "successor_enc")
SELECT "grant_id", "token_hash", "bucket", "generation", "retired_at", "successor_enc" FROM `refresh_tokens` WHERE "retired_at" IS NOT NULL;--> statement-breakpoint
DROP TABLE `refresh_tokens`;--> statement-breakpoint
ALTER TABLE `__new_refresh_tokens` RENAME TO `refresh_tokens`;--> statement-breakpoint
CREATE INDEX `refresh_tokens_bucket` ON `refresh_tokens` (`bucket`);--> statement-breakpoint
CREATE TABLE `__new_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`bucket` integer NOT NULL,
	`type` text NOT NULL,
	`user_id` text,
	`client_id` text,
	`data` text NOT NULL,
	`at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_outbox` ("id", "bucket", "type", "user_id", "client_id", "data", "at") SELECT "id", "bucket", "type", "user_id", "client_id", "data", "at" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;
