ALTER TABLE `clients` ADD `id_token_encrypted_response_alg` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `id_token_encrypted_response_enc` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `userinfo_signed_response_alg` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `userinfo_encrypted_response_alg` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `userinfo_encrypted_response_enc` text;