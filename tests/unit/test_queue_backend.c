/* test_queue_backend.c — the Redis Streams engine (queue_backend.h): URL
 * parsing and the tagged values without a server; then against a real
 * redis-server that the test starts on a free loopback port in a temporary
 * directory (skipped when it is not installed): put, a batched lease, acks
 * counted once by task id, the janitor's claim past the lease, the dead
 * letters after QB_DEAD_AFTER deliveries, the depth. */
#define UNIT_ALARM_SECONDS 60
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit.h"
#include "queue_backend.h"
#include "util.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define DEADLINE_MS 20000

static void
test_url(void **state)
{
	char *host, *pass, *cause = NULL;
	int port, db;
	assert_int_equal(qb_redis_parse_url("redis://h", &host, &port, &pass,
	    &db, &cause), 0);
	assert_string_equal(host, "h");
	assert_int_equal(port, 6379);
	assert_null(pass);
	assert_int_equal(db, 0);
	free(host);
	assert_int_equal(qb_redis_parse_url("redis://:pw@127.0.0.1:7000/3",
	    &host, &port, &pass, &db, &cause), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(pass, "pw");
	assert_int_equal(port, 7000);
	assert_int_equal(db, 3);
	free(host);
	free(pass);
	assert_int_equal(qb_redis_parse_url("redis://user:pw@h/", &host, &port,
	    &pass, &db, &cause), 0);
	assert_string_equal(pass, "pw");
	free(host);
	free(pass);
	static const char *const bad[] = { "", "http://h", "redis://",
	    "redis://h:0", "redis://h:99999", "redis://h:x", "redis://h/x",
	    "redis://h:1x", NULL };
	for (int i = 0; bad[i]; i++) {
		cause = NULL;
		assert_int_equal(qb_redis_parse_url(bad[i], &host, &port,
		    &pass, &db, &cause), -1);
		assert_non_null(cause);
		free(cause);
	}
}

static void
test_encode(void **state)
{
	struct pval *v = pval_tuple(2, pval_int(7), pval_str("x"));
	size_t n;
	char *s = qb_encode(v, &n), *cause = NULL;
	assert_int_equal(s[0], 'p');
	struct pval *w = qb_decode(s, n, &cause);
	assert_non_null(w);
	assert_true(pval_equal(v, w));
	free(s);
	pval_free(w);
	pval_free(v);
	v = pval_str("ImageUrl_1");
	s = qb_encode(v, &n);
	assert_int_equal(n, 11);
	assert_memory_equal(s, "sImageUrl_1", 11);
	w = qb_decode(s, n, &cause);
	assert_true(pval_is_str(w, "ImageUrl_1"));
	free(s);
	pval_free(w);
	pval_free(v);
	assert_null(qb_decode("x", 1, &cause));
	free(cause);
}

/* ------------------------------------------------- against redis-server */

struct ctx {
	int		 ready, fatal;
	long		 n;
	int		 calls;
	struct qb_task	*t;
	size_t		 nt;
	struct qb_task	*claimed;
	size_t		 nclaimed;
	struct qb_depth	 d;
};

static void
on_state(void *arg, int ready, int fatal, const char *why)
{
	struct ctx *c = arg;
	c->ready = ready;
	c->fatal = fatal;
}

static void
on_done(void *arg, long n, const char *err)
{
	struct ctx *c = arg;
	assert_null(err);
	c->n = n;
	c->calls++;
}

static void
on_tasks(void *arg, struct qb_task *t, size_t n, const char *err)
{
	struct ctx *c = arg;
	assert_null(err);
	qb_tasks_free(c->t, c->nt);
	c->t = t;
	c->nt = n;
	c->calls++;
}

static void
on_claimed(void *arg, struct qb_task *t, size_t n, const char *err)
{
	struct ctx *c = arg;
	qb_tasks_free(c->claimed, c->nclaimed);
	c->claimed = t;
	c->nclaimed = n;
}

static void
on_depth(void *arg, const struct qb_depth *d, const char *err)
{
	struct ctx *c = arg;
	assert_null(err);
	c->d = *d;
	c->calls++;
}

static void
run_until(struct loop *l, const int *flag, int want)
{
	long long end = now_ms() + DEADLINE_MS;
	while (*flag < want && now_ms() < end)
		loop_once(l, 100);
	assert_true(*flag >= want);
}

static int
free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	bind(fd, (struct sockaddr *)&a, sizeof a);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	return ntohs(a.sin_port);
}

