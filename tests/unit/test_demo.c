/* test_demo.c — unit tests for the demo supervisor (app/demo/demo.c): it reaps
 * the demo's processes, the orphans that come back to it as a child
 * subreaper included, and leaves every other child of the caller to the
 * caller; two runs at once on one loop each get their own exits; a
 * process's last line comes before the news of its end; a fork bomb in a
 * demo is contained (as root too), the tutor's loop stays responsive, and
 * stopping the demo leaves no process. The demos here are built in (the
 * run() of a struct systour_demo, as a lesson module gives it); every wait
 * has a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"
#include "loop.h"
#include "proc_group.h"
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
orphan_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
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
		api->figure(me, "grandchild", g);
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
	struct demo_run *r = demo_start(lp, &orphan_demo, &sink, 0, 0,
	    LANG_EN, &cause);
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
	struct demo_run *r = demo_start(lp, &orphan_demo, NULL, 1, 0,
	    LANG_EN, &cause);
	assert_non_null(r);
	demo_free(r);
	loop_free(lp);
	int st = 0;
	assert_int_equal(waitpid(other, &st, WNOHANG), other);
	assert_int_equal(WEXITSTATUS(st), 7);
	assert_no_zombie_child();
}

/* Two runs at once on one loop: each reaps and reports its own leader and
 * orphan, and neither loses a wake-up to the other. */
static void
test_two_runs_at_once(void **state)
{
	struct seen seen[2];
	struct demo_run *r[2];
	struct loop *lp = new_loop();
	char *cause = NULL;
	memset(seen, 0, sizeof seen);
	for (int i = 0; i < 2; i++) {
		struct demo_sink sink = { .arg = &seen[i], .exited = on_exited,
		    .figure = on_figure };
		r[i] = demo_start(lp, &orphan_demo, &sink, 0, 0,
	    LANG_EN, &cause);
		assert_non_null(r[i]);
	}
	long long deadline = now_ms() + 10000;
	while (!(demo_finished(r[0]) && demo_finished(r[1])) &&
	    now_ms() < deadline)
		loop_once(lp, 100);
	for (int i = 0; i < 2; i++) {
		assert_true(demo_finished(r[i]));
		assert_int_equal(seen[i].n, 2);
		assert_true(seen_index(&seen[i], demo_pgid(r[i])) >= 0);
		assert_true(seen_index(&seen[i], seen[i].grandchild) >= 0);
		/* nothing of the other run */
		assert_int_equal(seen_index(&seen[i], demo_pgid(r[!i])), -1);
		assert_int_equal(seen_index(&seen[i], seen[!i].grandchild), -1);
	}
	demo_free(r[0]);
	demo_free(r[1]);
	assert_no_zombie_child();
	loop_free(lp);
}

/* ---- a process's last line, then its end ------------------------------- */

#define ORPHANS 20

/* The leader makes ORPHANS orphans that come back to the supervisor: each
 * prints its last line into pane 0 and exits at once. */
static int
last_words_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	for (int i = 0; i < ORPHANS; i++) {
		int p[2];
		if (pipe(p) != 0)
			return 1;
		fflush(stdout);
		pid_t child = fork();
		if (child == 0) {
			if (fork() == 0) {
				char c;
				close(p[1]);
				/* until our parent has gone */
				while (read(p[0], &c, 1) > 0)
					;
				printf("last words of %d\n", (int)getpid());
				fflush(stdout);
				_exit(0);
			}
			_exit(0);
		}
		close(p[0]);
		close(p[1]);
		waitpid(child, NULL, 0);
	}
	return 0;
}

static const struct systour_demo last_words_demo = {
	.name = "test-last-words",
	.title_en = "orphans print, then exit",
	.title_zh = "孤儿进程打印后退出",
	.code = "pass\n",
	.panes = one_pane,
	.run = last_words_run,
};

struct order {
	pid_t said[ORPHANS + 1];
	int nsaid, exits, early;
	pid_t leader;
};

static void
order_line(void *arg, int pane, const char *text, size_t len)
{
	struct order *o = arg;
	int pid;
	char buf[64];
	snprintf(buf, sizeof buf, "%.*s", (int)len, text);
	if (sscanf(buf, "last words of %d", &pid) == 1 && o->nsaid <= ORPHANS)
		o->said[o->nsaid++] = (pid_t)pid;
}

static void
order_exited(void *arg, pid_t pid, const char *who, int status)
{
	struct order *o = arg;
	int found = 0;
	if (pid == o->leader)
		return;
	o->exits++;
	for (int i = 0; i < o->nsaid; i++)
		found |= o->said[i] == pid;
	o->early += !found;
}

static void
test_last_line_before_exit(void **state)
{
	struct order o;
	memset(&o, 0, sizeof o);
	struct demo_sink sink = { .arg = &o, .line = order_line,
	    .exited = order_exited };
	char *cause = NULL;
	struct loop *lp = new_loop();
	struct demo_run *r = demo_start(lp, &last_words_demo, &sink, 0, 0, LANG_EN,
	    &cause);
	assert_non_null(r);
	o.leader = demo_pgid(r);
	run_to_end(lp, r);
	assert_int_equal(o.exits, ORPHANS);
	assert_int_equal(o.nsaid, ORPHANS);
	assert_int_equal(o.early, 0);
	demo_free(r);
	loop_free(lp);
}

