-- migration-4.sql — the progress store: exercises. Every check of an
-- exercise (an attempt, with its result), every hint shown and every view
-- of a solution, with its time.
--
-- Compiled into systour (app/core/store.c). Another branch adds
-- migration-3.sql; this one only creates a table of its own, so it runs
-- the same after it.

CREATE TABLE IF NOT EXISTS exercise_event (
	exercise    TEXT    NOT NULL,   -- "processes/01-fork-wait"
	kind        TEXT    NOT NULL,   -- "attempt", "hint", "solution", "reset"
	at          INTEGER NOT NULL,   -- Unix time, seconds
	status      TEXT,               -- an attempt's: pass, fail, error, skip
	duration_ms INTEGER,            -- an attempt's run time
	detail      TEXT                -- a hint's number, an attempt's message
);
CREATE INDEX IF NOT EXISTS exercise_event_by_exercise
	ON exercise_event (exercise, kind, at);
