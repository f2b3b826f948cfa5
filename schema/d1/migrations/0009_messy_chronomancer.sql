CREATE TABLE `client_sealed_secrets` (
	`client_id` text PRIMARY KEY NOT NULL,
	`sealed` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `trusted_issuers` (
	`issuer` text PRIMARY KEY NOT NULL,
	`jwks` text,
	`jwks_uri` text,
	`audiences` text DEFAULT '[]' NOT NULL,
	`subject_type` text NOT NULL,
	`scope` text NOT NULL,
	`max_lifetime_s` integer DEFAULT 300 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `clients` ADD `token_endpoint_auth_signing_alg` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `request_object_signing_alg` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `require_signed_request_object` integer DEFAULT false NOT NULL;