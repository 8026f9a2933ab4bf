/* test_demo_actor.c — unit tests for actors as handles (ABI 3,
 * app/demo/demo_actor.c and demo_gate.c): two threads of one process, each
 * an actor with its own pane and its own gate, step alternately under
 * demo_step() while the demo is paused; each line lands in its thread's
 * pane, each pane's title has its thread's TID; lines printed with print()
 * by two threads into one pane never mix. Every wait is a loop round with
 * a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNIT_ALARM_SECONDS 60
#include "unit.h"
#include "demo.h"
#include "loop.h"
#include "util.h"

#define DEADLINE_MS 10000
#define STEPS 3
#define MAX_EVENTS 64

/* What the sink was told, in order. */
struct seen {
	int nlines, npos, ntitles;
	int line_pane[MAX_EVENTS];
	char line[MAX_EVENTS][64];
	int pos_pane[MAX_EVENTS];
	struct { int pane; pid_t pid, tid; char who[32]; } title[8];
	int finished;
};

static void
on_line(void *arg, int pane, const char *text, size_t len)
{
	struct seen *s = arg;
	if (s->nlines < MAX_EVENTS) {
		s->line_pane[s->nlines] = pane;
		snprintf(s->line[s->nlines++], 64, "%.*s", (int)len, text);
	}
}

static void
on_position(void *arg, int pane, int line)
{
	struct seen *s = arg;
	if (s->npos < MAX_EVENTS)
		s->pos_pane[s->npos++] = pane;
}

static void
on_title(void *arg, int pane, const char *who, pid_t pid, pid_t tid)
{
	struct seen *s = arg;
	if (s->ntitles < 8) {
		s->title[s->ntitles].pane = pane;
		s->title[s->ntitles].pid = pid;
		s->title[s->ntitles].tid = tid;
		snprintf(s->title[s->ntitles++].who, 32, "%s", who);
	}
}

static void
on_finished(void *arg)
{
	((struct seen *)arg)->finished = 1;
}

/* ---- the demo: two threads, two panes ----------------------------------- */

struct thread_arg {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	int n;                  /* 1 or 2: its pane too */
};

static void *
thread_main(void *p)
{
	struct thread_arg *t = p;
	char who[16];
	snprintf(who, sizeof who, "thread %d", t->n);
	struct demo_actor *a = t->api->actor(t->ctx, t->n, who);
	if (a == NULL)
		return NULL;
	for (int k = 1; k <= STEPS; k++) {
		t->api->step(a, k);
		t->api->print(a, "thread %d step %d\n", t->n, k);
	}
	t->api->release(a);
	return NULL;
}

static int
threads_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	pthread_t th[2];
	struct thread_arg args[2] = { { ctx, api, 1 }, { ctx, api, 2 } };
	api->print(me, "main: two threads\n");
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, thread_main, &args[i]) != 0)
			return 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	api->print(me, "main: joined\n");
	return 0;
}

static const char *const thread_panes[] = { "main", "thread 1", "thread 2",
	NULL };

static const struct systour_demo threads_demo = {
	.name = "test-threads",
	.title_en = "two thread actors",
	.title_zh = "两个线程角色",
	.code = "step 1\nstep 2\nstep 3\n",
	.panes = thread_panes,
	.run = threads_run,
};

static struct loop *
new_loop(void)
{
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	assert_non_null(l);
	return l;
}

/* Loop rounds until at least npos positions and nlines lines were seen. */
static void
wait_for(struct loop *l, struct seen *s, int npos, int nlines)
{
	long long end = now_ms() + DEADLINE_MS;
	while ((s->npos < npos || s->nlines < nlines) && now_ms() < end)
		loop_once(l, 50);
	assert_true(s->npos >= npos);
	assert_true(s->nlines >= nlines);
}

