-- migration-2.sql — the progress store from version 1 to 2: demo runs.
--
-- Compiled into systour (app/store.c) and run once on a version 1 database.

-- One row per live demo the learner ran.
CREATE TABLE demo_run (
	demo        TEXT    NOT NULL,   -- the demo's name, e.g. "pool"
	started     INTEGER NOT NULL,   -- Unix time, seconds
	duration_ms INTEGER NOT NULL,   -- wall-clock time it ran
	ended       TEXT    NOT NULL    -- "finished", "stopped", "failed: ..."
);
CREATE INDEX demo_run_by_demo ON demo_run (demo, started);
