ALTER TABLE `clients` ADD `require_pushed_authorization_requests` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `authorization_signed_response_alg` text DEFAULT 'ES256' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `response_types` text DEFAULT '["code"]' NOT NULL;