ALTER TABLE `buckets` ADD `changed_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `buckets_changed` ON `buckets` (`changed_version`);