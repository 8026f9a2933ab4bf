/* test_store.c — unit tests for the progress store (app/core/store.c).
 *
 * Every test gets its own directory from mkdtemp() under /tmp, removed in
 * the teardown. The database is also inspected with SQLite directly, so the
 * tests check what is on disk, not only what the API says. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

struct fixture {
	char	*dir;	/* the test's own directory */
	char	*db;	/* DIR/progress.db */
};

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);
	char		 tmpl[] = "/tmp/test_store.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	fx->dir = xstrdup(tmpl);
	fx->db = xasprintf("%s/progress.db", fx->dir);
	*state = fx;
	return 0;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 rc;

	rc = nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx->dir);
	free(fx->db);
	free(fx);
	return rc;
}

/* ------------------------------------------------------------ helpers */

static void
write_bytes(const char *path, const void *buf, size_t len)
{
	int	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* 4 KiB that are not an SQLite file. */
static void
garbage(unsigned char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + seed * 13 + 3);
}

/* The first column of the one row sql gives, run with SQLite directly. */
static long long
sql_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	long long	 v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static char *
sql_text(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	char		*v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void
sql_exec(const char *path, const char *sql)
{
	sqlite3	*db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static struct store *
open_ok(const char *path)
{
	char		*warning = (char *)"unset";
	struct store	*st = store_open(path, &warning);

	assert_non_null(st);
	assert_null(warning);
	assert_int_equal(store_saving(st), 1);
	return st;
}

static int
is_file(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The path after "moved it to " in a corrupt-file warning. Allocated. */
static char *
moved_path(const char *warning)
{
	const char	*from = strstr(warning, "moved it to "), *to;

	assert_non_null(from);
	from += strlen("moved it to ");
	to = strstr(from, " and started a fresh one");
	assert_non_null(to);
	return xstrndup(from, to - from);
}

/* store_each_step() collects into this. */
struct seen {
	int		 n;
	int		 stop_after;	/* return 7 after this many; 0: never */
	char		 lesson[8][16];
	int		 step[8];
	int		 times[8];
	long long	 first[8];
	long long	 last[8];
};

static int
collect(const struct store_step *s, void *arg)
{
	struct seen	*sn = arg;

	if (sn->n < 8) {
		snprintf(sn->lesson[sn->n], sizeof sn->lesson[0], "%s",
		    s->lesson);
		sn->step[sn->n] = s->step;
		sn->times[sn->n] = s->times;
		sn->first[sn->n] = s->first_seen;
		sn->last[sn->n] = s->last_seen;
	}
	sn->n++;
	return sn->stop_after != 0 && sn->n == sn->stop_after ? 7 : 0;
}

/* -------------------------------------------------------------- tests */

/* A fresh open creates the directory, the schema, the current user_version,
 * WAL. */
static void
test_fresh_open_creates_schema(void **state)
{
	struct fixture	*fx = *state;
	char		*path = xasprintf("%s/a/b/progress.db", fx->dir);
	struct store	*st = open_ok(path);
	char		*mode;

	assert_string_equal(store_path(st), path);
	assert_string_equal(store_error(st), "");
	assert_true(is_file(path));
	assert_int_equal(sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(path,
	    "SELECT count(*) FROM pragma_table_info('step_seen')"
	    " WHERE name IN ('lesson', 'step', 'first_seen', 'last_seen',"
	    " 'times')"), 5);
	assert_int_equal(sql_int(path,
	    "SELECT count(*) FROM pragma_table_info('step_seen') WHERE pk > 0"),
	    2);
	mode = sql_text(path, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	store_close(st);
	free(path);
}

/* steps_seen counts distinct steps 1..nsteps of one lesson. */
static void
test_steps_seen_counts_distinct(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);

	assert_int_equal(store_steps_seen(st, "01-files", 10), 0);
	assert_int_equal(store_step_seen(st, "01-files", 1), STORE_OK);
	assert_int_equal(store_step_seen(st, "01-files", 2), STORE_OK);
	assert_int_equal(store_step_seen(st, "01-files", 2), STORE_OK);
	assert_int_equal(store_step_seen(st, "01-files", 5), STORE_OK);
	assert_int_equal(store_step_seen(st, "02-procs", 1), STORE_OK);

	assert_int_equal(store_steps_seen(st, "01-files", 10), 3);
	assert_int_equal(store_steps_seen(st, "01-files", 5), 3);
	assert_int_equal(store_steps_seen(st, "01-files", 4), 2);
	assert_int_equal(store_steps_seen(st, "01-files", 1), 1);
	assert_int_equal(store_steps_seen(st, "01-files", 0), 0);
	assert_int_equal(store_steps_seen(st, "02-procs", 10), 1);
	assert_int_equal(store_steps_seen(st, "03-none", 10), 0);

	assert_int_equal(store_step_was_seen(st, "01-files", 2), 1);
	assert_int_equal(store_step_was_seen(st, "01-files", 3), 0);
	assert_int_equal(store_step_was_seen(st, "02-procs", 2), 0);

	/* Not a step: refused, nothing written. */
	assert_int_equal(store_step_seen(st, "01-files", 0), STORE_ERR);
	assert_int_equal(store_step_seen(st, "01-files", -3), STORE_ERR);
	assert_int_equal(store_step_seen(st, NULL, 1), STORE_ERR);
	assert_true(strlen(store_error(st)) > 0);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM step_seen"), 4);
	store_close(st);
}

/* Seeing a step again counts times and moves last_seen, not first_seen. */
static void
test_times_increments(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);
	struct seen	 sn = { 0 };
	long long	 t0 = time(NULL), t1;

	for (int i = 0; i < 3; i++)
		assert_int_equal(store_step_seen(st, "01-files", 4), STORE_OK);
	t1 = time(NULL);
	assert_int_equal(store_each_step(st, collect, &sn), STORE_OK);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.lesson[0], "01-files");
	assert_int_equal(sn.step[0], 4);
	assert_int_equal(sn.times[0], 3);
	assert_true(sn.first[0] >= t0 && sn.first[0] <= t1);
	assert_true(sn.last[0] >= sn.first[0] && sn.last[0] <= t1);

	/* first_seen stays when a later sighting updates last_seen. */
	sql_exec(fx->db, "UPDATE step_seen SET first_seen = 1000,"
	    " last_seen = 1000");
	assert_int_equal(store_step_seen(st, "01-files", 4), STORE_OK);
	assert_int_equal(sql_int(fx->db, "SELECT first_seen FROM step_seen"),
	    1000);
	assert_true(sql_int(fx->db, "SELECT last_seen FROM step_seen") >= t0);
	assert_int_equal(sql_int(fx->db, "SELECT times FROM step_seen"), 4);
	store_close(st);
}

/* each_step orders by lesson, then step as a number; non-zero stops it. */
static void
test_each_step_order_and_stop(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);
	struct seen	 all = { 0 }, some = { .stop_after = 2 };

	assert_int_equal(store_step_seen(st, "b", 2), STORE_OK);
	assert_int_equal(store_step_seen(st, "a", 10), STORE_OK);
	assert_int_equal(store_step_seen(st, "b", 1), STORE_OK);
	assert_int_equal(store_step_seen(st, "a", 2), STORE_OK);

	assert_int_equal(store_each_step(st, collect, &all), STORE_OK);
	assert_int_equal(all.n, 4);
	assert_string_equal(all.lesson[0], "a");
	assert_int_equal(all.step[0], 2);
	assert_string_equal(all.lesson[1], "a");
	assert_int_equal(all.step[1], 10);
	assert_string_equal(all.lesson[2], "b");
	assert_int_equal(all.step[2], 1);
	assert_string_equal(all.lesson[3], "b");
	assert_int_equal(all.step[3], 2);

	assert_int_equal(store_each_step(st, collect, &some), 7);
	assert_int_equal(some.n, 2);
	assert_int_equal(some.step[1], 10);

	/* After an early stop the next walk starts from the beginning. */
	memset(&all, 0, sizeof all);
	assert_int_equal(store_each_step(st, collect, &all), STORE_OK);
	assert_int_equal(all.n, 4);
	assert_int_equal(store_each_step(st, NULL, NULL), STORE_ERR);
	store_close(st);
}

