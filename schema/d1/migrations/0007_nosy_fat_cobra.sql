ALTER TABLE `clients` ADD `backchannel_token_delivery_mode` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `backchannel_client_notification_endpoint` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `backchannel_user_code_parameter` integer DEFAULT false NOT NULL;