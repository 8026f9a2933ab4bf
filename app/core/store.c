/* store.c — the progress store: the learner's progress in one SQLite file.
 *
 * store_open() always gives a store. It checks the file in this order: can it
 * be opened for writing, is it a database at all, is it newer than this
 * program, is it intact (quick_check); then it switches to WAL, brings the
 * schema up to date with the steps in migrations[] and prepares every
 * statement it will use. A file that is not a database or is corrupt is
 * renamed aside and a fresh one started; any other failure leaves a store
 * that saves nothing and says why. Each write is one BEGIN IMMEDIATE ...
 * COMMIT, so several tutors can share the file within the busy timeout.
 *
 * A store belongs to the process that opened it (st->pid). In a forked child
 * every call fails without calling SQLite, since the child shares the file
 * descriptors but not the locks. */
#include "store.h"
#include "util.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* data/schema.sql, NUL-terminated, assembled into the binary. The path is
 * relative to the directory the compiler runs in (the top of the tree); the
 * Makefile makes every object depend on the file. */
__asm__(
    ".section .rodata\n"
    ".global store_schema_sql\n"
    ".type store_schema_sql, STT_OBJECT\n"
    "store_schema_sql:\n"
    ".incbin \"data/schema.sql\"\n"
    ".byte 0\n"
    ".size store_schema_sql, . - store_schema_sql\n"
    ".previous\n");
extern const char store_schema_sql[];

/* data/migration-2.sql the same way. */
__asm__(
    ".section .rodata\n"
    ".global store_migration_2_sql\n"
    ".type store_migration_2_sql, STT_OBJECT\n"
    "store_migration_2_sql:\n"
    ".incbin \"data/migration-2.sql\"\n"
    ".byte 0\n"
    ".size store_migration_2_sql, . - store_migration_2_sql\n"
    ".previous\n");
extern const char store_migration_2_sql[];

/* data/migration-4.sql the same way. */
__asm__(
    ".section .rodata\n"
    ".global store_migration_4_sql\n"
    ".type store_migration_4_sql, STT_OBJECT\n"
    "store_migration_4_sql:\n"
    ".incbin \"data/migration-4.sql\"\n"
    ".byte 0\n"
    ".size store_migration_4_sql, . - store_migration_4_sql\n"
    ".previous\n");
extern const char store_migration_4_sql[];

/* migrations[i] takes a database from user_version i to i + 1. Append only:
 * a step, once released, is never changed. */
static const char *const migrations[] = {
	store_schema_sql,	/* 0 -> 1: step_seen */
	store_migration_2_sql,	/* 1 -> 2: demo_run */
	/* 2 -> 3: migration-3.sql comes here (another branch); until it is
	 * merged, migration 4 is the step after 2 */
	store_migration_4_sql,	/* -> 4: exercise_event */
};
#define STORE_VERSION ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(STORE_VERSION == STORE_SCHEMA_VERSION,
    "store.h's STORE_SCHEMA_VERSION must count the migrations");

#define STORE_BUSY_MS 5000

/* What trying to open the database came to. */
enum open_result {
	OPEN_OK,
	OPEN_CORRUPT,	/* not a database, or damaged: move it aside */
	OPEN_NEWER,	/* user_version beyond STORE_VERSION: leave it alone */
	OPEN_FAIL,	/* anything else: run without saving */
};

struct store {
	char		*path;
	pid_t		 pid;		/* the process that opened it */
	sqlite3		*db;		/* NULL when not saving */
	int		 in_each;	/* inside store_each_step() */
	int		 busy;		/* the last db_open() met a lock */
	char		 error[512];

	sqlite3_stmt	*begin;
	sqlite3_stmt	*commit;
	sqlite3_stmt	*rollback;
	sqlite3_stmt	*seen;
	sqlite3_stmt	*count;
	sqlite3_stmt	*was_seen;
	sqlite3_stmt	*each;
	sqlite3_stmt	*reset;
	sqlite3_stmt	*reset_demos;
	sqlite3_stmt	*demo_run;
	sqlite3_stmt	*each_demo;
};