static int
nested(const struct store_step *s, void *arg)
{
	return store_each_step(arg, collect, &(struct seen){ 0 });
}

/* A callback that walks again is refused instead of resetting the walk. */
static void
test_each_step_not_reentrant(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);

	assert_int_equal(store_step_seen(st, "a", 1), STORE_OK);
	assert_int_equal(store_each_step(st, nested, st), STORE_ERR);
	/* The store is usable afterwards. */
	assert_int_equal(store_step_seen(st, "a", 2), STORE_OK);
	assert_int_equal(store_steps_seen(st, "a", 9), 2);
	store_close(st);
}

/* reset erases every row and keeps the schema. */
static void
test_reset_erases(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);
	struct seen	 sn = { 0 };

	assert_int_equal(store_step_seen(st, "01-files", 1), STORE_OK);
	assert_int_equal(store_step_seen(st, "02-procs", 3), STORE_OK);
	assert_int_equal(store_reset(st), STORE_OK);
	assert_int_equal(store_steps_seen(st, "01-files", 10), 0);
	assert_int_equal(store_step_was_seen(st, "02-procs", 3), 0);
	assert_int_equal(store_each_step(st, collect, &sn), STORE_OK);
	assert_int_equal(sn.n, 0);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM step_seen"), 0);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(store_step_seen(st, "01-files", 1), STORE_OK);
	assert_int_equal(store_steps_seen(st, "01-files", 10), 1);
	store_close(st);
}

