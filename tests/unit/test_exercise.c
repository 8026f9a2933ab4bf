/* test_exercise.c — unit tests for app/exercise: exercise.ini (defaults,
 * limits several to a line, what is wrong and where), TAP into the one
 * result shape (sub-check output, capping, judging), the JSON of a result,
 * the runner on the loop (a pass, a loop timed out while a timer of the
 * same loop still fires: the tutor stays responsive), and watch (a save
 * by rename is seen once, debounced; other files are not). Every wait is
 * a loop round with a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_ALARM_SECONDS 60
#include "unit.h"
#include "exercise.h"
#include "loop.h"
#include "result.h"
#include "runner.h"
#include "buf.h"
#include "util.h"
#include "watch.h"

#define DEADLINE_MS 15000

/* ---- exercise.ini ------------------------------------------------------ */

static void
test_ini_defaults_and_limits(void **state)
{
	struct exercise ex = { 0 };
	char *cause = NULL;
	const char *ini = "# a comment\n"
	    "title.en = Fork and wait\n"
	    "title.zh = fork 与 wait\n"
	    "track = c\n"
	    "files = a.c b.c\n"
	    "needs = python3 gevent\n"
	    "wall = 3  cpu = 2\n"
	    "output = 8\n";
	assert_int_equal(exercise_parse_ini(ini, &ex, &cause), 0);
	assert_string_equal(ex.title_en, "Fork and wait");
	assert_string_equal(ex.title_zh, "fork 与 wait");
	assert_int_equal(ex.track, EX_C);
	assert_int_equal(ex.nfiles, 2);
	assert_string_equal(ex.files[1], "b.c");
	assert_int_equal(ex.nneeds, 2);
	assert_string_equal(ex.needs[1], "gevent");
	assert_int_equal(ex.lim.wall_s, 3);
	assert_int_equal(ex.lim.cpu_s, 2);
	assert_int_equal(ex.lim.output_kb, 8);
	assert_int_equal(ex.lim.mem_mb, 256);      /* the defaults */
	assert_int_equal(ex.lim.procs, 64);
	assert_int_equal(ex.lim.nofile, 64);
	assert_int_equal(ex.lim.fsize_mb, 16);
	free(ex.title_en);
	free(ex.title_zh);
	for (int i = 0; i < ex.nfiles; i++)
		free(ex.files[i]);
	free(ex.files);
	for (int i = 0; i < ex.nneeds; i++)
		free(ex.needs[i]);
	free(ex.needs);
}

