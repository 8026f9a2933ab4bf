/* test_manager.c — unit tests for app/queue/manager*.c and app/queue/worker.c, in C
 * only (no python): a manager in a child process, the worker and raw
 * protocol calls against it. Every test is bounded by an alarm(2); the
 * manager child dies with its parent (PR_SET_PDEATHSIG) and is reaped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "manager.h"
#include "pickle.h"
#include "wire.h"
#include "worker.h"
#define UNIT_ALARM_SECONDS 60
#include "unit.h"

struct child {
	pid_t pid;
	char port[16];
	FILE *out;	/* what it printed (a tmpfile) */
};

/* Start a manager on a free loopback port in a child process (with
 * depth: --depth). */
static void
start(struct child *ch, long tasks, long maxsize, int depth)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	ch->out = tmpfile();
	assert_non_null(ch->out);
	ch->pid = fork();
	assert_true(ch->pid >= 0);
	if (ch->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_IGN);	/* its log pipe is closed early */
		close(p[0]);
		struct manager_opts o = { .host = "127.0.0.1", .port = "0",
		    .authkey = "k3y", .tasks = tasks, .maxsize = maxsize,
		    .depth = depth, .out = ch->out, .log = fdopen(p[1], "w") };
		char *cause = NULL;
		int rc = manager_run(&o, &cause);
		if (rc != 0)
			fprintf(stderr, "manager: %s\n", cause);
		_exit(rc);
	}
	close(p[1]);
	FILE *log = fdopen(p[0], "r");
	char line[256];
	assert_non_null(fgets(line, sizeof line, log));
	char *colon = strrchr(line, ':');
	assert_non_null(colon);
	snprintf(ch->port, sizeof ch->port, "%d", atoi(colon + 1));
	/* Keep reading its log in the background of the pipe: the child
	 * writes little, and the pipe holds it. */
	fclose(log);
}