/* What was saved is there after closing and opening again. */
static void
test_persists_across_reopen(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);

	assert_int_equal(store_step_seen(st, "01-files", 1), STORE_OK);
	assert_int_equal(store_step_seen(st, "01-files", 2), STORE_OK);
	store_close(st);
	st = open_ok(fx->db);
	assert_int_equal(store_steps_seen(st, "01-files", 10), 2);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(st);
}

/* A file that is not a database is moved aside intact, with its -wal. */
static void
test_garbage_moved_aside(void **state)
{
	struct fixture	*fx = *state;
	unsigned char	 junk[4096], wal[100];
	char		*warning = NULL, *moved, *want, *side, *old;
	const char	*stamp;
	struct store	*st;
	size_t		 len;

	garbage(junk, sizeof junk, 1);
	garbage(wal, sizeof wal, 2);
	write_bytes(fx->db, junk, sizeof junk);
	side = xasprintf("%s-wal", fx->db);
	write_bytes(side, wal, sizeof wal);
	free(side);

	st = store_open(fx->db, &warning);
	assert_non_null(st);
	assert_non_null(warning);
	moved = moved_path(warning);
	want = xasprintf("progress database %s was corrupt; moved it to %s and "
	    "started a fresh one", fx->db, moved);
	assert_string_equal(warning, want);

	/* PATH.corrupt-YYYYMMDD-HHMMSS */
	assert_true(starts_with(moved, fx->db));
	stamp = moved + strlen(fx->db);
	assert_true(starts_with(stamp, ".corrupt-"));
	stamp += strlen(".corrupt-");
	assert_int_equal(strlen(stamp), 15);
	for (int i = 0; i < 15; i++) {
		if (i == 8)
			assert_int_equal(stamp[i], '-');
		else
			assert_true(stamp[i] >= '0' && stamp[i] <= '9');
	}

	old = read_file(moved, &len);
	assert_non_null(old);
	assert_int_equal(len, sizeof junk);
	assert_memory_equal(old, junk, sizeof junk);
	free(old);
	side = xasprintf("%s-wal", moved);
	old = read_file(side, &len);
	assert_non_null(old);
	assert_int_equal(len, sizeof wal);
	assert_memory_equal(old, wal, sizeof wal);
	free(old);
	free(side);

	/* The fresh store saves. */
	assert_int_equal(store_saving(st), 1);
	assert_int_equal(store_step_seen(st, "01-files", 1), STORE_OK);
	assert_int_equal(store_steps_seen(st, "01-files", 10), 1);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(st);
	free(want);
	free(moved);
	free(warning);
}

/* When PATH.corrupt-STAMP is taken, -1 is added and nothing is overwritten.
 * Placeholders cover the next few seconds so the test cannot race the
 * clock. */
static void
test_corrupt_name_taken(void **state)
{
	struct fixture	*fx = *state;
	unsigned char	 junk[4096];
	char		 stamp[32], *names[6], *warning = NULL, *moved, *s;
	time_t		 now = time(NULL), t;
	struct tm	 tm;
	struct store	*st;

	for (int i = 0; i < 6; i++) {
		t = now + i;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		names[i] = xasprintf("%s.corrupt-%s", fx->db, stamp);
		write_bytes(names[i], "placeholder", 11);
	}
	garbage(junk, sizeof junk, 3);
	write_bytes(fx->db, junk, sizeof junk);

	st = store_open(fx->db, &warning);
	assert_non_null(warning);
	moved = moved_path(warning);
	assert_true(ends_with(moved, "-1"));
	assert_int_equal(store_saving(st), 1);
	for (int i = 0; i < 6; i++) {
		s = read_file(names[i], NULL);
		assert_non_null(s);
		assert_string_equal(s, "placeholder");
		free(s);
		free(names[i]);
	}
	s = read_file(moved, NULL);
	assert_non_null(s);
	assert_memory_equal(s, junk, sizeof junk);
	free(s);
	store_close(st);
	free(moved);
	free(warning);
}