/* Every statement the store keeps, by the offset of its slot in the struct. */
static const struct {
	size_t		 slot;
	const char	*sql;
} store_stmts[] = {
	{ offsetof(struct store, begin), "BEGIN IMMEDIATE" },
	{ offsetof(struct store, commit), "COMMIT" },
	{ offsetof(struct store, rollback), "ROLLBACK" },
	{ offsetof(struct store, seen),
	  "INSERT INTO step_seen (lesson, step, first_seen, last_seen, times)"
	  " VALUES (?1, ?2, ?3, ?3, 1)"
	  " ON CONFLICT (lesson, step) DO UPDATE SET"
	  " last_seen = excluded.last_seen, times = times + 1" },
	{ offsetof(struct store, count),
	  "SELECT count(*) FROM step_seen"
	  " WHERE lesson = ?1 AND step BETWEEN 1 AND ?2" },
	{ offsetof(struct store, was_seen),
	  "SELECT 1 FROM step_seen WHERE lesson = ?1 AND step = ?2" },
	{ offsetof(struct store, each),
	  "SELECT lesson, step, first_seen, last_seen, times FROM step_seen"
	  " ORDER BY lesson, step" },
	{ offsetof(struct store, reset), "DELETE FROM step_seen" },
	{ offsetof(struct store, reset_demos), "DELETE FROM demo_run" },
	{ offsetof(struct store, demo_run),
	  "INSERT INTO demo_run (demo, started, duration_ms, ended)"
	  " VALUES (?1, ?2, ?3, ?4)" },
	{ offsetof(struct store, each_demo),
	  "SELECT demo, started, duration_ms, ended FROM demo_run"
	  " ORDER BY started, rowid" },
};
#define STORE_NSTMTS (sizeof store_stmts / sizeof store_stmts[0])

static sqlite3_stmt **
stmt_slot(struct store *st, size_t i)
{
	return (sqlite3_stmt **)((char *)st + store_stmts[i].slot);
}

/* ---------------------------------------------------------------- errors */

/* Errors go into a fixed buffer so that recording one never allocates (it
 * may happen in a forked child). */
static void __attribute__((format(printf, 2, 3)))
set_error(struct store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->error, sizeof st->error, fmt, ap);
	va_end(ap);
}

/* SQLite's message for the last failure on db, with the system's reason when
 * there is one. Allocated. */
static char *
db_reason(sqlite3 *db)
{
	int	 sys = sqlite3_system_errno(db);

	if (sys != 0)
		return xasprintf("%s: %s", sqlite3_errmsg(db), strerror(sys));
	return xstrdup(sqlite3_errmsg(db));
}

