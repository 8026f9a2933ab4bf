/* store.h — the progress store: the one module that owns SQLite.
 *
 * The database is WAL, its schema is data/schema.sql (compiled in), and it is
 * migrated by PRAGMA user_version. Every write is one short transaction, so
 * two tutors on one file both keep working (busy timeout). A store belongs to
 * the process that opened it: in a forked child every call fails with
 * STORE_ERR and touches nothing, and store_close() only frees memory. */
#ifndef SYSTOUR_STORE_H
#define SYSTOUR_STORE_H

enum { STORE_OK = 0, STORE_ERR = -1 };

/* The schema version (PRAGMA user_version) this program brings a database
 * to: data/schema.sql, then data/migration-N.sql for each N up to it. */
#define STORE_SCHEMA_VERSION 3

struct store;

/* One step a learner has seen. */
struct store_step {
	const char *lesson;     /* lesson id, e.g. "01-files" */
	int step;               /* 1-based step number */
	long long first_seen;   /* Unix time, seconds */
	long long last_seen;
	int times;              /* how many times it was shown */
};

/* Open (creating it and its directory) the database at path.
 * Never returns NULL. When the file is not a database or is corrupt, it is
 * renamed to "PATH.corrupt-YYYYMMDD-HHMMSS" (never deleted), a fresh one is
 * started, and *warning says so naming both paths. When the location cannot
 * be written, the store still opens but saves nothing (store_saving() is 0)
 * and *warning says why. *warning is NULL when there is nothing to say;
 * otherwise it is allocated and the caller frees it. */
struct store *store_open(const char *path, char **warning);

/* Close and free. Safe with NULL. */
void store_close(struct store *st);

/* 1 when progress is being saved, 0 when the store runs without saving. */
int store_saving(const struct store *st);

/* The path the store was opened with. */
const char *store_path(const struct store *st);

/* Record that a step was shown now: sets first_seen the first time, updates
 * last_seen and counts times. STORE_OK, or STORE_ERR when not saving. */
int store_step_seen(struct store *st, const char *lesson, int step);

/* How many distinct steps of lesson have been seen, counting only steps
 * 1..nsteps. Returns the count (0 when not saving), or STORE_ERR. */
int store_steps_seen(struct store *st, const char *lesson, int nsteps);

/* 1 if that step has been seen, 0 if not (or not saving). */
int store_step_was_seen(struct store *st, const char *lesson, int step);

/* Call fn for every step seen, ordered by lesson then step. Stops and returns
 * fn's value when it returns non-zero; otherwise STORE_OK, or STORE_ERR. */
int store_each_step(struct store *st,
    int (*fn)(const struct store_step *, void *arg), void *arg);

/* One demo run. */
struct store_demo {
	const char *demo;
	long long started;      /* Unix time, seconds */
	long long duration_ms;
	const char *ended;      /* "finished", "stopped", "failed: ..." */
};

/* Call fn for every demo run recorded, oldest first. Stops and returns fn's
 * value when it returns non-zero; otherwise STORE_OK, or STORE_ERR. */
int store_each_demo_run(struct store *st,
    int (*fn)(const struct store_demo *, void *arg), void *arg);

/* Erase all progress, demo runs included (schema kept). STORE_OK or
 * STORE_ERR. */
int store_reset(struct store *st);

/* Record a demo run: its name, when it started (Unix time, seconds), how
 * long it ran, and how it ended ("finished", "stopped", "failed: why").
 * STORE_OK, or STORE_ERR when not saving. */
int store_demo_run(struct store *st, const char *demo, long long started,
    long long duration_ms, const char *ended);

/* Record an event of an exercise, now: kind "attempt" (with status
 * "pass", "fail", "error" or "skip", its run time and message), "hint"
 * (detail: its number), "solution" or "reset". STORE_OK, or STORE_ERR
 * when not saving. */
int store_exercise_event(struct store *st, const char *exercise,
    const char *kind, const char *status, long long duration_ms,
    const char *detail);

/* How many events of that kind (and status, unless NULL) an exercise has:
 * 0 when not saving, or STORE_ERR. */
int store_exercise_count(struct store *st, const char *exercise,
    const char *kind, const char *status);

/* How many distinct exercises of a lesson ("processes") were passed. */
int store_exercises_passed(struct store *st, const char *lesson);

/* One exercise event, as recorded. */
struct store_exercise_event {
	const char *exercise, *kind;
	long long at;           /* Unix time, seconds */
	const char *status;     /* "" unless an attempt */
	long long duration_ms;
	const char *detail;     /* "" when none */
};

/* Call fn for every exercise event, oldest first. Stops and returns fn's
 * value when it returns non-zero; otherwise STORE_OK, or STORE_ERR. */
int store_each_exercise_event(struct store *st,
    int (*fn)(const struct store_exercise_event *, void *arg), void *arg);

/* The last error message, or "" when there was none. */
const char *store_error(const struct store *st);

#endif