/* A real database with a damaged page fails quick_check and is moved. */
static void
test_corrupt_page_moved_aside(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);
	unsigned char	 junk[4096];
	char		*warning = NULL;
	int		 fd;

	for (int i = 1; i <= 200; i++)
		assert_int_equal(store_step_seen(st, "01-files", i), STORE_OK);
	store_close(st);	/* the last close checkpoints the WAL */
	assert_int_equal(sql_int(fx->db, "PRAGMA page_size"), 4096);
	assert_true(sql_int(fx->db, "PRAGMA page_count") >= 3);

	/* Page 2 is the root of step_seen, the first table created. */
	memset(junk, 0xa5, sizeof junk);
	fd = open(fx->db, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof junk, 4096), sizeof junk);
	close(fd);

	st = store_open(fx->db, &warning);
	assert_non_null(warning);
	assert_true(starts_with(warning, "progress database "));
	assert_non_null(strstr(warning, "was corrupt; moved it to "));
	assert_int_equal(store_saving(st), 1);
	assert_int_equal(store_steps_seen(st, "01-files", 1000), 0);
	store_close(st);
	free(warning);
}

/* The reads and writes of a store that does not save. */
static void
check_not_saving(struct store *st)
{
	struct seen	sn = { 0 };

	assert_int_equal(store_saving(st), 0);
	assert_int_equal(store_step_seen(st, "01-files", 1), STORE_ERR);
	assert_int_equal(store_reset(st), STORE_ERR);
	assert_int_equal(store_steps_seen(st, "01-files", 10), 0);
	assert_int_equal(store_step_was_seen(st, "01-files", 1), 0);
	assert_int_equal(store_each_step(st, collect, &sn), STORE_OK);
	assert_int_equal(sn.n, 0);
	assert_true(strlen(store_error(st)) > 0);
}

static void
check_cannot_save_warning(const char *warning, const char *path)
{
	char	*prefix = xasprintf("cannot save progress to %s: ", path);

	assert_non_null(warning);
	assert_true(starts_with(warning, prefix));
	assert_true(ends_with(warning, "; running without saving"));
	assert_true(strlen(warning) > strlen(prefix) +
	    strlen("; running without saving"));
	free(prefix);
}

/* Under a regular file no directory can be made: not saving, a warning. */
static void
test_unwritable_under_file(void **state)
{
	struct fixture	*fx = *state;
	char		*file = xasprintf("%s/file", fx->dir);
	char		*path = xasprintf("%s/file/sub/progress.db", fx->dir);
	char		*path2 = xasprintf("%s/file/progress.db", fx->dir);
	char		*warning = NULL;
	struct store	*st;

	write_bytes(file, "x", 1);
	st = store_open(path, &warning);
	assert_non_null(st);
	check_cannot_save_warning(warning, path);
	check_not_saving(st);
	assert_string_equal(store_path(st), path);
	store_close(st);
	free(warning);

	/* mkdir_p() accepts the file as the directory; the store must not. */
	st = store_open(path2, &warning);
	check_cannot_save_warning(warning, path2);
	assert_non_null(strstr(warning, "Not a directory"));
	check_not_saving(st);
	store_close(st);
	free(warning);

	/* No warning wanted: still no crash. */
	st = store_open(path2, NULL);
	check_not_saving(st);
	store_close(st);
	free(file);
	free(path);
	free(path2);
}

/* A path that is a directory cannot be opened as a file. */
static void
test_unwritable_path_is_dir(void **state)
{
	struct fixture	*fx = *state;
	char		*warning = NULL;
	struct store	*st;

	assert_int_equal(mkdir(fx->db, 0700), 0);
	st = store_open(fx->db, &warning);
	check_cannot_save_warning(warning, fx->db);
	check_not_saving(st);
	store_close(st);
	free(warning);
}