/* ---- a fork bomb -------------------------------------------------------- */

#define BOMB_CAP 600    /* over the demos' 512: where an unlimited bomb stops */

struct bomb {
	atomic_int made;        /* processes the bomb made */
	atomic_int failed;      /* a fork failed: the limit holds */
};

static struct bomb *bomb;
static pid_t bomb_pgrp;         /* for the teardown, should the test fail */

static int
__attribute__((noreturn)) bomb_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	for (;;) {
		if (atomic_load(&bomb->made) >= BOMB_CAP) {
			pause();
			continue;
		}
		pid_t pid = fork();
		if (pid == 0)
			atomic_fetch_add(&bomb->made, 1);
		else if (pid < 0)
			atomic_store(&bomb->failed, 1);
	}
}

static const struct systour_demo bomb_demo = {
	.name = "test-fork-bomb",
	.title_en = "a fork bomb",
	.title_zh = "fork 炸弹",
	.code = "while True: os.fork()\n",
	.panes = one_pane,
	.run = bomb_run,
};

/* Live processes in group pgrp, and, in cgroup mode, in a cgroup of this
 * tutor's, from /proc. */
static int
count_left(pid_t pgrp, int *in_cgroup)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char mark[32];
	int n = 0;
	snprintf(mark, sizeof mark, "/systour-%d-", (int)getpid());
	*in_cgroup = 0;
	while (d && (e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name), pg = 0;
		char st, path[64];
		if (pid <= 0 || (st = demo_proc_state(pid, NULL, &pg)) == 0 ||
		    st == 'Z')
			continue;
		n += pg == pgrp;
		snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
		char *cg = read_file(path, NULL);
		*in_cgroup += cg && strstr(cg, mark) != NULL;
		free(cg);
	}
	if (d)
		closedir(d);
	return n;
}

static int ticked;

static void
on_tick(struct loop *l, void *arg)
{
	ticked = 1;
}

static void
test_fork_bomb_contained(void **state)
{
	print_message("# %s\n", demo_containment());
	bomb = mmap(NULL, sizeof *bomb, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(bomb != MAP_FAILED);
	atomic_init(&bomb->made, 0);
	atomic_init(&bomb->failed, 0);
	char *cause = NULL;
	struct loop *lp = new_loop();
	long long t0 = now_ms();
	struct demo_run *r = demo_start(lp, &bomb_demo, NULL, 0, 0,
	    LANG_EN, &cause);
	assert_non_null(r);
	pid_t pgrp = bomb_pgrp = demo_pgid(r);

	/* the limit holds: a fork fails before the bomb reaches its cap */
	while (!atomic_load(&bomb->failed) &&
	    atomic_load(&bomb->made) < BOMB_CAP && now_ms() - t0 < 20000)
		loop_once(lp, 10);
	print_message("# fork bomb: %d processes made, a fork failed: %d\n",
	    atomic_load(&bomb->made), atomic_load(&bomb->failed));
	assert_true(atomic_load(&bomb->failed));
	assert_true(atomic_load(&bomb->made) < BOMB_CAP);
	int in_cg, n = count_left(pgrp, &in_cg);
	assert_true(n <= proc_group_demo_limits.nproc);

	/* the tutor's loop answers meanwhile */
	struct loop_watch *tick = loop_timer(lp, 10, on_tick, NULL);
	long long t1 = now_ms();
	while (!ticked && now_ms() - t1 < 5000)
		loop_once(lp, 10);
	assert_true(ticked);
	assert_true(now_ms() - t1 < 1000);
	loop_cancel(tick);

	/* stop: nothing is left, within the deadline */
	demo_stop(r);
	long long t2 = now_ms();
	while (!demo_finished(r) && now_ms() - t2 < 10000)
		loop_once(lp, 50);
	assert_true(demo_finished(r));
	assert_int_equal(count_left(pgrp, &in_cg), 0);
	assert_int_equal(in_cg, 0);
	demo_free(r);
	assert_no_zombie_child();
	loop_free(lp);
	munmap(bomb, sizeof *bomb);
	bomb_pgrp = 0;
}

/* unit.h's teardown, and a failed bomb test must not leave its processes
 * behind */
static int
teardown_demo(void **state)
{
	if (bomb_pgrp > 0) {
		for (int i = 0; i < 100 && kill(-bomb_pgrp, SIGKILL) == 0; i++)
			while (waitpid(-bomb_pgrp, NULL, WNOHANG) > 0)
				;
		bomb_pgrp = 0;
	}
	return teardown_alarm(state);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_demo)
	const struct CMUnitTest tests[] = {
		T(test_reaps_its_own_and_no_other),
		T(test_free_reaps_only_the_group),
		T(test_two_runs_at_once),
		T(test_last_line_before_exit),
		T(test_fork_bomb_contained),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
