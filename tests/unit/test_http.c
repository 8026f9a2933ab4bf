/* test_http.c — unit tests of app/net/http.c: one HTTP/1.x request out of
 * a client's bytes, whole, split at every byte, pipelined, and each kind
 * of bad request with the status it must get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http.h"
#include "unit.h"

static int
parse(const char *s, struct http_req *r, int *status)
{
	*status = 0;
	return http_parse(s, strlen(s), r, status);
}

static void
test_get_11(void **state)
{
	struct http_req r;
	int st;
	const char *s = "GET /slow/300?x=1 HTTP/1.1\r\nHost: a\r\n\r\n";
	assert_int_equal(parse(s, &r, &st), HTTP_DONE);
	assert_int_equal(r.methodlen, 3);
	assert_memory_equal(r.method, "GET", 3);
	assert_int_equal(r.pathlen, strlen("/slow/300?x=1"));
	assert_memory_equal(r.path, "/slow/300?x=1", r.pathlen);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.keep, 1);
	assert_int_equal(r.length, strlen(s));
}

static void
test_keep_alive_rules(void **state)
{
	struct http_req r;
	int st;
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &r, &st), HTTP_DONE);
	assert_int_equal(r.keep, 0);
	assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
	    &r, &st), HTTP_DONE);
	assert_int_equal(r.keep, 1);
	assert_int_equal(parse("GET / HTTP/1.1\r\nconnection: foo, close\r\n\r\n",
	    &r, &st), HTTP_DONE);
	assert_int_equal(r.keep, 0);
	/* bare LF line ends are accepted too */
	assert_int_equal(parse("GET / HTTP/1.1\nHost: a\n\n", &r, &st),
	    HTTP_DONE);
}

/* Every cut of a request is HTTP_MORE, and the whole of it is DONE. */
static void
test_every_prefix_is_more(void **state)
{
	const char *s = "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
	size_t n = strlen(s);
	struct http_req r;
	for (size_t i = 0; i < n; i++) {
		int st = 0;
		int rc = http_parse(s, i, &r, &st);
		if (rc != HTTP_MORE)
			fail_msg("prefix of %zu bytes: %d (status %d)", i, rc, st);
	}
	int st;
	assert_int_equal(http_parse(s, n, &r, &st), HTTP_DONE);
	assert_int_equal(r.length, n);
}

static void
test_pipelined(void **state)
{
	const char *s = "GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n";
	struct http_req r;
	int st;
	assert_int_equal(http_parse(s, strlen(s), &r, &st), HTTP_DONE);
	assert_memory_equal(r.path, "/a", 2);
	size_t used = r.length;
	assert_int_equal(http_parse(s + used, strlen(s) - used, &r, &st),
	    HTTP_DONE);
	assert_memory_equal(r.method, "HEAD", 4);
	assert_memory_equal(r.path, "/b", 2);
	assert_int_equal(used + r.length, strlen(s));
}

static void
expect_bad(const char *s, int want)
{
	struct http_req r;
	int st = 0;
	int rc = http_parse(s, strlen(s), &r, &st);
	if (rc != HTTP_BAD || st != want)
		fail_msg("%s: rc %d, status %d, want %d", s, rc, st, want);
}

static void
test_bad_statuses(void **state)
{
	expect_bad("garbage\r\n\r\n", 400);
	expect_bad("get / HTTP/1.1\r\n\r\n", 400);
	expect_bad("\x01\x02", 400);		/* noticed before any newline */
	expect_bad("GET noslash HTTP/1.1\r\n\r\n", 400);
	expect_bad("GET / HTTP/1.1 \r\n\r\n", 400);
	expect_bad("GET / HTTP/2.0\r\n\r\n", 505);
	expect_bad("GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400);
	expect_bad("GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400);
	expect_bad("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400);
	expect_bad("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400);
	expect_bad("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400);
	expect_bad("GET / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413);
	expect_bad("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501);
}

static void
test_limits(void **state)
{
	static char big[HTTP_MAX_HEAD + 200];
	/* one header over the limit, never ended: 431 without the end */
	int n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX: ");
	memset(big + n, 'a', sizeof big - 1 - (size_t)n);
	big[sizeof big - 1] = '\0';
	expect_bad(big, 431);
	/* too many headers */
	char many[4096];
	n = snprintf(many, sizeof many, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		n += snprintf(many + n, sizeof many - (size_t)n, "X%d: y\r\n", i);
	snprintf(many + n, sizeof many - (size_t)n, "\r\n");
	expect_bad(many, 431);
	/* a request line under the limit and not ended yet: more */
	struct http_req r;
	int st;
	assert_int_equal(parse("GET /aaaaaaaaaaaaaaaaaaaaaaaaa", &r, &st),
	    HTTP_MORE);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_get_11),
		T(test_keep_alive_rules),
		T(test_every_prefix_is_more),
		T(test_pipelined),
		T(test_bad_statuses),
		T(test_limits),
	};
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