/* Counts demo runs and keeps the first one's start. */
struct demo_runs {
	int n;
	long long first;
};

static int
count_demo(const struct store_demo *d, void *arg)
{
	struct demo_runs *runs = arg;
	if (runs->n++ == 0)
		runs->first = d->started;
	return 0;
}

/* A version 1 database (before demo runs) is migrated and keeps its rows;
 * demo runs are then recorded, and reset erases them with the steps. */
static void
test_migrate_from_1_and_demo_runs(void **state)
{
	struct fixture	*fx = *state;
	char		*warning = NULL;
	struct store	*st;

	sql_exec(fx->db, "CREATE TABLE step_seen (lesson TEXT NOT NULL, step"
	    " INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER"
	    " NOT NULL, times INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (lesson,"
	    " step)); INSERT INTO step_seen VALUES ('01-files', 3, 10, 20, 2);"
	    " PRAGMA user_version = 1;");
	st = store_open(fx->db, &warning);
	assert_null(warning);
	assert_int_equal(store_saving(st), 1);
	assert_int_equal(store_step_was_seen(st, "01-files", 3), 1);
	assert_int_equal(store_demo_run(st, "pool", 1700000000, 1234,
	    "finished"), STORE_OK);
	assert_int_equal(store_demo_run(st, "fork", 1700000100, 50,
	    "stopped"), STORE_OK);
	store_close(st);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM demo_run"), 2);
	assert_int_equal(sql_int(fx->db, "SELECT duration_ms FROM demo_run"
	    " WHERE demo = 'pool' AND ended = 'finished'"), 1234);
	st = store_open(fx->db, &warning);
	struct demo_runs runs = { 0, 0 };
	assert_int_equal(store_each_demo_run(st, count_demo, &runs), STORE_OK);
	assert_int_equal(runs.n, 2);
	assert_int_equal(runs.first, 1700000000);
	store_close(st);

	st = store_open(fx->db, &warning);
	assert_null(warning);
	assert_int_equal(store_reset(st), STORE_OK);
	store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM demo_run"), 0);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM step_seen"), 0);
}

/* A database from a newer systour is refused and left byte for byte. */
static void
test_newer_version_refused(void **state)
{
	struct fixture	*fx = *state;
	char		*warning = NULL, *before, *after;
	size_t		 len1, len2;
	struct store	*st;

	sql_exec(fx->db, "CREATE TABLE future (x); INSERT INTO future VALUES"
	    " (42); PRAGMA user_version = 99;");
	before = read_file(fx->db, &len1);
	assert_non_null(before);

	st = store_open(fx->db, &warning);
	assert_non_null(warning);
	assert_non_null(strstr(warning, fx->db));
	assert_non_null(strstr(warning, "99"));
	assert_true(ends_with(warning, "running without saving"));
	assert_null(strstr(warning, "corrupt"));
	check_not_saving(st);
	store_close(st);

	after = read_file(fx->db, &len2);
	assert_non_null(after);
	assert_int_equal(len1, len2);
	assert_memory_equal(before, after, len1);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), 99);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'step_seen'"), 0);
	assert_int_equal(sql_int(fx->db, "SELECT x FROM future"), 42);
	free(before);
	free(after);
	free(warning);
}

/* Two stores on one file both write and see each other's rows. */
static void
test_two_stores_one_file(void **state)
{
	struct fixture	*fx = *state;
	struct store	*a = open_ok(fx->db), *b = open_ok(fx->db);

	assert_int_equal(store_step_seen(a, "01-files", 1), STORE_OK);
	assert_int_equal(store_step_seen(b, "01-files", 2), STORE_OK);
	assert_int_equal(store_step_seen(b, "01-files", 1), STORE_OK);
	assert_int_equal(store_steps_seen(a, "01-files", 10), 2);
	assert_int_equal(store_steps_seen(b, "01-files", 10), 2);
	assert_int_equal(store_step_was_seen(a, "01-files", 2), 1);
	assert_int_equal(store_step_was_seen(b, "01-files", 1), 1);
	assert_int_equal(sql_int(fx->db, "SELECT times FROM step_seen"
	    " WHERE step = 1"), 2);
	store_close(a);
	assert_int_equal(store_step_seen(b, "01-files", 3), STORE_OK);
	assert_int_equal(store_steps_seen(b, "01-files", 10), 3);
	store_close(b);
}