static int
finish(struct child *ch, int sig)
{
	int st;
	if (sig)
		kill(ch->pid, sig);
	assert_int_equal(waitpid(ch->pid, &st, 0), ch->pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
test_loopback(void **state)
{
	assert_true(manager_host_is_loopback("127.0.0.1"));
	assert_true(manager_host_is_loopback("127.1.2.3"));
	assert_true(manager_host_is_loopback("::1"));
	assert_false(manager_host_is_loopback("0.0.0.0"));
	assert_false(manager_host_is_loopback("10.1.2.3"));
	assert_false(manager_host_is_loopback("::"));
}

static void
test_refuses_default_key_on_any_address(void **state)
{
	struct manager_opts o = { .host = "0.0.0.0", .port = "0",
	    .authkey = "qiye" };
	char *cause = NULL;
	assert_int_equal(manager_run(&o, &cause), 2);
	assert_non_null(strstr(cause, "not a loopback address"));
	free(cause);
}

static void
test_worker_does_every_task(void **state)
{
	struct child ch;
	start(&ch, 25, 4, 0);
	FILE *wout = tmpfile();
	struct worker_opts o = { .host = "127.0.0.1", .port = ch.port,
	    .authkey = "k3y", .timeout = 1, .pace_ms = 0, .out = wout };
	char *cause = NULL;
	int rc = worker_run(&o, &cause);
	if (rc != 0)
		fail_msg("worker: %s", cause);
	assert_int_equal(finish(&ch, 0), 0);	/* it ends when all are in */
	char line[128];
	int results = 0;
	rewind(ch.out);
	while (fgets(line, sizeof line, ch.out))
		if (strncmp(line, "result is success ImageUrl_", 27) == 0)
			results++;
	assert_int_equal(results, 25);
	fclose(ch.out);
	fclose(wout);
}

static long long
ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --depth: a line when the depths change, never two alike in a row, at
 * most one per 100 ms however fast the queues move; each accounts for
 * every task (queued + leased + in the result queue + taken); the first is
 * full, the last empty. */
static void
test_depth_lines(void **state)
{
	struct child ch;
	long long t0 = ms();
	start(&ch, 300, 0, 1);
	FILE *wout = tmpfile();
	struct worker_opts o = { .host = "127.0.0.1", .port = ch.port,
	    .authkey = "k3y", .timeout = 1, .pace_ms = 0, .batch = 1,
	    .lease = 30, .out = wout };
	char *cause = NULL;
	if (worker_run(&o, &cause) != 0)
		fail_msg("worker: %s", cause);
	assert_int_equal(finish(&ch, 0), 0);
	long long elapsed = ms() - t0;
	char line[256], prev[256] = "", first[256] = "";
	int n = 0;
	rewind(ch.out);
	while (fgets(line, sizeof line, ch.out)) {
		if (strncmp(line, "depth ", 6) != 0)
			continue;
		long q, l, r, taken, of;
		char *p = strstr(line, " task ");
		assert_non_null(p);
		assert_int_equal(sscanf(p, " task %ld+%ld, result %ld, taken "
		    "%ld/%ld", &q, &l, &r, &taken, &of), 5);
		assert_int_equal(of, 300);
		assert_int_equal(q + l + r + taken, 300);
		assert_string_not_equal(line, prev);
		if (n++ == 0)
			snprintf(first, sizeof first, "%s", line);
		snprintf(prev, sizeof prev, "%s", line);
	}
	assert_string_equal(first,
	    "depth ██████████ task 300+0, result 0, taken 0/300\n");
	assert_string_equal(prev,
	    "depth .......... task 0+0, result 0, taken 300/300\n");
	/* 300 tasks change the depths 600 times or more: held to 10 a
	 * second (plus the first and the forced last) */
	if (n > elapsed / 100 + 2)
		fail_msg("%d depth lines in %lld ms", n, elapsed);
	assert_true(n >= 2);
	fclose(ch.out);
	fclose(wout);
}

static void
test_wrong_key_and_raw_calls(void **state)
{
	struct child ch;
	start(&ch, 0, 0, 0);
	struct worker_opts o = { .host = "127.0.0.1", .port = ch.port,
	    .authkey = "wrong", .timeout = 1, .out = stdout };
	char *cause = NULL;
	assert_int_equal(worker_run(&o, &cause), 1);
	assert_non_null(strstr(cause, "digest sent was rejected"));
	free(cause);

	/* An unknown typeid: ('#TRACEBACK', 'Traceback ... KeyError ...'). */
	struct addrinfo hints = { .ai_family = AF_INET,
	    .ai_socktype = SOCK_STREAM }, *res;
	assert_int_equal(getaddrinfo("127.0.0.1", ch.port, &hints, &res), 0);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, res->ai_addr, res->ai_addrlen), 0);
	freeaddrinfo(res);
	struct wire_conn c;
	wire_conn_init(&c, fd, 0);
	cause = NULL;
	assert_int_equal(wire_conn_client_auth(&c, "k3y", 3, WIRE_DIGEST_SHA256,
	    5000, &cause), WIRE_OK);
	struct pval *req = pval_tuple(4, pval_none(), pval_str("create"),
	    pval_tuple(1, pval_str("get_nothing")), pval_dict());
	unsigned char *buf;
	size_t len;
	assert_int_equal(pickle_dumps(req, 4, &buf, &len, &cause), 0);
	pval_free(req);
	assert_int_equal(wire_conn_send(&c, buf, len, 5000, &cause), WIRE_OK);
	free(buf);
	struct wire_frame f;
	assert_int_equal(wire_conn_recv(&c, &f, 5000, &cause), WIRE_OK);
	struct pval *rep = pickle_loads(f.data, f.len, NULL, NULL, &cause);
	assert_non_null(rep);
	assert_true(pval_is_str(pval_item(rep, 0), "#TRACEBACK"));
	assert_non_null(strstr(pval_item(rep, 1)->u.s.s,
	    "KeyError: 'get_nothing'"));
	pval_free(rep);
	/* One request per connection, as CPython: then it hangs up. */
	assert_int_equal(wire_conn_recv(&c, &f, 5000, &cause), WIRE_EOF);
	wire_conn_free(&c);
	close(fd);
	assert_int_equal(finish(&ch, SIGTERM), 0);
	fclose(ch.out);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_loopback),
		T(test_refuses_default_key_on_any_address),
		T(test_worker_does_every_task),
		T(test_wrong_key_and_raw_calls),
		T(test_depth_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
