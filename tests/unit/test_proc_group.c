/* test_proc_group.c — unit tests for app/demo/proc_group.c: it reaps its
 * own processes (the leader and the orphans that come back to the tutor)
 * and no other child; a fork bomb is contained also as root (the mode in
 * force is printed) and stopping leaves no process; the wall-clock limit
 * stops a group that never ends; stale scratch directories of dead tutors
 * are removed and others kept. Every wait is a loop round with a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNIT_ALARM_SECONDS 60
#include "unit.h"
#include "demo_lib.h"
#include "loop.h"
#include "proc_group.h"
#include "util.h"

#define DEADLINE_MS 10000

struct seen {
	int n, done;
	pid_t pid[64];
	int status[64];
};

static void
on_exited(void *arg, pid_t pid, int status)
{
	struct seen *s = arg;
	if (s->n < 64) {
		s->pid[s->n] = pid;
		s->status[s->n++] = status;
	}
}

static void
on_done(void *arg)
{
	((struct seen *)arg)->done = 1;
}

static int
seen_index(const struct seen *s, pid_t pid)
{
	for (int i = 0; i < s->n; i++)
		if (s->pid[i] == pid)
			return i;
	return -1;
}

static struct loop *
new_loop(void)
{
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	assert_non_null(l);
	return l;
}

static int
run_until(struct loop *l, const int *flag)
{
	long long end = now_ms() + DEADLINE_MS;
	while (!*flag && now_ms() < end)
		loop_once(l, 100);
	return *flag;
}

/* ---- reaping only its own ---------------------------------------------- */

static int report_fd = -1;

/* The leader forks a child that forks a grandchild and exits: the
 * grandchild, orphaned, comes back to the tutor and exits 3 once the
 * leader is gone (its end of a pipe closes). It tells its PID first. */
static int
orphan_main(void *arg)
{
	int p[2];
	if (pipe(p) != 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		pid_t g = fork();
		if (g == 0) {
			char c;
			close(p[1]);
			while (read(p[0], &c, 1) > 0)
				;
			_exit(3);
		}
		demo_write_all(report_fd, &g, sizeof g);
		_exit(0);
	}
	close(p[0]);
	int st;
	waitpid(child, &st, 0);
	return 0;
}

static pid_t
other_zombie(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	return pid;
}

static void
test_reaps_its_own_and_no_other(void **state)
{
	pid_t other = other_zombie();
	struct loop *l = new_loop();
	struct seen seen = { 0 };
	struct proc_group_sink sink = { &seen, on_exited, on_done };
	char *cause = NULL;
	int p[2];
	assert_int_equal(pipe(p), 0);
	report_fd = p[1];
	struct proc_group *g = proc_group_new("test-orphan", NULL, &cause);
	assert_non_null(g);
	assert_int_equal(proc_group_spawn(g, l, &p[1], 1, orphan_main, NULL,
	    &sink, &cause), 0);
	close(p[1]);
	pid_t grandchild = 0;
	assert_int_equal(read(p[0], &grandchild, sizeof grandchild),
	    sizeof grandchild);
	close(p[0]);
	assert_true(run_until(l, &seen.done));
	assert_true(proc_group_finished(g));

	/* the leader and the orphan, each with its status */
	assert_int_equal(seen.n, 2);
	int li = seen_index(&seen, proc_group_leader(g));
	int gi = seen_index(&seen, grandchild);
	assert_true(li >= 0 && gi >= 0);
	assert_int_equal(WEXITSTATUS(seen.status[li]), 0);
	assert_int_equal(WEXITSTATUS(seen.status[gi]), 3);
	/* the other child is still ours to wait for */
	int st = 0;
	assert_int_equal(waitpid(other, &st, WNOHANG), other);
	assert_int_equal(WEXITSTATUS(st), 7);

	/* the scratch directory goes with the group */
	char scratch[4096];
	snprintf(scratch, sizeof scratch, "%s", proc_group_scratch(g));
	struct stat sb;
	assert_int_equal(stat(scratch, &sb), 0);
	proc_group_free(g);
	assert_int_not_equal(stat(scratch, &sb), 0);
	loop_free(l);
}

/* ---- a fork bomb -------------------------------------------------------- */

#define BOMB_NPROC 40

/* Fork without end; each process that sees fork fail says so once. */
static int
__attribute__((noreturn)) bomb_main(void *arg)
{
	int told = 0;
	for (;;) {
		pid_t pid = fork();
		if (pid < 0 && !told) {
			told = 1;
			demo_write_all(report_fd, "!", 1);
		}
	}
}

/* Processes in process group pgrp now, from /proc; and how many of them
 * are zombies. */
static int
count_group(pid_t pgrp, int *zombies)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	*zombies = 0;
	while (d && (e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name), pg = 0;
		if (pid <= 0)
			continue;
		char st = demo_proc_state(pid, NULL, &pg);
		if (st && pg == pgrp) {
			n++;
			*zombies += st == 'Z';
		}
	}
	if (d)
		closedir(d);
	return n;
}

static int timer_fired;

static void
on_tick(struct loop *l, void *arg)
{
	timer_fired = 1;
}