/* Two processes writing at once both succeed and lose nothing. */
static void
test_two_processes_write_at_once(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	pid_t		 pid;
	int		 status, n = 300;

	/* Create the file first, so the race is over writes, not setup. */
	store_close(open_ok(fx->db));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store	*mine = store_open(fx->db, NULL);
		int		 bad = !store_saving(mine);

		for (int i = 0; i < n; i++)
			bad |= store_step_seen(mine, "race", i % 10 + 1) !=
			    STORE_OK;
		store_close(mine);
		_exit(bad ? 3 : 0);
	}
	st = open_ok(fx->db);
	for (int i = 0; i < n; i++)
		assert_int_equal(store_step_seen(st, "race", i % 10 + 1),
		    STORE_OK);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(store_steps_seen(st, "race", 10), 10);
	assert_int_equal(sql_int(fx->db, "SELECT sum(times) FROM step_seen"),
	    2 * n);
	store_close(st);
}

/* Several tutors opening one new file at the same moment all save: the
 * switch to WAL and the first migration wait for each other. */
static void
test_many_open_a_new_file_at_once(void **state)
{
	struct fixture	*fx = *state;
	enum { PROCS = 4, ROUNDS = 15 };

	for (int round = 0; round < ROUNDS; round++) {
		char	*path = xasprintf("%s.%d", fx->db, round);
		int	 go[2];
		pid_t	 pids[PROCS];

		assert_int_equal(pipe(go), 0);
		for (int i = 0; i < PROCS; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				char	 c, *warning = NULL;
				close(go[1]);
				/* all start together, when the pipe closes */
				while (read(go[0], &c, 1) > 0)
					;
				struct store *st = store_open(path, &warning);
				int bad = !store_saving(st) || warning != NULL ||
				    store_step_seen(st, "race", i + 1) != STORE_OK;
				store_close(st);
				_exit(bad ? 3 : 0);
			}
		}
		close(go[0]);
		close(go[1]);
		for (int i = 0; i < PROCS; i++) {
			int status;
			assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
		}
		assert_int_equal(sql_int(path, "SELECT count(*) FROM step_seen"),
		    PROCS);
		char *side = xasprintf("%s-wal", path);
		unlink(side);
		free(side);
		side = xasprintf("%s-shm", path);
		unlink(side);
		free(side);
		unlink(path);
		free(path);
	}
}

/* A forked child cannot use the parent's store; the parent still can. */
static void
test_fork_child_refused(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = open_ok(fx->db);
	pid_t		 pid;
	int		 status;

	assert_int_equal(store_step_seen(st, "01-files", 1), STORE_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char	exit_code[32];
		int	code = 0;

		if (store_step_seen(st, "01-files", 2) != STORE_ERR)
			code = 10;
		else if (store_reset(st) != STORE_ERR)
			code = 11;
		else if (store_saving(st) != 0)
			code = 12;
		else if (store_steps_seen(st, "01-files", 10) != 0)
			code = 13;
		else if (store_step_was_seen(st, "01-files", 1) != 0)
			code = 14;
		else if (strlen(store_error(st)) == 0)
			code = 15;
		else
			code = 42;
		store_close(st);
		/* Leave through exec, as systour's children do: the SQLite
		 * connection a child may not close then goes with its address
		 * space instead of being reported as lost by valgrind at _exit. */
		snprintf(exit_code, sizeof exit_code, "exit %d", code);
		execl("/bin/sh", "sh", "-c", exit_code, (char *)NULL);
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);

	/* The child neither wrote nor broke the parent's connection. */
	assert_int_equal(store_saving(st), 1);
	assert_int_equal(store_step_was_seen(st, "01-files", 2), 0);
	assert_int_equal(store_steps_seen(st, "01-files", 10), 1);
	assert_int_equal(store_step_seen(st, "01-files", 3), STORE_OK);
	assert_int_equal(store_steps_seen(st, "01-files", 10), 2);
	store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM step_seen"), 2);
}

/* A version 2 database gains the setting table (migration 3), keeping its
 * rows; a setting is remembered across a reopen, replaced when set again,
 * outlives a reset, and is NULL when unset or when not saving. */