static void
test_two_threads_step_alternately(void **state)
{
	struct loop *l = new_loop();
	struct seen s;
	memset(&s, 0, sizeof s);
	struct demo_sink sink = { .arg = &s, .line = on_line, .title = on_title,
	    .position = on_position, .finished = on_finished };
	char *cause = NULL;
	struct demo_run *r = demo_start(l, &threads_demo, &sink, 1, 0,
	    LANG_EN, &cause);
	assert_non_null(r);

	/* both threads wait at their first step; nothing passes, paused */
	wait_for(l, &s, 2, 1);
	assert_int_equal(s.nlines, 1);          /* "main: two threads" */
	int first = s.pos_pane[0], second = s.pos_pane[1];
	assert_true((first == 1 && second == 2) || (first == 2 && second == 1));

	/* each n lets one thread through: the one that waited longest */
	int expect = first;
	for (int k = 0; k < 2 * STEPS; k++) {
		int lines = s.nlines, pos = s.npos;
		demo_step(r);
		/* its line; then, but at its last step, its next arrival */
		int last = k >= 2 * STEPS - 2;
		wait_for(l, &s, pos + (last ? 0 : 1), lines + 1);
		assert_int_equal(s.line_pane[lines], expect);
		char want[64];
		snprintf(want, sizeof want, "thread %d step %d", expect, k / 2 + 1);
		assert_string_equal(s.line[lines], want);
		if (!last)
			assert_int_equal(s.pos_pane[pos], expect);
		expect = expect == 1 ? 2 : 1;
	}
	long long end = now_ms() + DEADLINE_MS;
	while (!s.finished && now_ms() < end)
		loop_once(l, 50);
	assert_true(s.finished);
	assert_string_equal(s.line[s.nlines - 1], "main: joined");

	/* three titles: the leader's (its PID) and one per thread, each in
	 * its own pane, with the leader's PID and a TID of its own */
	assert_int_equal(s.ntitles, 3);
	pid_t leader = demo_pgid(r);
	pid_t tids[3] = { 0 };
	for (int i = 0; i < 3; i++) {
		int pane = s.title[i].pane;
		assert_true(pane >= 0 && pane <= 2);
		assert_int_equal(s.title[i].pid, leader);
		assert_string_equal(s.title[i].who, thread_panes[pane]);
		tids[pane] = s.title[i].tid;
	}
	assert_int_equal(tids[0], leader);
	assert_true(tids[1] != leader && tids[2] != leader && tids[1] != tids[2]);
	demo_free(r);
	loop_free(l);
}

/* ---- print(): whole lines, never mixed ---------------------------------- */

#define SHARED_LINES 200

static void *
printer_main(void *p)
{
	struct thread_arg *t = p;
	struct demo_actor *a = t->api->actor(t->ctx, 1, "printer");
	if (a == NULL)
		return NULL;
	for (int k = 0; k < SHARED_LINES; k++) {
		/* one line in three pieces */
		t->api->print(a, "printer %d ", t->n);
		t->api->print(a, "line %03d ", k);
		t->api->print(a, "%s\n", t->n == 1 ? "aaaaaaaa" : "bbbbbbbb");
	}
	t->api->release(a);
	return NULL;
}

static int
printers_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	pthread_t th[2];
	struct thread_arg args[2] = { { ctx, api, 1 }, { ctx, api, 2 } };
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, printer_main, &args[i]) != 0)
			return 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	return 0;
}

static const char *const printer_panes[] = { "main", "shared", NULL };

static const struct systour_demo printers_demo = {
	.name = "test-printers",
	.title_en = "two threads print into one pane",
	.title_zh = "两个线程打印到同一个窗格",
	.code = "print\n",
	.panes = printer_panes,
	.run = printers_run,
};

static int bad_lines, good_lines;

static void
check_line(void *arg, int pane, const char *text, size_t len)
{
	char a[64], b[64];
	int n1 = 0, n2 = 0;
	snprintf(a, sizeof a, "%.*s", (int)len, text);
	if (pane != 1)
		return;
	if (sscanf(a, "printer %d line %d %63s", &n1, &n2, b) == 3 &&
	    strcmp(b, n1 == 1 ? "aaaaaaaa" : "bbbbbbbb") == 0 &&
	    strlen(a) == strlen("printer 1 line 000 aaaaaaaa"))
		good_lines++;
	else
		bad_lines++;
}

