-- migration-3.sql — the progress store from version 2 to 3: settings.
--
-- Compiled into systour (app/core/store.c) and run once on a version 2
-- database.

-- The learner's choices that outlive a run, one row each: today "lang"
-- ("en" or "zh"), the language last chosen in the tutor.
CREATE TABLE setting (
	key   TEXT PRIMARY KEY NOT NULL,
	value TEXT NOT NULL
);