static int
is_corrupt(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

/* 1 when st may use SQLite: it was opened by this process and is saving. */
static int
usable(struct store *st)
{
	if (st == NULL)
		return 0;
	if (st->pid != getpid()) {
		set_error(st, "the progress store belongs to process %ld",
		    (long)st->pid);
		return 0;
	}
	return st->db != NULL;
}

/* ------------------------------------------------------------ opening */

/* Run sql, which gives one row, and put its first column in *out. Returns an
 * SQLite result code. */
static int
db_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(stmt, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* PRAGMA quick_check: SQLITE_OK when it says "ok", SQLITE_CORRUPT when it
 * finds damage, or the error it failed with. */
static int
db_quick_check(sqlite3 *db)
{
	sqlite3_stmt		*stmt;
	const unsigned char	*text;
	int			 rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		text = sqlite3_column_text(stmt, 0);
		if (text != NULL && strcmp((const char *)text, "ok") == 0)
			rc = SQLITE_OK;
		else
			rc = SQLITE_CORRUPT;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Bring the schema up to STORE_VERSION, one transaction per step. The version
 * is read again inside each transaction, so two tutors opening one new file
 * at once do not both run a step. Returns an SQLite result code; *newer is
 * set when the file turns out to be newer than this program. */
static int
db_migrate(sqlite3 *db, int *newer)
{
	char	*sql;
	int	 rc, version;

	*newer = 0;
	for (;;) {
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return rc;
		rc = db_int(db, "PRAGMA user_version", &version);
		if (rc != SQLITE_OK)
			goto fail;
		if (version >= STORE_VERSION) {
			*newer = version > STORE_VERSION;
			return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		}
		rc = sqlite3_exec(db, migrations[version], NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		sql = xasprintf("PRAGMA user_version = %d", version + 1);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		free(sql);
		if (rc != SQLITE_OK)
			goto fail;
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
	}

fail:
	/* rc is the failed step's; what the rollback returns does not matter. */
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void
db_close(struct store *st)
{
	for (size_t i = 0; i < STORE_NSTMTS; i++) {
		sqlite3_finalize(*stmt_slot(st, i));
		*stmt_slot(st, i) = NULL;
	}
	sqlite3_close(st->db);
	st->db = NULL;
}

/* Open st->path as the progress database. On anything but OPEN_OK the handle
 * is closed again and *why (allocated) says what went wrong. */
static enum open_result
db_open(struct store *st, char **why)
{
	enum open_result	 res = OPEN_FAIL;
	const unsigned char	*mode;
	sqlite3_stmt		*stmt;
	int			 rc, version, newer;

	*why = NULL;
	rc = sqlite3_open_v2(st->path, &st->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		*why = xstrdup("the file is read-only");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/* Until the file has passed the checks, closing must leave it as it
	 * is: SQLite would otherwise checkpoint a -wal into it and delete it. */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

	/* The version first: it reads only the header, and a newer file must
	 * not be touched at all, not even moved aside. */
	rc = db_int(st->db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK)
		goto fail;
	if (version > STORE_VERSION) {
		*why = xasprintf("it has schema version %d and this systour "
		    "knows only up to %d", version, STORE_VERSION);
		res = OPEN_NEWER;
		goto fail;
	}
	if ((rc = db_quick_check(st->db)) != SQLITE_OK)
		goto fail;
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);

	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &stmt,
	    NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(stmt);
	mode = rc == SQLITE_ROW ? sqlite3_column_text(stmt, 0) : NULL;
	if (mode != NULL && strcmp((const char *)mode, "wal") != 0) {
		*why = xasprintf("cannot use WAL mode (journal mode is %s)",
		    (const char *)mode);
		sqlite3_finalize(stmt);
		goto fail;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		goto fail;
	rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK)
		goto fail;

	if ((rc = db_migrate(st->db, &newer)) != SQLITE_OK)
		goto fail;
	if (newer) {
		*why = xstrdup("another systour upgraded it to a newer schema");
		res = OPEN_NEWER;
		goto fail;
	}

	for (size_t i = 0; i < STORE_NSTMTS; i++) {
		rc = sqlite3_prepare_v3(st->db, store_stmts[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, stmt_slot(st, i), NULL);
		if (rc != SQLITE_OK)
			goto fail;
	}
	return OPEN_OK;

fail:
	st->busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ||
	    (st->db != NULL && ((sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY ||
	    (sqlite3_errcode(st->db) & 0xff) == SQLITE_LOCKED));
	if (*why == NULL) {
		if (st->db != NULL && is_corrupt(sqlite3_errcode(st->db)))
			res = OPEN_CORRUPT;
		else if (is_corrupt(rc))
			res = OPEN_CORRUPT;
		if (st->db != NULL && sqlite3_errcode(st->db) != SQLITE_OK)
			*why = db_reason(st->db);
		else
			*why = xstrdup(sqlite3_errstr(rc));
	}
	db_close(st);
	return res;
}

/* Create the directory path lives in. 0, or -1 with *why set. */
static int
make_parent(const char *path, char **why)
{
	const char	*slash = strrchr(path, '/');
	struct stat	 sb;
	char		*dir;
	int		 rc = 0;

	if (slash == NULL || slash == path)
		return 0;
	dir = xstrndup(path, slash - path);
	/* mkdir_p() is content with a file of that name; SQLite is not. */
	if (mkdir_p(dir) == -1 || stat(dir, &sb) == -1)
		rc = -1;
	else if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		rc = -1;
	}
	if (rc == -1)
		*why = xasprintf("cannot create %s: %s", dir, strerror(errno));
	free(dir);
	return rc;
}

static int
exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0 || errno != ENOENT;
}

/* Rename path, and its -wal and -shm when present, to
 * "PATH.corrupt-YYYYMMDD-HHMMSS" (plus "-N" when that is taken) and the same
 * name with "-wal" and "-shm", so that the moved database still opens with
 * its log. Sets *moved (allocated) and returns 0, or -1 with *why set. */
static int
move_aside(const char *path, char **moved, char **why)
{
	static const char *const extra[] = { "-wal", "-shm" };
	char		 stamp[32], *to = NULL, *from, *side;
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 taken;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (int n = 0;; n++) {
		free(to);
		if (n == 0)
			to = xasprintf("%s.corrupt-%s", path, stamp);
		else
			to = xasprintf("%s.corrupt-%s-%d", path, stamp, n);
		taken = exists(to);
		for (size_t i = 0; !taken && i < 2; i++) {
			side = xasprintf("%s%s", to, extra[i]);
			taken = exists(side);
			free(side);
		}
		if (!taken)
			break;
		if (n == 1000) {
			*why = xasprintf("too many files named %s.corrupt-%s-*",
			    path, stamp);
			free(to);
			return -1;
		}
	}

	if (rename(path, to) == -1) {
		*why = xasprintf("cannot rename it to %s: %s", to,
		    strerror(errno));
		free(to);
		return -1;
	}
	for (size_t i = 0; i < 2; i++) {
		from = xasprintf("%s%s", path, extra[i]);
		side = xasprintf("%s%s", to, extra[i]);
		/* A log left behind would be applied to the fresh file. */
		if (rename(from, side) == -1 && errno != ENOENT &&
		    unlink(from) == -1 && errno != ENOENT) {
			*why = xasprintf("cannot move %s aside: %s", from,
			    strerror(errno));
			free(from);
			free(side);
			*moved = to;
			return -1;
		}
		free(from);
		free(side);
	}
	*moved = to;
	return 0;
}

/* Open (creating it and its directory) the database at path.
 * Never returns NULL. When the file is not a database or is corrupt, it is
 * renamed to "PATH.corrupt-YYYYMMDD-HHMMSS" (never deleted), a fresh one is
 * started, and *warning says so naming both paths. When the location cannot
 * be written, the store still opens but saves nothing (store_saving() is 0)
 * and *warning says why. *warning is NULL when there is nothing to say;
 * otherwise it is allocated and the caller frees it. warning may be NULL. */
/* db_open(), tried again while another systour holds a lock it cannot wait
 * for through the busy handler (switching to WAL, recovering a WAL), until
 * the busy timeout has passed. */
static enum open_result
open_waiting(struct store *st, char **why)
{
	long long deadline = now_ms() + STORE_BUSY_MS;
	for (;;) {
		enum open_result res = db_open(st, why);
		if (res != OPEN_FAIL || !st->busy || now_ms() >= deadline)
			return res;
		free(*why);
		*why = NULL;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

struct store *
store_open(const char *path, char **warning)
{
	struct store		*st = xcalloc(1, sizeof *st);
	enum open_result	 res;
	char			*why = NULL, *moved = NULL, *warn = NULL;

	st->path = xstrdup(path != NULL ? path : "");
	st->pid = getpid();

	if (make_parent(st->path, &why) == -1) {
		warn = xasprintf("cannot save progress to %s: %s; running "
		    "without saving", st->path, why);
		goto done;
	}

	res = open_waiting(st, &why);
	if (res == OPEN_CORRUPT) {
		if (move_aside(st->path, &moved, &why) == -1) {
			warn = xasprintf("progress database %s is corrupt and "
			    "cannot be moved aside: %s; running without saving",
			    st->path, why);
			goto done;
		}
		free(why);
		res = open_waiting(st, &why);
		if (res == OPEN_OK) {
			warn = xasprintf("progress database %s was corrupt; "
			    "moved it to %s and started a fresh one", st->path,
			    moved);
			goto done;
		}
		warn = xasprintf("progress database %s was corrupt; moved it to "
		    "%s, but cannot save progress to %s: %s; running without "
		    "saving", st->path, moved, st->path, why);
		goto done;
	}
	if (res == OPEN_NEWER)
		warn = xasprintf("progress database %s is newer than this "
		    "systour (%s); leaving it alone and running without saving",
		    st->path, why);
	else if (res == OPEN_FAIL)
		warn = xasprintf("cannot save progress to %s: %s; running "
		    "without saving", st->path, why);

done:
	if (warn != NULL && st->db == NULL)
		set_error(st, "%s", warn);
	if (warning != NULL)
		*warning = warn;
	else
		free(warn);
	free(why);
	free(moved);
	return st;
}

/* Close and free. Safe with NULL. In a process other than the one that opened
 * the store, only frees memory: SQLite is not called. */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->pid == getpid() && st->db != NULL)
		db_close(st);
	free(st->path);
	free(st);
}

/* 1 when progress is being saved, 0 when the store runs without saving (or
 * belongs to another process). */
int
store_saving(const struct store *st)
{
	return st != NULL && st->db != NULL && st->pid == getpid();
}

/* The path the store was opened with. */
const char *
store_path(const struct store *st)
{
	return st != NULL ? st->path : "";
}

/* The last error message, or "" when there was none. */
const char *
store_error(const struct store *st)
{
	return st != NULL ? st->error : "";
}

/* ------------------------------------------------------------ writing */

/* Run n statements, already bound, as one transaction. Resets them. */
static int
store_write_n(struct store *st, sqlite3_stmt *const *stmts, int n)
{
	int	rc;

	rc = sqlite3_step(st->begin);
	sqlite3_reset(st->begin);
	if (rc != SQLITE_DONE) {
		for (int i = 0; i < n; i++)
			sqlite3_reset(stmts[i]);
		set_error(st, "%s", sqlite3_errmsg(st->db));
		return STORE_ERR;
	}
	rc = SQLITE_DONE;
	for (int i = 0; i < n; i++) {
		if (rc == SQLITE_DONE)
			rc = sqlite3_step(stmts[i]);
		sqlite3_reset(stmts[i]);
	}
	if (rc == SQLITE_DONE) {
		rc = sqlite3_step(st->commit);
		sqlite3_reset(st->commit);
		if (rc == SQLITE_DONE)
			return STORE_OK;
	}
	set_error(st, "%s", sqlite3_errmsg(st->db));
	if (!sqlite3_get_autocommit(st->db)) {
		sqlite3_step(st->rollback);
		sqlite3_reset(st->rollback);
	}
	return STORE_ERR;
}

/* Run stmt, already bound, as one transaction. Resets stmt. */
static int
store_write(struct store *st, sqlite3_stmt *stmt)
{
	return store_write_n(st, &stmt, 1);
}

/* Record that a step was shown now: sets first_seen the first time, updates
 * last_seen and counts times. STORE_OK, or STORE_ERR when not saving or when
 * lesson is NULL or step is below 1. */
int
store_step_seen(struct store *st, const char *lesson, int step)
{
	if (!usable(st))
		return STORE_ERR;
	if (lesson == NULL || step < 1) {
		set_error(st, "no such step: %s %d", lesson ? lesson : "(null)",
		    step);
		return STORE_ERR;
	}
	sqlite3_bind_text(st->seen, 1, lesson, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st->seen, 2, step);
	sqlite3_bind_int64(st->seen, 3, (sqlite3_int64)time(NULL));
	return store_write(st, st->seen);
}

/* Erase all progress (schema kept). STORE_OK or STORE_ERR. */
int
store_reset(struct store *st)
{
	if (!usable(st))
		return STORE_ERR;
	sqlite3_stmt *ex = NULL;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM exercise_event", -1, &ex,
	    NULL) != SQLITE_OK) {
		set_error(st, "%s", sqlite3_errmsg(st->db));
		return STORE_ERR;
	}
	sqlite3_stmt *all[] = { st->reset, st->reset_demos, ex };
	int rc = store_write_n(st, all, 3);
	sqlite3_finalize(ex);
	return rc;
}

/* Record a demo run: its name, when it started (Unix time), how long it
 * ran, and how it ended. STORE_OK, or STORE_ERR when not saving. */
int
store_demo_run(struct store *st, const char *demo, long long started,
    long long duration_ms, const char *ended)
{
	if (!usable(st))
		return STORE_ERR;
	sqlite3_bind_text(st->demo_run, 1, demo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st->demo_run, 2, (sqlite3_int64)started);
	sqlite3_bind_int64(st->demo_run, 3, (sqlite3_int64)duration_ms);
	sqlite3_bind_text(st->demo_run, 4, ended, -1, SQLITE_TRANSIENT);
	return store_write(st, st->demo_run);
}

/* ------------------------------------------------------------ reading */

/* How many distinct steps of lesson have been seen, counting only steps
 * 1..nsteps. Returns the count (0 when not saving), or STORE_ERR. */
int
store_steps_seen(struct store *st, const char *lesson, int nsteps)
{
	int	rc, n = 0;

	if (!usable(st) || lesson == NULL)
		return 0;
	sqlite3_bind_text(st->count, 1, lesson, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st->count, 2, nsteps);
	rc = sqlite3_step(st->count);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int(st->count, 0);
	else
		set_error(st, "%s", sqlite3_errmsg(st->db));
	sqlite3_reset(st->count);
	return rc == SQLITE_ROW ? n : STORE_ERR;
}

/* 1 if that step has been seen, 0 if not (or not saving, or on error). */
int
store_step_was_seen(struct store *st, const char *lesson, int step)
{
	int	rc;

	if (!usable(st) || lesson == NULL)
		return 0;
	sqlite3_bind_text(st->was_seen, 1, lesson, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st->was_seen, 2, step);
	rc = sqlite3_step(st->was_seen);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		set_error(st, "%s", sqlite3_errmsg(st->db));
	sqlite3_reset(st->was_seen);
	return rc == SQLITE_ROW;
}

/* Call fn for every step seen, ordered by lesson then step. Stops and returns
 * fn's value when it returns non-zero; otherwise STORE_OK, or STORE_ERR. The
 * struct and its lesson are valid only during the call. fn may write to the
 * store but must not call store_each_step() (that is STORE_ERR). When not
 * saving, fn is never called and the result is STORE_OK. */
int
store_each_step(struct store *st,
    int (*fn)(const struct store_step *, void *arg), void *arg)
{
	struct store_step	 s;
	int			 rc, ret = STORE_OK;

	if (!usable(st))
		return STORE_OK;
	if (fn == NULL || st->in_each) {
		set_error(st, "store_each_step: %s", fn == NULL ?
		    "no function" : "called from its own callback");
		return STORE_ERR;
	}
	st->in_each = 1;
	while ((rc = sqlite3_step(st->each)) == SQLITE_ROW) {
		s.lesson = (const char *)sqlite3_column_text(st->each, 0);
		if (s.lesson == NULL)
			s.lesson = "";
		s.step = sqlite3_column_int(st->each, 1);
		s.first_seen = sqlite3_column_int64(st->each, 2);
		s.last_seen = sqlite3_column_int64(st->each, 3);
		s.times = sqlite3_column_int(st->each, 4);
		if ((ret = fn(&s, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_error(st, "%s", sqlite3_errmsg(st->db));
		ret = STORE_ERR;
	}
	sqlite3_reset(st->each);
	st->in_each = 0;
	return ret;
}

/* Call fn for every demo run recorded, oldest first. Stops and returns fn's
 * value when it returns non-zero; otherwise STORE_OK, or STORE_ERR. */
int
store_each_demo_run(struct store *st,
    int (*fn)(const struct store_demo *, void *arg), void *arg)
{
	struct store_demo	 d;
	int			 rc, ret = STORE_OK;

	if (!usable(st))
		return STORE_OK;
	if (fn == NULL || st->in_each) {
		set_error(st, "store_each_demo_run: %s", fn == NULL ?
		    "no function" : "called from a callback");
		return STORE_ERR;
	}
	st->in_each = 1;
	while ((rc = sqlite3_step(st->each_demo)) == SQLITE_ROW) {
		d.demo = (const char *)sqlite3_column_text(st->each_demo, 0);
		d.started = sqlite3_column_int64(st->each_demo, 1);
		d.duration_ms = sqlite3_column_int64(st->each_demo, 2);
		d.ended = (const char *)sqlite3_column_text(st->each_demo, 3);
		if (d.demo == NULL)
			d.demo = "";
		if (d.ended == NULL)
			d.ended = "";
		if ((ret = fn(&d, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_error(st, "%s", sqlite3_errmsg(st->db));
		ret = STORE_ERR;
	}
	sqlite3_reset(st->each_demo);
	st->in_each = 0;
	return ret;
}

/* ------------------------------------------------------------ exercises */

int
store_exercise_event(struct store *st, const char *exercise, const char *kind,
    const char *status, long long duration_ms, const char *detail)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc;

	if (!usable(st))
		return STORE_ERR;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO exercise_event (exercise,"
	    " kind, at, status, duration_ms, detail) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6)", -1, &stmt, NULL) != SQLITE_OK) {
		set_error(st, "%s", sqlite3_errmsg(st->db));
		return STORE_ERR;
	}
	sqlite3_bind_text(stmt, 1, exercise, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)time(NULL));
	if (status)
		sqlite3_bind_text(stmt, 4, status, -1, SQLITE_TRANSIENT);
	if (status)
		sqlite3_bind_int64(stmt, 5, (sqlite3_int64)duration_ms);
	if (detail)
		sqlite3_bind_text(stmt, 6, detail, -1, SQLITE_TRANSIENT);
	rc = store_write(st, stmt);
	sqlite3_finalize(stmt);
	return rc;
}

/* Run sql (one row, one integer) with text parameters a and b. */
static int
count_query(struct store *st, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt	*stmt = NULL;
	int		 n = 0, rc;

	if (!usable(st))
		return 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		set_error(st, "%s", sqlite3_errmsg(st->db));
		return STORE_ERR;
	}
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(stmt, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	else
		set_error(st, "%s", sqlite3_errmsg(st->db));
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? n : STORE_ERR;
}

int
store_exercise_count(struct store *st, const char *exercise, const char *kind,
    const char *status)
{
	if (status == NULL)
		return count_query(st, "SELECT count(*) FROM exercise_event"
		    " WHERE exercise = ?1 AND kind = ?2", exercise, kind);
	char *sql = sqlite3_mprintf("SELECT count(*) FROM exercise_event"
	    " WHERE exercise = ?1 AND kind = ?2 AND status = %Q", status);
	int n = count_query(st, sql, exercise, kind);
	sqlite3_free(sql);
	return n;
}

int
store_exercises_passed(struct store *st, const char *lesson)
{
	return count_query(st, "SELECT count(DISTINCT exercise) FROM"
	    " exercise_event WHERE kind = 'attempt' AND status = 'pass' AND"
	    " substr(exercise, 1, length(?1) + 1) = ?1 || '/'", lesson, NULL);
}

int
store_each_exercise_event(struct store *st,
    int (*fn)(const struct store_exercise_event *, void *arg), void *arg)
{
	struct store_exercise_event	 e;
	sqlite3_stmt			*stmt = NULL;
	int				 rc, ret = STORE_OK;

	if (!usable(st))
		return STORE_OK;
	if (sqlite3_prepare_v2(st->db, "SELECT exercise, kind, at,"
	    " coalesce(status, ''), coalesce(duration_ms, 0),"
	    " coalesce(detail, '') FROM exercise_event ORDER BY at, rowid",
	    -1, &stmt, NULL) != SQLITE_OK) {
		set_error(st, "%s", sqlite3_errmsg(st->db));
		return STORE_ERR;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		e.exercise = (const char *)sqlite3_column_text(stmt, 0);
		e.kind = (const char *)sqlite3_column_text(stmt, 1);
		e.at = sqlite3_column_int64(stmt, 2);
		e.status = (const char *)sqlite3_column_text(stmt, 3);
		e.duration_ms = sqlite3_column_int64(stmt, 4);
		e.detail = (const char *)sqlite3_column_text(stmt, 5);
		if (e.exercise == NULL || e.kind == NULL)
			continue;
		if ((ret = fn(&e, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_error(st, "%s", sqlite3_errmsg(st->db));
		ret = STORE_ERR;
	}
	sqlite3_finalize(stmt);
	return ret;
}
