/* test_demo_kill.c — unit tests for demo_kill in app/demo/demo.c: SIGKILL goes to
 * a pane's actor only when it is alive, in the demo's process group and
 * not the demo's leader. A small demo defined here has one actor that
 * leaves the group (setpgid) and one that stays. Bounded by alarm(2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"
#include "loop.h"
#include "unit.h"
#include "util.h"

/* Pane 1's actor leaves the group; pane 2's stays. Each reports a step
 * once it is set up, then waits for good. */
static int __attribute__((noreturn))
two_actors(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *self)
{
	for (int pane = 1; pane <= 2; pane++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct demo_actor *me = api->to_pane(ctx, pane,
			    pane == 1 ? "escaper" : "stayer");
			if (pane == 1)
				setpgid(0, 0);
			api->step(me, 1);
			for (;;)
				pause();
		}
	}
	/* reap them as they end, as a parent should */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	for (;;)
		pause();
}

static const char *const panes[] = { "leader", "escaper", "stayer", NULL };

static const struct systour_demo demo = {
	.name = "two-actors", .title_en = "t", .title_zh = "t",
	.code = "x\n", .panes = panes, .run = two_actors,
};

static int stepped[DEMO_MAX_PANES];

static void
on_position(void *arg, int pane, int line)
{
	stepped[pane] = 1;
}

static struct loop *loop;

/* Run the supervisor's loop until done() or 10 s. */
static void
work_until(struct demo_run *r, int (*done)(struct demo_run *))
{
	long long deadline = now_ms() + 10000;
	while (!done(r) && now_ms() < deadline)
		loop_once(loop, 10);
	assert_true(done(r));
}

static int
both_set_up(struct demo_run *r)
{
	return stepped[1] && stepped[2];
}

static void
test_kill_only_inside_the_group(void **state)
{
	struct demo_sink sink = { .position = on_position };
	char *cause = NULL;
	loop = loop_new(&cause);
	assert_non_null(loop);
	struct demo_run *r = demo_start(loop, &demo, &sink, 1, 0,
	    LANG_EN, &cause);
	assert_non_null(r);
	work_until(r, both_set_up);
	pid_t escaper = demo_pane_pid(r, 1), stayer = demo_pane_pid(r, 2);
	assert_true(escaper > 0 && stayer > 0);

	/* the leader: refused */
	assert_int_equal(demo_kill(r, 0, &cause), -1);
	assert_string_equal(cause, "pane 1: that is the demo's leader (q stops "
	    "the demo)");
	free(cause);
	assert_false(demo_can_kill(r, 0));
	/* out of the group: refused, and it lives on */
	assert_false(demo_can_kill(r, 1));
	assert_int_equal(demo_kill(r, 1, &cause), -1);
	assert_string_equal(cause, "pane 2: its actor is not in the demo's "
	    "process group");
	free(cause);
	assert_int_equal(kill(escaper, 0), 0);
	/* no such pane */
	assert_int_equal(demo_kill(r, 5, &cause), -1);
	assert_string_equal(cause, "pane 6: no such pane");
	free(cause);
	/* in the group: killed with SIGKILL */
	assert_true(demo_can_kill(r, 2));
	assert_int_equal(demo_kill(r, 2, &cause), stayer);
	/* its parent, the leader, reaps it */
	for (int i = 0; i < 1000 && kill(stayer, 0) == 0; i++)
		usleep(10000);
	assert_int_not_equal(kill(stayer, 0), 0);
	assert_false(demo_can_kill(r, 2));
	assert_int_equal(demo_kill(r, 2, &cause), -1);
	free(cause);

	kill(escaper, SIGKILL);
	demo_free(r);
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kill_only_inside_the_group,
		    setup_alarm, teardown_alarm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
