CREATE TABLE `federated_identities` (
	`provider` text NOT NULL,
	`subject` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `subject`)
);
--> statement-breakpoint
CREATE INDEX `federated_identities_user` ON `federated_identities` (`user_id`);--> statement-breakpoint
CREATE TABLE `upstream_providers` (
	`id` text PRIMARY KEY NOT NULL,
	`preset` text NOT NULL,
	`display_name` text NOT NULL,
	`kind` text NOT NULL,
	`issuer` text,
	`authorization_endpoint` text NOT NULL,
	`token_endpoint` text NOT NULL,
	`userinfo_endpoint` text,
	`emails_endpoint` text,
	`jwks_uri` text,
	`client_id` text NOT NULL,
	`sealed_secret` text,
	`scope` text NOT NULL,
	`claim_mapping` text NOT NULL,
	`link_policy` text NOT NULL,
	`show_on_login` integer NOT NULL,
	`store_tokens` integer NOT NULL,
	`trust_amr` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
