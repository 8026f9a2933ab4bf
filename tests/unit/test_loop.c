/* test_loop.c — unit tests for the event loop (app/core/loop.c) and the
 * growable buffer (app/core/buf.c): a descriptor becoming readable, timers
 * in order and re-armed, child exits by PID and by process group (and no
 * other child reaped), a signal turned into a callback, cancelling inside a
 * callback. Every wait is a loop round with a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "loop.h"
#include "util.h"
#define UNIT_ALARM_SECONDS 60
#include "unit.h"

#define DEADLINE_MS 20000     /* a loaded machine may take long to schedule a child */

/* Run rounds until *flag is set or the deadline passes; 1 if it was set. */
static int
run_until(struct loop *l, const int *flag)
{
	long long end = now_ms() + DEADLINE_MS;
	while (!*flag && now_ms() < end)
		loop_once(l, 100);
	return *flag;
}

static struct loop *
new_loop(void)
{
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	assert_non_null(l);
	return l;
}

struct fdseen { int n; unsigned events; char byte; };

static void
on_readable(struct loop *l, int fd, unsigned events, void *arg)
{
	struct fdseen *s = arg;
	s->events = events;
	if (read(fd, &s->byte, 1) == 1)
		s->n++;
}

static void
test_fd_readable(void **state)
{
	struct loop *l = new_loop();
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct fdseen s = { 0 };
	struct loop_watch *w = loop_fd(l, p[0], LOOP_READ, on_readable, &s);
	assert_non_null(w);
	assert_int_equal(loop_once(l, 0), 0);           /* nothing yet */
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_true(run_until(l, &s.n));
	assert_int_equal(s.byte, 'x');
	assert_true(s.events & LOOP_READ);
	loop_fd_set(w, 0);                              /* paused: not called */
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(loop_once(l, 50), 0);
	loop_fd_set(w, LOOP_READ);
	assert_int_equal(loop_once(l, 1000), 1);
	assert_int_equal(s.byte, 'y');
	close(p[1]);                                    /* hang-up */
	assert_int_equal(loop_once(l, 1000), 1);
	assert_true(s.events & LOOP_READ);
	loop_cancel(w);
	close(p[0]);
	loop_free(l);
}

struct order { int n; int who[8]; struct loop_watch *again; int left; };

static void
on_timer(struct loop *l, void *arg)
{
	struct order *o = arg;
	o->who[o->n++] = 1;
}

static void
on_timer2(struct loop *l, void *arg)
{
	struct order *o = arg;
	o->who[o->n++] = 2;
	if (o->left-- > 0)
		loop_timer_set(o->again, 10);
}

static void
test_timers(void **state)
{
	struct loop *l = new_loop();
	struct order o = { 0 };
	long long start = now_ms();
	loop_timer(l, 60, on_timer, &o);
	o.again = loop_timer(l, 20, on_timer2, &o);
	o.left = 1;
	int done = 0;
	long long end = now_ms() + DEADLINE_MS;
	while (o.n < 3 && now_ms() < end)
		loop_once(l, -1);
	done = o.n;
	assert_int_equal(done, 3);
	/* 2 at 20 ms, 2 again at 30 ms, 1 at 60 ms */
	assert_int_equal(o.who[0], 2);
	assert_int_equal(o.who[1], 2);
	assert_int_equal(o.who[2], 1);
	assert_true(now_ms() - start >= 60);
	assert_false(loop_timer_armed(o.again));
	loop_free(l);
}

struct kids { int n; pid_t pid[8]; int status[8]; };

static void
on_child(struct loop *l, pid_t pid, int status, void *arg)
{
	struct kids *k = arg;
	k->pid[k->n] = pid;
	k->status[k->n++] = status;
}

