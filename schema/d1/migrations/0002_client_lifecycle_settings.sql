ALTER TABLE `clients` ADD `offline_survives_logout` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `refresh_grace_s` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `token_exchange_audiences` text DEFAULT '[]' NOT NULL;