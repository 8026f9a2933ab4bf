/* test_demo.c — unit tests for the demo supervisor (app/demo/demo.c): it reaps
 * the demo's processes, the orphans that come back to it as a child
 * subreaper included, and leaves every other child of the caller to the
 * caller. The demos here are built in (the run() of a struct systour_demo,
 * as a lesson module gives it); every wait has a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"
#include "loop.h"
#include "util.h"
#define UNIT_ALARM_SECONDS 60
#include "unit.h"

#define MAX_SEEN 16

/* What the sink was told. */
struct seen {
	int n;
	pid_t pid[MAX_SEEN];
	int status[MAX_SEEN];
	pid_t grandchild;
};

static void
on_exited(void *arg, pid_t pid, const char *who, int status)
{
	struct seen *s = arg;
	if (s->n < MAX_SEEN) {
		s->pid[s->n] = pid;
		s->status[s->n++] = status;
	}
}

static void
on_figure(void *arg, const char *name, long long value)
{
	struct seen *s = arg;
	if (strcmp(name, "grandchild") == 0)
		s->grandchild = (pid_t)value;
}

static int
seen_index(const struct seen *s, pid_t pid)
{
	for (int i = 0; i < s->n; i++)
		if (s->pid[i] == pid)
			return i;
	return -1;
}

/* The leader forks a child that forks a grandchild and exits at once: the
 * grandchild, orphaned, comes back to the supervisor (a child subreaper),
 * and exits with status 3 once the child's end of a pipe is closed. The
 * leader waits for its child itself. */
static int
orphan_run(struct demo_ctx *ctx, const struct demo_api *api)
{
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		int p[2];
		char c;
		if (pipe(p) != 0)
			_exit(1);
		pid_t g = fork();
		if (g == 0) {
			close(p[1]);
			while (read(p[0], &c, 1) > 0)
				;
			_exit(3);
		}
		api->figure(ctx, "grandchild", g);
		_exit(g > 0 ? 0 : 1);
	}
	int st;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

static const char *const one_pane[] = { "main", NULL };

static const struct systour_demo orphan_demo = {
	.name = "test-orphan",
	.title_en = "an orphan comes back to the supervisor",
	.title_zh = "孤儿进程回到监督者",
	.code = "pass\n",
	.panes = one_pane,
	.run = orphan_run,
};

static struct loop *
new_loop(void)
{
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	assert_non_null(l);
	return l;
}

/* Run r on l until it is finished, for at most 10 s. */
static void
run_to_end(struct loop *l, struct demo_run *r)
{
	long long deadline = now_ms() + 10000;
	while (!demo_finished(r) && now_ms() < deadline)
		loop_once(l, 100);
	assert_true(demo_finished(r));
}

/* A child of ours that is not the demo's, already a zombie when the demo
 * starts: the supervisor must not take its exit status. */
static pid_t
other_zombie(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	/* until it has exited, without reaping it */
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	return pid;
}

static void
assert_no_zombie_child(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
	if (rc == 0)
		assert_int_equal(si.si_pid, 0);
	else
		assert_int_equal(errno, ECHILD);
}

static void
test_reaps_its_own_and_no_other(void **state)
{
	pid_t other = other_zombie();
	struct seen seen;
	memset(&seen, 0, sizeof seen);
	struct demo_sink sink = { .arg = &seen, .exited = on_exited,
	    .figure = on_figure };
	char *cause = NULL;
	struct loop *lp = new_loop();
	struct demo_run *r = demo_start(lp, &orphan_demo, &sink, 0, 0, &cause);
	assert_non_null(r);
	pid_t leader = demo_pgid(r);
	run_to_end(lp, r);

	/* the leader and the orphan were reaped and reported */
	assert_true(seen.grandchild > 0);
	assert_int_equal(seen.n, 2);
	int l = seen_index(&seen, leader), g = seen_index(&seen, seen.grandchild);
	assert_true(l >= 0 && g >= 0);
	assert_true(WIFEXITED(seen.status[l]));
	assert_int_equal(WEXITSTATUS(seen.status[l]), 0);
	assert_true(WIFEXITED(seen.status[g]));
	assert_int_equal(WEXITSTATUS(seen.status[g]), 3);

	/* the other child is still ours to wait for, with its status */
	assert_int_equal(seen_index(&seen, other), -1);
	int st = 0;
	assert_int_equal(waitpid(other, &st, WNOHANG), other);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 7);

	/* and no zombie is left */
	assert_no_zombie_child();
	demo_free(r);
	assert_no_zombie_child();
	loop_free(lp);
}

/* demo_free() kills and reaps the demo's group, and only that. */
static void
test_free_reaps_only_the_group(void **state)
{
	pid_t other = other_zombie();
	char *cause = NULL;
	struct loop *lp = new_loop();
	struct demo_run *r = demo_start(lp, &orphan_demo, NULL, 1, 0, &cause);
	assert_non_null(r);
	demo_free(r);
	loop_free(lp);
	int st = 0;
	assert_int_equal(waitpid(other, &st, WNOHANG), other);
	assert_int_equal(WEXITSTATUS(st), 7);
	assert_no_zombie_child();
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_reaps_its_own_and_no_other),
		T(test_free_reaps_only_the_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