static void
test_child_by_pid_and_group(void **state)
{
	struct loop *l = new_loop();
	/* a child that is not watched: the loop must leave it to us */
	pid_t other = fork();
	if (other == 0)
		_exit(7);
	pid_t one = fork();
	if (one == 0)
		_exit(3);
	struct kids k1 = { 0 };
	loop_child(l, one, on_child, &k1);
	assert_true(run_until(l, &k1.n));
	assert_int_equal(k1.pid[0], one);
	assert_true(WIFEXITED(k1.status[0]));
	assert_int_equal(WEXITSTATUS(k1.status[0]), 3);

	/* a group of three: its leader and two more, one killed */
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t leader = fork();
	if (leader == 0) {
		setpgid(0, 0);
		char c;
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	setpgid(leader, leader);
	pid_t kids[2];
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			setpgid(0, leader);
			char c;
			(void)!read(go[0], &c, 1);
			_exit(10 + i);
		}
		setpgid(kids[i], leader);
	}
	struct kids kg = { 0 };
	loop_child(l, -leader, on_child, &kg);
	kill(kids[1], SIGKILL);
	assert_int_equal(write(go[1], "ab", 2), 2);
	long long end = now_ms() + DEADLINE_MS;
	while (kg.n < 3 && now_ms() < end)
		loop_once(l, 100);
	assert_int_equal(kg.n, 3);
	int killed = 0, exited = 0;
	for (int i = 0; i < 3; i++) {
		if (WIFSIGNALED(kg.status[i]) && WTERMSIG(kg.status[i]) == SIGKILL)
			killed++;
		else if (WIFEXITED(kg.status[i]))
			exited++;
	}
	assert_int_equal(killed, 1);
	assert_int_equal(exited, 2);

	/* the other child is still ours to reap */
	int st;
	assert_int_equal(waitpid(other, &st, 0), other);
	assert_int_equal(WEXITSTATUS(st), 7);
	close(go[0]);
	close(go[1]);
	loop_free(l);
}

static void
on_signal(struct loop *l, int sig, void *arg)
{
	*(int *)arg = sig;
}

static void
test_signal(void **state)
{
	struct loop *l = new_loop();
	int got = 0, got2 = 0;
	struct loop_watch *a = loop_signal(l, SIGUSR1, on_signal, &got);
	struct loop_watch *b = loop_signal(l, SIGUSR1, on_signal, &got2);
	raise(SIGUSR1);
	assert_true(run_until(l, &got));
	assert_int_equal(got, SIGUSR1);
	assert_int_equal(got2, SIGUSR1);
	loop_cancel(a);
	loop_cancel(b);
	/* the last watch gone, the old disposition is back */
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	assert_ptr_equal(sa.sa_handler, SIG_DFL);
	loop_free(l);
}

static void
cancel_self(struct loop *l, void *arg)
{
	struct loop_watch **w = arg;
	loop_cancel(*w);
	*w = NULL;
}

static void
test_cancel_inside_callback(void **state)
{
	struct loop *l = new_loop();
	struct loop_watch *w = NULL;
	w = loop_timer(l, 0, cancel_self, &w);
	assert_int_equal(loop_once(l, 1000), 1);
	assert_null(w);
	assert_int_equal(loop_once(l, 0), 0);
	loop_free(l);
}

static void
test_buf(void **state)
{
	struct buf b = BUF_INIT;
	assert_string_equal(buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	buf_consume(&b, 2);
	assert_memory_equal(b.data, "1,2,", 4);
	char big[600];
	memset(big, 'z', sizeof big);
	buf_clear(&b);
	buf_printf(&b, "%.*s!", (int)sizeof big, big);
	assert_int_equal(b.len, 601);
	assert_int_equal(b.data[600], '!');
	size_t n;
	char *s = buf_detach(&b, &n);
	assert_int_equal(n, 601);
	assert_null(b.data);
	free(s);
	int *v = NULL;
	size_t cap = 0;
	for (int i = 0; i < 100; i++) {
		ARRAY_GROW(v, cap, (size_t)i + 1);
		v[i] = i;
	}
	assert_true(cap >= 100);
	assert_int_equal(v[99], 99);
	free(v);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_fd_readable),
		T(test_timers),
		T(test_child_by_pid_and_group),
		T(test_signal),
		T(test_cancel_inside_callback),
		T(test_buf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