static void
test_print_writes_whole_lines(void **state)
{
	struct loop *l = new_loop();
	struct seen s;
	memset(&s, 0, sizeof s);
	struct demo_sink sink = { .arg = &s, .line = check_line,
	    .finished = on_finished };
	char *cause = NULL;
	struct demo_run *r = demo_start(l, &printers_demo, &sink, 0, 0,
	    LANG_EN, &cause);
	assert_non_null(r);
	long long end = now_ms() + DEADLINE_MS;
	while (!s.finished && now_ms() < end)
		loop_once(l, 50);
	assert_true(s.finished);
	assert_int_equal(bad_lines, 0);
	assert_int_equal(good_lines, 2 * SHARED_LINES);
	demo_free(r);
	loop_free(l);
}

/* ---- a step for an actor that died at its gate --------------------------- */

/* Pane 1: a child that waits at its first step and is killed there; pane
 * 2: a child that steps once and ends. */
static int
dying_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	pid_t kid[2];
	for (int i = 0; i < 2; i++) {
		fflush(stdout);
		kid[i] = fork();
		if (kid[i] == 0) {
			struct demo_actor *a = api->to_pane(ctx, i + 1,
			    i ? "stepper" : "victim");
			api->step(a, 1);
			printf("%s passed\n", i ? "stepper" : "victim");
			fflush(stdout);
			_exit(0);
		}
	}
	for (int i = 0; i < 2; i++)
		waitpid(kid[i], NULL, 0);
	return 0;
}

static const char *const dying_panes[] = { "main", "victim", "stepper",
	NULL };

static const struct systour_demo dying_demo = {
	.name = "test-dying",
	.title_en = "an actor dies at its gate",
	.title_zh = "角色死在闸门前",
	.code = "step\n",
	.panes = dying_panes,
	.run = dying_run,
};

/* The learner kills an actor waiting at its gate, then presses n: the
 * tutor is not hurt (no SIGPIPE from the dead gate) and the step goes to
 * the next actor waiting. */
static void
test_step_past_an_actor_that_died(void **state)
{
	struct loop *l = new_loop();
	struct seen s;
	memset(&s, 0, sizeof s);
	struct demo_sink sink = { .arg = &s, .line = on_line,
	    .position = on_position, .title = on_title,
	    .finished = on_finished };
	char *cause = NULL;
	signal(SIGPIPE, SIG_DFL);       /* as the TUI has it */
	struct demo_run *r = demo_start(l, &dying_demo, &sink, 1, 0,
	    LANG_EN, &cause);
	assert_non_null(r);
	wait_for(l, &s, 2, 0);
	/* the victim first in the queue */
	if (s.pos_pane[0] != 1) {
		/* the stepper came first: let it through, then the victim
		 * is the one waiting */
		demo_step(r);
		wait_for(l, &s, 2, 1);
	}
	pid_t victim = demo_pane_pid(r, 1);
	assert_true(victim > 0);
	assert_int_equal(demo_kill(r, 1, &cause), victim);
	/* until its parent reaped it (its end of the gate is closed) */
	long long end = now_ms() + DEADLINE_MS;
	while (kill(victim, 0) == 0 && now_ms() < end)
		loop_once(l, 10);
	assert_int_not_equal(kill(victim, 0), 0);
	demo_step(r);
	demo_step(r);
	end = now_ms() + DEADLINE_MS;
	while (!s.finished && now_ms() < end)
		loop_once(l, 50);
	assert_true(s.finished);
	int stepper = 0, victim_line = 0;
	for (int i = 0; i < s.nlines; i++) {
		stepper += strcmp(s.line[i], "stepper passed") == 0;
		victim_line += strcmp(s.line[i], "victim passed") == 0;
	}
	assert_int_equal(stepper, 1);
	assert_int_equal(victim_line, 0);
	demo_free(r);
	loop_free(l);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_two_threads_step_alternately),
		T(test_print_writes_whole_lines),
		T(test_step_past_an_actor_that_died),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