static void
test_settings_migrate_from_2_and_persist(void **state)
{
	struct fixture	*fx = *state;
	char		*warning = NULL, *v;
	struct store	*st;

	sql_exec(fx->db, "CREATE TABLE step_seen (lesson TEXT NOT NULL, step"
	    " INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER"
	    " NOT NULL, times INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (lesson,"
	    " step)); INSERT INTO step_seen VALUES ('01-files', 3, 10, 20, 2);"
	    " CREATE TABLE demo_run (demo TEXT NOT NULL, started INTEGER NOT"
	    " NULL, duration_ms INTEGER NOT NULL, ended TEXT NOT NULL);"
	    " PRAGMA user_version = 2;");
	st = store_open(fx->db, &warning);
	assert_null(warning);
	assert_int_equal(store_step_was_seen(st, "01-files", 3), 1);
	assert_null(store_setting_get(st, "lang"));
	assert_int_equal(store_setting_set(st, "lang", "zh"), STORE_OK);
	store_close(st);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	v = sql_text(fx->db, "SELECT value FROM setting WHERE key = 'lang'");
	assert_string_equal(v, "zh");
	free(v);

	st = store_open(fx->db, &warning);
	assert_null(warning);
	v = store_setting_get(st, "lang");
	assert_non_null(v);
	assert_string_equal(v, "zh");
	free(v);
	assert_int_equal(store_setting_set(st, "lang", "en"), STORE_OK);
	assert_int_equal(store_reset(st), STORE_OK);
	v = store_setting_get(st, "lang");
	assert_string_equal(v, "en");
	free(v);
	assert_null(store_setting_get(st, "no such key"));
	store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM setting"), 1);

	assert_int_equal(store_setting_set(NULL, "lang", "zh"), STORE_ERR);
	assert_null(store_setting_get(NULL, "lang"));
}

/* store_check_path: a missing folder and a file that is not SQLite are
 * refused and left as they were; a new file, an empty one and a damaged
 * SQLite one pass (store_open() deals with those). */
static void
test_check_path(void **state)
{
	struct fixture	*fx = *state;
	unsigned char	 buf[4096];
	char		*cause = NULL, *p;
	struct stat	 sb;

	p = xasprintf("%s/no/such/x.db", fx->dir);
	assert_int_equal(store_check_path(p, &cause), -1);
	assert_non_null(strstr(cause, "does not exist"));
	free(cause);
	cause = NULL;
	free(p);
	p = xasprintf("%s/no", fx->dir);
	assert_int_equal(stat(p, &sb), -1);
	free(p);

	assert_int_equal(store_check_path(fx->db, &cause), 0);	/* new */
	write_bytes(fx->db, "", 0);
	assert_int_equal(store_check_path(fx->db, &cause), 0);	/* empty */
	garbage(buf, sizeof buf, 1);
	write_bytes(fx->db, buf, sizeof buf);
	assert_int_equal(store_check_path(fx->db, &cause), -1);
	assert_non_null(strstr(cause, "not an SQLite database"));
	free(cause);
	cause = NULL;
	assert_int_equal(stat(fx->db, &sb), 0);
	assert_int_equal(sb.st_size, (off_t)sizeof buf);
	/* a damaged SQLite file: right header, garbage after it */
	memcpy(buf, "SQLite format 3", 16);
	write_bytes(fx->db, buf, sizeof buf);
	assert_int_equal(store_check_path(fx->db, &cause), 0);
	assert_null(cause);
}

/* NULL is a store that saves nothing. */
static void
test_null_store(void **state)
{
	store_close(NULL);
	assert_int_equal(store_saving(NULL), 0);
	assert_string_equal(store_error(NULL), "");
	assert_int_equal(store_step_seen(NULL, "a", 1), STORE_ERR);
	assert_int_equal(store_steps_seen(NULL, "a", 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_fresh_open_creates_schema),
		T(test_steps_seen_counts_distinct),
		T(test_times_increments),
		T(test_each_step_order_and_stop),
		T(test_each_step_not_reentrant),
		T(test_reset_erases),
		T(test_persists_across_reopen),
		T(test_garbage_moved_aside),
		T(test_corrupt_name_taken),
		T(test_corrupt_page_moved_aside),
		T(test_unwritable_under_file),
		T(test_unwritable_path_is_dir),
		T(test_migrate_from_1_and_demo_runs),
		T(test_many_open_a_new_file_at_once),
		T(test_newer_version_refused),
		T(test_two_stores_one_file),
		T(test_two_processes_write_at_once),
		T(test_fork_child_refused),
		T(test_null_store),
		T(test_settings_migrate_from_2_and_persist),
		T(test_check_path),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