static void
expect_bad(const char *ini, const char *want)
{
	struct exercise ex = { 0 };
	char *cause = NULL;
	assert_int_equal(exercise_parse_ini(ini, &ex, &cause), -1);
	if (strstr(cause, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", cause, want);
	free(cause);
	free(ex.title_en);
	free(ex.title_zh);
	for (int i = 0; i < ex.nfiles; i++)
		free(ex.files[i]);
	free(ex.files);
}

static void
test_ini_errors(void **state)
{
	expect_bad("title.en = a\ntitle.zh = b\ntrack = rust\n", "3: track \"rust\"");
	expect_bad("title.en = a\ntitle.zh = b\ntrack = c\n", "no files");
	expect_bad("title.en = a\ntrack = c\nfiles = a.c\n", "no title.zh");
	expect_bad("title.en = a\ntitle.zh = b\ntrack = c\nfiles = a.c\n"
	    "wall = 0\n", "5: wall = 0: a whole number");
	expect_bad("title.en = a\ntitle.zh = b\ntrack = c\nfiles = ../x.c\n",
	    "not a plain file name");
	expect_bad("color = blue\n", "1: unknown key \"color\"");
	expect_bad("just words\n", "1: not \"key = value\"");
}

/* ---- TAP and results --------------------------------------------------- */

static void
test_tap_parse(void **state)
{
	struct ex_result r = { 0 };
	char *other = NULL;
	const char *tap = "1..3\n"
	    "ok 1 - all children reaped\n"
	    "not ok 2 - the file is on disk after close\n"
	    "# expected 3 lines\n"
	    "# got 2\n"
	    "some noise\n"
	    "ok 3\n";
	assert_int_equal(ex_tap_parse(&r, tap, &other), 3);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.checks[0].name, "all children reaped");
	assert_int_equal(r.checks[0].status, EX_PASS);
	assert_string_equal(r.checks[0].output, "");
	assert_string_equal(r.checks[1].name, "the file is on disk after close");
	assert_int_equal(r.checks[1].status, EX_FAIL);
	assert_string_equal(r.checks[1].output, "expected 3 lines\ngot 2");
	assert_string_equal(r.checks[2].name, "(unnamed)");
	assert_string_equal(other, "some noise\n");
	assert_int_equal(ex_result_judge(&r), EX_FAIL);
	free(other);
	ex_result_free(&r);

	/* "okay" is not a test line; no test line at all is an error */
	assert_int_equal(ex_tap_parse(&r, "okay then\n", NULL), 0);
	assert_int_equal(ex_result_judge(&r), EX_ERROR);
	ex_result_free(&r);
	assert_int_equal(ex_tap_parse(&r, "ok 1 - a\nok 2 - b\n", NULL), 2);
	assert_int_equal(ex_result_judge(&r), EX_PASS);
	ex_result_free(&r);
}

static void
test_tap_output_capped(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "not ok 1 - floods\n");
	for (int i = 0; i < 5000; i++)
		buf_adds(&b, "# a line of output that goes on\n");
	struct ex_result r = { 0 };
	ex_tap_parse(&r, buf_str(&b), NULL);
	assert_int_equal(r.n, 1);
	assert_true(strlen(r.checks[0].output) < EX_SUB_OUTPUT_MAX + 64);
	assert_non_null(strstr(r.checks[0].output, "more bytes]"));
	ex_result_free(&r);
	buf_free(&b);
}

static void
test_result_json(void **state)
{
	struct ex_result r = { 0 };
	r.status = EX_FAIL;
	ex_result_message(&r, "line \"one\"\nline\ttwo");
	ex_result_add(&r, "a \\ b", EX_FAIL, "out\n");
	char *j = ex_result_json(&r, "x/01-y");
	assert_string_equal(j, "{\"exercise\": \"x/01-y\", \"status\": \"fail\", "
	    "\"message\": \"line \\\"one\\\"\\nline\\ttwo\", \"run_ms\": 0, "
	    "\"compile_ms\": 0, \"runner_cpu_us\": 0, \"checks\": [{\"name\": \"a \\\\ b\", "
	    "\"status\": \"fail\", \"output\": \"out\\n\"}]}");
	free(j);
	char *t = ex_result_text(&r, "x/01-y", 0);
	assert_non_null(strstr(t, "FAIL x/01-y"));
	assert_non_null(strstr(t, "  FAIL a \\ b\n       out\n"));
	free(t);
	ex_result_free(&r);
}

/* ---- The runner on the loop -------------------------------------------- */

/* A fixture exercise in a temporary folder: one file, a check script. */
struct fixture {
	char root[256];
	char learner[300];
	struct exercise ex;
};

