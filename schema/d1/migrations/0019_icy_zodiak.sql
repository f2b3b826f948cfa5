ALTER TABLE `upstream_providers` ADD `apple_team_id` text;--> statement-breakpoint
ALTER TABLE `upstream_providers` ADD `apple_key_id` text;--> statement-breakpoint
ALTER TABLE `upstream_providers` ADD `apple_sealed_key` text;