CREATE TABLE `request_load` (
	`bucket` integer NOT NULL,
	`minute` integer NOT NULL,
	`requests` integer NOT NULL,
	PRIMARY KEY(`bucket`, `minute`)
);
