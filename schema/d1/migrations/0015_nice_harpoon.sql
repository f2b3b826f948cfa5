CREATE TABLE `saml_service_providers` (
	`entity_id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`metadata` text NOT NULL,
	`name_id_format` text NOT NULL,
	`sign_response` integer NOT NULL,
	`sign_assertion` integer NOT NULL,
	`encrypt_assertion` integer DEFAULT false NOT NULL,
	`attribute_map` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
