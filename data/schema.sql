-- schema.sql — the progress store's schema, version 1.
--
-- Compiled into systour (app/store.c) and run by the migration from
-- user_version 0 to 1. Later versions add tables through the migrations
-- data/migration-N.sql (N the version they lead to), listed in app/store.c;
-- this text is never run against an existing database.

-- One row per lesson step the learner has been shown.
CREATE TABLE step_seen (
	lesson     TEXT    NOT NULL,           -- lesson id, e.g. "01-files"
	step       INTEGER NOT NULL,           -- 1-based step number
	first_seen INTEGER NOT NULL,           -- Unix time, seconds
	last_seen  INTEGER NOT NULL,
	times      INTEGER NOT NULL DEFAULT 1, -- how many times it was shown
	PRIMARY KEY (lesson, step)
);
