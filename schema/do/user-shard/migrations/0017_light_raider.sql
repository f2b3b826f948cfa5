CREATE TABLE `saml_participants` (
	`sid` text NOT NULL,
	`sp_entity_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`name_id_format` text NOT NULL,
	`name_id` text,
	`session_index` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`sid`, `sp_entity_id`)
);
--> statement-breakpoint
CREATE INDEX `saml_participants_bucket` ON `saml_participants` (`bucket`);