static void
test_fork_bomb_is_contained(void **state)
{
	enum proc_group_mode mode = proc_group_mode();
	print_message("# containment: %s (%s)\n", proc_group_mode_name(mode),
	    proc_group_mode_note());
	if (geteuid() == 0)
		assert_true(mode == PG_CGROUP || mode == PG_USER);
	else
		assert_int_equal(mode, PG_RLIMIT);

	struct loop *l = new_loop();
	struct seen seen = { 0 };
	struct proc_group_sink sink = { &seen, on_exited, on_done };
	struct proc_group_limits lim = proc_group_demo_limits;
	lim.nproc = BOMB_NPROC;
	lim.grace_ms = 200;
	char *cause = NULL;
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	report_fd = p[1];
	struct proc_group *g = proc_group_new("test-bomb", &lim, &cause);
	assert_non_null(g);
	long long t0 = now_ms();
	assert_int_equal(proc_group_spawn(g, l, &p[1], 1, bomb_main, NULL,
	    &sink, &cause), 0);
	close(p[1]);
	pid_t pgrp = proc_group_leader(g);

	/* the limit is hit: a fork fails, within the deadline */
	char c;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	int hit = 0;
	while (!hit && now_ms() - t0 < DEADLINE_MS) {
		loop_once(l, 10);
		hit = read(p[0], &c, 1) == 1;
	}
	assert_true(hit);
	/* the group stays under the limit while it keeps trying, and the
	 * tutor's loop answers a timer meanwhile */
	struct loop_watch *tick = loop_timer(l, 20, on_tick, NULL);
	long long t_tick = now_ms();
	int most = 0;
	while (!timer_fired && now_ms() - t_tick < DEADLINE_MS) {
		int z, n = count_group(pgrp, &z);
		if (n - z > most)
			most = n - z;
		loop_once(l, 10);
	}
	assert_true(timer_fired);
	assert_true(now_ms() - t_tick < 1000);
	print_message("# fork bomb: at most %d live processes (limit %d)\n",
	    most, BOMB_NPROC);
	assert_true(most > 0 && most <= BOMB_NPROC);
	loop_cancel(tick);

	/* stop: TERM, then KILL after the grace period; nothing is left */
	proc_group_stop(g);
	assert_true(run_until(l, &seen.done));
	int z;
	assert_int_equal(count_group(pgrp, &z), 0);
	assert_true(now_ms() - t0 < DEADLINE_MS);
	proc_group_free(g);
	close(p[0]);
	loop_free(l);
}

/* ---- the wall-clock limit ---------------------------------------------- */

static int
__attribute__((noreturn)) forever_main(void *arg)
{
	for (;;)
		pause();
}

static void
test_wall_clock_limit(void **state)
{
	struct loop *l = new_loop();
	struct seen seen = { 0 };
	struct proc_group_sink sink = { &seen, on_exited, on_done };
	struct proc_group_limits lim = proc_group_demo_limits;
	lim.wall_ms = 100;
	char *cause = NULL;
	struct proc_group *g = proc_group_new("test-wall", &lim, &cause);
	assert_non_null(g);
	assert_int_equal(proc_group_spawn(g, l, NULL, 0, forever_main, NULL,
	    &sink, &cause), 0);
	assert_true(run_until(l, &seen.done));
	assert_true(proc_group_timed_out(g));
	assert_int_equal(seen.n, 1);
	char how[64];
	assert_string_equal(demo_how(seen.status[0], how, sizeof how),
	    "killed by SIGTERM (signal 15)");
	proc_group_free(g);
	loop_free(l);
}

/* ---- stale scratch directories ----------------------------------------- */

static void
test_stale_scratch_removed(void **state)
{
	char tmp[] = "/tmp/test-proc-group-XXXXXX", path[256];
	assert_non_null(mkdtemp(tmp));
	/* a tutor that is gone: a child of ours, reaped */
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);

	snprintf(path, sizeof path, "%s/systour-fs-tree-%d-abcDEF", tmp, (int)dead);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/systour-fs-tree-%d-abcDEF/file", tmp,
	    (int)dead);
	assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0600)), 0);
	struct stat sb;
	/* a tutor alive (init), ours, and a name that is not a scratch */
	snprintf(path, sizeof path, "%s/systour-pool-1-ghiJKL", tmp);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/systour-pool-%d-mnoPQR", tmp,
	    (int)getpid());
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/systour-notes", tmp);
	assert_int_equal(mkdir(path, 0700), 0);

	/* and, as root with cgroups, the dead tutor's cgroup */
	char cg[256] = "";
	int stale = 1;
	if (proc_group_cgroup_root()) {
		snprintf(cg, sizeof cg, "%s/systour-%d-7", proc_group_cgroup_root(),
		    (int)dead);
		assert_int_equal(mkdir(cg, 0755), 0);
		stale++;
	}
	/* (other dead tutors' cgroups may go too) */
	assert_true(proc_group_clean_stale(tmp) >= stale);
	if (cg[0])
		assert_int_not_equal(stat(cg, &sb), 0);
	snprintf(path, sizeof path, "%s/systour-fs-tree-%d-abcDEF", tmp, (int)dead);
	assert_int_not_equal(stat(path, &sb), 0);
	const char *kept[] = { "systour-pool-1-ghiJKL", "systour-notes" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp, kept[i]);
		assert_int_equal(stat(path, &sb), 0);
		rmdir(path);
	}
	snprintf(path, sizeof path, "%s/systour-pool-%d-mnoPQR", tmp,
	    (int)getpid());
	assert_int_equal(stat(path, &sb), 0);
	rmdir(path);
	assert_int_equal(rmdir(tmp), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_reaps_its_own_and_no_other),
		T(test_fork_bomb_is_contained),
		T(test_wall_clock_limit),
		T(test_stale_scratch_removed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