static void
make_exercise(struct fixture *fx, const char *check, int wall)
{
	snprintf(fx->root, sizeof fx->root, "/tmp/test-exercise-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	char *p = xasprintf("%s/check", fx->root);
	FILE *f = fopen(p, "w");
	fputs(check, f);
	fclose(f);
	chmod(p, 0755);
	free(p);
	snprintf(fx->learner, sizeof fx->learner, "%s/ws", fx->root);
	mkdir(fx->learner, 0755);
	p = xasprintf("%s/prog.py", fx->learner);
	f = fopen(p, "w");
	fputs("print('hi')\n", f);
	fclose(f);
	free(p);
	memset(&fx->ex, 0, sizeof fx->ex);
	char *ini = xasprintf("title.en = t\ntitle.zh = t\ntrack = python\n"
	    "files = prog.py\nwall = %d\n", wall);
	char *cause = NULL;
	assert_int_equal(exercise_parse_ini(ini, &fx->ex, &cause), 0);
	free(ini);
	fx->ex.id = xstrdup("unit/01-fixture");
	fx->ex.lesson = xstrdup("unit");
	fx->ex.name = xstrdup("01-fixture");
	fx->ex.dir = xstrdup(fx->root);
}

static void
free_exercise(struct fixture *fx)
{
	struct exercise_set set = { 0 };
	set.v = xcalloc(1, sizeof fx->ex);
	set.v[0] = fx->ex;
	set.n = 1;
	exercises_free(&set);
	char *cmd = xasprintf("rm -rf '%s'", fx->root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

struct got {
	int done;
	struct ex_result r;
	int ticks;              /* a timer of the same loop fired meanwhile */
	long long t_done;
};

static void
on_done(void *arg, struct ex_result *r)
{
	struct got *g = arg;
	g->r = *r;
	g->done = 1;
	g->t_done = now_ms();
}

static void
on_tick(struct loop *l, void *arg)
{
	struct got *g = arg;
	g->ticks++;
}

static void
test_runner_pass(void **state)
{
	struct fixture fx;
	make_exercise(&fx, "#!/bin/sh\n"
	    "[ \"$(cat prog.py)\" = \"print('hi')\" ] && echo 'ok 1 - copied' "
	    "|| echo 'not ok 1 - copied'\n"
	    "echo \"ok 2 - $EX_RUN $EX_LANG\"\n"
	    "[ \"$(pwd)\" = \"$EX_DIR\" ] && echo 'ok 3 - cwd'\n"
	    "[ -f \"$EX_SRC/check\" ] && echo 'ok 4 - src'\n"
	    "read x && echo 'not ok 5 - stdin is null' || echo 'ok 5 - stdin'\n", 10);
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	struct got g = { 0 };
	struct ex_run_opts o = { .ex = &fx.ex, .learner_dir = fx.learner, .zh = 1 };
	assert_non_null(ex_run_start(l, &o, on_done, &g, &cause));
	long long end = now_ms() + DEADLINE_MS;
	while (!g.done && now_ms() < end)
		loop_once(l, 100);
	assert_true(g.done);
	assert_int_equal(g.r.status, EX_PASS);
	assert_int_equal(g.r.n, 5);
	assert_string_equal(g.r.checks[1].name, "python3 -u prog.py zh");
	ex_result_free(&g.r);
	loop_free(l);
	free_exercise(&fx);
}

/* An endless loop: a timer on the same loop keeps firing (the tutor
 * answers keys), the wall clock stops it, the message says why. */
static void
test_runner_loop_responsive(void **state)
{
	struct fixture fx;
	make_exercise(&fx, "#!/bin/sh\nwhile :; do :; done\n", 2);
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	struct got g = { 0 };
	struct ex_run_opts o = { .ex = &fx.ex, .learner_dir = fx.learner };
	long long t0 = now_ms();
	assert_non_null(ex_run_start(l, &o, on_done, &g, &cause));
	struct loop_watch *tick = loop_timer(l, 50, on_tick, &g);
	long long end = now_ms() + DEADLINE_MS;
	while (!g.done && now_ms() < end) {
		loop_once(l, 100);
		if (!loop_timer_armed(tick))
			loop_timer_set(tick, 50);
	}
	assert_true(g.done);
	assert_int_equal(g.r.status, EX_ERROR);
	assert_string_equal(g.r.message, "timed out after 2 s: an endless loop?");
	long long took = g.t_done - t0;
	assert_true(took >= 1900 && took < 8000);
	/* at 50 ms a tick for 2 s: at least a third of them on a loaded box */
	if (g.ticks < 12)
		fail_msg("only %d ticks in %lld ms", g.ticks, took);
	ex_result_free(&g.r);
	loop_cancel(tick);
	loop_free(l);
	free_exercise(&fx);
}

static void
test_runner_cancel(void **state)
{
	struct fixture fx;
	make_exercise(&fx, "#!/bin/sh\nsleep 30\n", 60);
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	struct got g = { 0 };
	struct ex_run_opts o = { .ex = &fx.ex, .learner_dir = fx.learner };
	struct ex_run *run = ex_run_start(l, &o, on_done, &g, &cause);
	assert_non_null(run);
	for (int i = 0; i < 5; i++)
		loop_once(l, 20);
	long long t0 = now_ms();
	ex_run_cancel(run);
	assert_true(now_ms() - t0 < 3000);
	assert_false(g.done);
	loop_free(l);
	free_exercise(&fx);
}

/* ---- Watch --------------------------------------------------------------- */

struct saves {
	int n;
	long long first;
};

static void
on_save(void *arg, long long first_ms)
{
	struct saves *s = arg;
	s->n++;
	s->first = first_ms;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_watch_rename_debounced(void **state)
{
	char dir[] = "/tmp/test-watch-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	struct saves s = { 0 };
	const char *files[] = { "prog.py" };
	struct ex_watch *w = ex_watch_new(l, dir, files, 1, on_save, &s, &cause);
	assert_non_null(w);
	char *tmp = xasprintf("%s/.prog.py.tmp", dir);
	char *dst = xasprintf("%s/prog.py", dir);
	char *other = xasprintf("%s/notes.txt", dir);

	/* a save by rename, written twice in a burst: one call */
	write_file(tmp, "a\n");
	assert_int_equal(rename(tmp, dst), 0);
	write_file(dst, "b\n");
	long long t0 = now_ms(), end = t0 + DEADLINE_MS;
	while (s.n == 0 && now_ms() < end)
		loop_once(l, 50);
	assert_int_equal(s.n, 1);
	long long waited = now_ms() - t0;
	assert_true(waited >= EX_WATCH_DEBOUNCE_MS - 20);
	/* nothing more comes for that burst, nor for another file */
	write_file(other, "x\n");
	end = now_ms() + 3 * EX_WATCH_DEBOUNCE_MS;
	while (now_ms() < end)
		loop_once(l, 50);
	assert_int_equal(s.n, 1);

	/* paused (a check runs): ignored; resumed: seen again */
	ex_watch_pause(w);
	write_file(dst, "c\n");
	end = now_ms() + 2 * EX_WATCH_DEBOUNCE_MS;
	while (now_ms() < end)
		loop_once(l, 50);
	assert_int_equal(s.n, 1);
	ex_watch_resume(w);
	write_file(dst, "d\n");
	end = now_ms() + DEADLINE_MS;
	while (s.n == 1 && now_ms() < end)
		loop_once(l, 50);
	assert_int_equal(s.n, 2);

	ex_watch_free(w);
	loop_free(l);
	unlink(dst);
	unlink(other);
	rmdir(dir);
	free(tmp);
	free(dst);
	free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini_defaults_and_limits),
		cmocka_unit_test(test_ini_errors),
		cmocka_unit_test(test_tap_parse),
		cmocka_unit_test(test_tap_output_capped),
		cmocka_unit_test(test_result_json),
		cmocka_unit_test_setup_teardown(test_runner_pass, setup_alarm,
		    teardown_alarm),
		cmocka_unit_test_setup_teardown(test_runner_loop_responsive,
		    setup_alarm, teardown_alarm),
		cmocka_unit_test_setup_teardown(test_runner_cancel, setup_alarm,
		    teardown_alarm),
		cmocka_unit_test_setup_teardown(test_watch_rename_debounced,
		    setup_alarm, teardown_alarm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