static void
test_streams(void **state)
{
	if (system("command -v redis-server >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skipped: redis-server is not installed\n");
		skip();
	}
	char dir[] = "/tmp/systour-qb-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int port = free_port();
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	pid_t pid = fork();
	if (pid == 0) {
		/* a failed assertion leaves no server behind: it dies with
		 * the test */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp("redis-server", "redis-server", "--port", ps, "--bind",
		    "127.0.0.1", "--dir", dir, "--save", "", "--logfile",
		    "/dev/null", (char *)NULL);
		_exit(127);
	}
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	struct ctx c = { 0 };
	char *url = xasprintf("redis://127.0.0.1:%d", port);
	struct qb_redis_opts o = { .url = url, .role = "test",
	    .lease_ms = 300, .state = on_state, .claimed = on_claimed,
	    .arg = &c };
	/* redis-server may take a moment to listen: try again until then */
	struct qb *q = NULL;
	long long end = now_ms() + DEADLINE_MS;
	for (;;) {
		q = qb_redis_open(l, &o, &cause);
		assert_non_null(q);
		while (!c.ready && !c.fatal)
			loop_once(l, 100);
		if (c.ready || now_ms() > end)
			break;
		q->ops->free(q);
		c.fatal = 0;
		usleep(50000);
	}
	assert_true(c.ready);

	/* put three, one twice by name: it goes in once */
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%d", i);
		struct pval *v = pval_str(name);
		q->ops->put(q, v, name, on_done, &c);
		pval_free(v);
	}
	struct pval *v = pval_str("t0");
	q->ops->put(q, v, "t0", on_done, &c);
	pval_free(v);
	run_until(l, &c.calls, 4);
	assert_int_equal(c.n, 0);		/* the second t0 */
	c.calls = 0;
	q->ops->depth(q, on_depth, &c);
	run_until(l, &c.calls, 1);
	assert_int_equal(c.d.queued, 3);

	/* a batch of two, then one acked twice: counted once */
	c.calls = 0;
	q->ops->lease(q, 2, 1000, on_tasks, &c);
	run_until(l, &c.calls, 1);
	assert_int_equal(c.nt, 2);
	assert_true(pval_is_str(c.t[0].v, "t0"));
	assert_true(pval_is_str(c.t[1].v, "t1"));
	struct pval *r = pval_str("success t0");
	const struct pval *rs[] = { r, r };
	char *ids[] = { c.t[0].id, c.t[0].id };
	c.calls = 0;
	q->ops->ack(q, ids, rs, 2, on_done, &c);
	run_until(l, &c.calls, 1);
	assert_int_equal(c.n, 1);
	pval_free(r);

	/* t1 is never acked: the janitor claims it past the lease (300 ms),
	 * twice, then it is a dead letter (3 deliveries) */
	end = now_ms() + DEADLINE_MS;
	int claims = 0;
	c.calls = 0;
	c.d.dead = 0;
	while (now_ms() < end && c.d.dead == 0) {
		loop_once(l, 100);
		if (c.nclaimed > 0) {
			assert_string_equal(c.claimed[0].id, c.t[1].id);
			claims++;
			qb_tasks_free(c.claimed, c.nclaimed);
			c.claimed = NULL;
			c.nclaimed = 0;
		}
		if (c.calls == 0) {
			c.calls = 1;
			q->ops->depth(q, on_depth, &c);
		} else if (c.calls == 2)
			c.calls = 0;
	}
	assert_int_equal(claims, QB_DEAD_AFTER - 1);
	assert_int_equal(c.d.dead, 1);
	assert_int_equal(c.d.done, 1);
	assert_int_equal(c.d.queued, 1);	/* t2 */
	assert_int_equal(c.d.pending, 0);

	q->ops->free(q);
	qb_tasks_free(c.t, c.nt);
	free(url);
	loop_free(l);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	char *rm = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
	free(rm);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_url),
		T(test_encode),
		T(test_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
