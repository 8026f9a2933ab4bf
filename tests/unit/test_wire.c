/* test_wire.c — unit tests for the frames and the handshake (app/queue/wire.c), and
 * the interop tests against CPython.
 *
 *   test_wire                   the unit tests (no python needed)
 *   test_wire interop [GLOB]    the interop tests, against
 *                               tests/interop/wire_peer.py run by python3
 *                               (skipped when python3 is missing); GLOB picks
 *                               tests by name. tests/interop/wire.bats runs
 *                               them one by one.
 *
 * Every test is bounded in time: an alarm(2) per test, and every wait is a
 * poll with a deadline. Child processes are killed with their parent
 * (PR_SET_PDEATHSIG) and reaped by the test that started them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util.h"
#include "wire.h"
#include "unit.h"

#define KEY	"qiye"
#define KEYLEN	4

/* ------------------------------------------------- CRYPTO_memcmp, counted */

/* This definition stands in for libcrypto's in this program, so the tests see
 * every constant-time comparison wire.c makes, and pass it on to the real
 * one. */
static int	memcmp_calls;
static size_t	memcmp_last_len;

int
CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
	static int	(*real)(const void *, const void *, size_t);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "CRYPTO_memcmp");
	memcmp_calls++;
	memcmp_last_len = len;
	return real(a, b, len);
}

/* ------------------------------------------------------------ helpers */

static void
nonblock(int fd)
{
	int	fl = fcntl(fd, F_GETFL);

	assert_int_not_equal(fl, -1);
	assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

static void
make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	nonblock(sv[0]);
	nonblock(sv[1]);
}

/* The bytes of one frame as wire.c encodes it. */
static unsigned char *
encode(const void *payload, size_t len, size_t *outlen)
{
	struct wire_writer	 w;
	unsigned char		*out;

	wire_writer_init(&w);
	wire_writer_frame(&w, payload, len);
	*outlen = wire_writer_pending(&w);
	out = xmalloc(*outlen);
	memcpy(out, w.b.data + w.start, *outlen);
	wire_writer_free(&w);
	return out;
}

/* Take the first frame queued on a writer (a test peeks at its buffer). */
static size_t
first_frame(const struct wire_writer *w, unsigned char *buf, size_t cap)
{
	struct wire_reader	r;
	struct wire_frame	f;

	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_feed(&r, w->b.data + w->start,
	    wire_writer_pending(w)), WIRE_OK);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_OK);
	assert_true(f.len <= cap);
	memcpy(buf, f.data, f.len);
	wire_reader_free(&r);
	return f.len;
}

static void
drop_output(struct wire_writer *w)
{
	wire_writer_free(w);
	wire_writer_init(w);
}

/* A tiny deterministic generator, so a failure can be replayed. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static unsigned char
pattern(size_t frame, size_t i)
{
	return (unsigned char)(frame * 31 + i * 7 + (i >> 8));
}

/* ------------------------------------------------------------ headers */

static void
test_header_forms(void **state)
{
	unsigned char	h[WIRE_HEADER_MAX];
	static const unsigned char
	    h5[] = { 0, 0, 0, 5 },
	    hmax[] = { 0x7f, 0xff, 0xff, 0xff },
	    hbig[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x80, 0, 0, 0 },
	    h4g[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0 };

	assert_int_equal(wire_header(h, 5), 4);
	assert_memory_equal(h, h5, 4);
	assert_int_equal(wire_header(h, 0x7fffffff), 4);
	assert_memory_equal(h, hmax, 4);
	assert_int_equal(wire_header(h, 0x80000000u), 12);
	assert_memory_equal(h, hbig, 12);
	assert_int_equal(wire_header(h, 0x100000000ull), 12);
	assert_memory_equal(h, h4g, 12);
}

static void
test_writer_bytes_as_cpython(void **state)
{
	unsigned char	*b;
	size_t		 n;

	/* struct.pack("!i", 3) + b"abc" */
	b = encode("abc", 3, &n);
	assert_int_equal(n, 7);
	assert_memory_equal(b, "\0\0\0\3abc", 7);
	free(b);
	b = encode("", 0, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(b, "\0\0\0\0", 4);
	free(b);
}

/* ------------------------------------------------------------ reading */

static void
test_decode_both_forms(void **state)
{
	static const unsigned char stream[] =
	    "\0\0\0\5hello"
	    "\xff\xff\xff\xff\0\0\0\0\0\0\0\6" "world!"	/* -1, then 8 bytes */
	    "\0\0\0\0";					/* empty */
	struct wire_reader	r;
	struct wire_frame	f;

	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_AGAIN);
	assert_int_equal(wire_reader_feed(&r, stream, sizeof stream - 1),
	    WIRE_OK);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_OK);
	assert_int_equal(f.len, 5);
	assert_memory_equal(f.data, "hello", 5);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_OK);
	assert_int_equal(f.len, 6);
	assert_memory_equal(f.data, "world!", 6);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_OK);
	assert_int_equal(f.len, 0);
	assert_non_null(f.data);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_AGAIN);
	assert_int_equal(wire_reader_pending(&r), 0);
	assert_string_equal(wire_reader_error(&r), "");
	wire_reader_free(&r);
}

/* A stream of frames of many sizes (some bigger than the staging buffer),
 * fed in pieces of the given sizes; every frame must come out intact. */
static void
feed_in_pieces(size_t (*piece)(uint32_t *), uint32_t seed)
{
	static const size_t	 sizes[] = { 0, 1, 3, 4, 11, 256, 4095,
	    65535, 65536, 65537, 70000, 200000, 0, 5 };
	const size_t		 n = sizeof sizes / sizeof sizes[0];
	struct wire_writer	 w;
	struct wire_reader	 r;
	struct wire_frame	 f;
	unsigned char		*p;
	size_t			 i, j, off, len, got = 0;
	uint32_t		 s = seed;

	wire_writer_init(&w);
	for (i = 0; i < n; i++) {
		p = xmalloc(sizes[i] + 1);
		for (j = 0; j < sizes[i]; j++)
			p[j] = pattern(i, j);
		if (i % 3 == 2) {	/* some in the long form */
			unsigned char	h[12] = { 0xff, 0xff, 0xff, 0xff };
			for (j = 0; j < 8; j++)
				h[4 + j] = (unsigned char)
				    ((uint64_t)sizes[i] >> (8 * (7 - j)));
			wire_writer_raw(&w, h, 12);
			wire_writer_raw(&w, p, sizes[i]);
		} else
			wire_writer_frame(&w, p, sizes[i]);
		free(p);
	}
	wire_reader_init(&r, 0);
	for (off = 0; off < wire_writer_pending(&w); off += len) {
		len = piece(&s);
		if (len > wire_writer_pending(&w) - off)
			len = wire_writer_pending(&w) - off;
		assert_int_equal(wire_reader_feed(&r, w.b.data + off, len),
		    WIRE_OK);
		while (wire_reader_next(&r, &f) == WIRE_OK) {
			assert_true(got < n);
			assert_int_equal(f.len, sizes[got]);
			for (j = 0; j < f.len; j++)
				if (f.data[j] != pattern(got, j))
					fail_msg("frame %zu byte %zu", got, j);
			got++;
		}
		assert_string_equal(wire_reader_error(&r), "");
		/* never more than what came plus the staging buffer, twice */
		assert_true(wire_reader_memory(&r) <=
		    2 * (off + len) + 2 * 65536);
	}
	assert_int_equal(got, n);
	assert_int_equal(wire_reader_pending(&r), 0);
	wire_reader_free(&r);
	wire_writer_free(&w);
}

static size_t one_byte(uint32_t *s) { return 1; }
static size_t random_piece(uint32_t *s) { return 1 + rnd(s) % 9000; }
static size_t everything(uint32_t *s) { return SIZE_MAX; }

static void
test_feed_byte_by_byte(void **state)
{
	feed_in_pieces(one_byte, 1);
}

static void
test_feed_random_pieces(void **state)
{
	uint32_t	seed;

	for (seed = 1; seed <= 20; seed++)
		feed_in_pieces(random_piece, seed);
	feed_in_pieces(everything, 1);
}

static void
test_limit_is_inclusive(void **state)
{
	struct wire_reader	 r;
	struct wire_frame	 f;
	unsigned char		*b;
	size_t			 n;
	char			 payload[1001] = { 0 };

	wire_reader_init(&r, 1000);
	b = encode(payload, 1000, &n);
	wire_reader_feed(&r, b, n);
	free(b);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_OK);
	assert_int_equal(f.len, 1000);
	/* 1001: refused from the 4 header bytes alone */
	b = encode(payload, 1001, &n);
	wire_reader_feed(&r, b, 4);
	free(b);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_ERR);
	assert_string_equal(wire_reader_error(&r),
	    "a frame of 1001 bytes is over the limit of 1000 bytes");
	/* dead for good */
	assert_int_equal(wire_reader_feed(&r, "x", 1), WIRE_ERR);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_ERR);
	wire_reader_free(&r);
}

static void
test_4gib_refused_at_once(void **state)
{
	static const unsigned char h4g[] =
	    { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0 };
	struct wire_reader	r;
	struct wire_frame	f;
	size_t			i;

	wire_reader_init(&r, 0);	/* 16 MiB */
	for (i = 0; i < sizeof h4g - 1; i++) {
		wire_reader_feed(&r, h4g + i, 1);
		assert_int_equal(wire_reader_next(&r, &f), WIRE_AGAIN);
	}
	wire_reader_feed(&r, h4g + i, 1);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_ERR);
	assert_string_equal(wire_reader_error(&r), "a frame of 4294967296 "
	    "bytes is over the limit of 16777216 bytes");
	assert_true(wire_reader_memory(&r) <= 65536);
	wire_reader_free(&r);

	/* 0x7fffffff in the short form: 2 GiB, refused too */
	wire_reader_init(&r, 0);
	wire_reader_feed(&r, "\x7f\xff\xff\xff", 4);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_ERR);
	wire_reader_free(&r);
}

static void
test_4gib_refused_from_a_socket(void **state)
{
	static const unsigned char h4g[] =
	    { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0 };
	struct wire_reader	r;
	struct wire_frame	f;
	int			sv[2];

	make_pair(sv);
	/* the header, then 100 bytes of a payload that never ends */
	assert_int_equal(write(sv[1], h4g, sizeof h4g), (ssize_t)sizeof h4g);
	assert_int_equal(write(sv[1], h4g, 12), 12);
	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_OK);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_ERR);
	assert_non_null(strstr(wire_reader_error(&r), "4294967296"));
	assert_true(wire_reader_memory(&r) <= 65536);
	wire_reader_free(&r);
	close(sv[0]);
	close(sv[1]);
}

static void
test_big_announced_memory_follows_bytes(void **state)
{
	static const unsigned char h3g[] =
	    { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xc0, 0, 0, 0 };
	struct wire_reader	r;
	struct wire_frame	f;
	char			junk[100] = { 0 };

	/* a limit that lets 3 GiB through: memory still follows what came */
	wire_reader_init(&r, SIZE_MAX);
	wire_reader_feed(&r, h3g, sizeof h3g);
	wire_reader_feed(&r, junk, sizeof junk);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_AGAIN);
	assert_true(wire_reader_memory(&r) < 65536 + 4096);
	assert_int_equal(wire_reader_pending(&r), 112);
	wire_reader_free(&r);
}

static void
test_negative_lengths_refused(void **state)
{
	static const char *const heads[] = {
	    "\xff\xff\xff\xfe", "\x80\0\0\0", "\xff\xff\xff\0" };
	struct wire_reader	r;
	struct wire_frame	f;
	size_t			i;

	for (i = 0; i < 3; i++) {
		wire_reader_init(&r, 0);
		wire_reader_feed(&r, heads[i], 4);
		assert_int_equal(wire_reader_next(&r, &f), WIRE_ERR);
		assert_non_null(strstr(wire_reader_error(&r),
		    "bad frame length -"));
		wire_reader_free(&r);
	}
}

static void
test_garbage_never_crashes(void **state)
{
	struct wire_reader	r;
	struct wire_frame	f;
	unsigned char		buf[4096];
	uint32_t		s;
	size_t			i, fed;
	int			rc, frames = 0, errors = 0;

	for (s = 1; s < 400; s++) {
		uint32_t	t = s * 2654435761u;

		wire_reader_init(&r, 1 + rnd(&t) % (1 << 20));
		fed = 0;
		for (i = 0; i < 8; i++) {
			size_t	j, n = rnd(&t) % sizeof buf;

			for (j = 0; j < n; j++)
				buf[j] = (unsigned char)rnd(&t);
			/* small lengths now and then, so frames do pass */
			if (n >= 4 && rnd(&t) % 2)
				buf[0] = buf[1] = 0;
			if (wire_reader_feed(&r, buf, n) != WIRE_OK)
				break;
			fed += n;
			while ((rc = wire_reader_next(&r, &f)) == WIRE_OK)
				frames++;
			if (rc == WIRE_ERR) {
				errors++;
				break;
			}
			assert_true(wire_reader_memory(&r) <=
			    2 * fed + 2 * 65536);
		}
		wire_reader_free(&r);
	}
	assert_true(frames > 0);
	assert_true(errors > 0);
}

static void
test_truncated_frame_and_eof(void **state)
{
	struct wire_reader	r;
	struct wire_frame	f;
	unsigned char		*b;
	size_t			 n;
	int			 sv[2];

	make_pair(sv);
	b = encode("0123456789abcdef", 16, &n);
	assert_int_equal(write(sv[1], b, n), (ssize_t)n);	/* one whole */
	assert_int_equal(write(sv[1], b, 10), 10);		/* a part */
	free(b);
	close(sv[1]);
	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_OK);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_OK);
	assert_int_equal(f.len, 16);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_AGAIN);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_EOF);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_AGAIN);
	assert_int_equal(wire_reader_pending(&r), 10);	/* truncated */
	wire_reader_free(&r);
	close(sv[0]);

	/* a header and nothing else is a truncated frame too */
	make_pair(sv);
	assert_int_equal(write(sv[1], "\0\0\0\7", 4), 4);
	close(sv[1]);
	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_OK);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_AGAIN);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_EOF);
	assert_int_equal(wire_reader_pending(&r), 4);
	wire_reader_free(&r);
	close(sv[0]);

	/* nothing pending at EOF: a clean close */
	make_pair(sv);
	close(sv[1]);
	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_EOF);
	assert_int_equal(wire_reader_pending(&r), 0);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_EOF);
	wire_reader_free(&r);
	close(sv[0]);
}

static void
test_read_would_block(void **state)
{
	struct wire_reader	r;
	int			sv[2];

	make_pair(sv);
	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_AGAIN);
	assert_string_equal(wire_reader_error(&r), "");
	wire_reader_free(&r);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------ writing */

/* Big and small frames through a socketpair, writer and reader in one loop
 * (the writer meets a full socket buffer and must wait). */
static void
test_writer_and_reader_over_socket(void **state)
{
	static const size_t	 sizes[] = { 1 << 20, 3, 0, 70000, 5 << 20 };
	const size_t		 n = sizeof sizes / sizeof sizes[0];
	struct wire_writer	 w;
	struct wire_reader	 r;
	struct wire_frame	 f;
	struct pollfd		 pfd[2];
	unsigned char		*p;
	size_t			 i, j, got = 0;
	long long		 deadline = now_ms() + 10000;
	int			 sv[2], again = 0, rc;

	make_pair(sv);
	wire_writer_init(&w);
	wire_reader_init(&r, 0);
	for (i = 0; i < n; i++) {
		p = xmalloc(sizes[i] + 1);
		for (j = 0; j < sizes[i]; j++)
			p[j] = pattern(i, j);
		wire_writer_frame(&w, p, sizes[i]);
		free(p);
	}
	while (got < n) {
		assert_true(now_ms() < deadline);
		if (wire_writer_pending(&w) > 0) {
			rc = wire_writer_flush(&w, sv[1]);
			assert_int_not_equal(rc, WIRE_ERR);
			if (rc == WIRE_AGAIN)
				again = 1;
		}
		pfd[0].fd = sv[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = sv[1];
		pfd[1].events = wire_writer_pending(&w) ? POLLOUT : 0;
		assert_true(poll(pfd, 2, 1000) > 0);
		if (pfd[0].revents & POLLIN) {
			assert_int_equal(wire_reader_read(&r, sv[0]), WIRE_OK);
			while (wire_reader_next(&r, &f) == WIRE_OK) {
				assert_int_equal(f.len, sizes[got]);
				for (j = 0; j < f.len; j++)
					if (f.data[j] != pattern(got, j))
						fail_msg("frame %zu byte %zu",
						    got, j);
				got++;
			}
		}
	}
	assert_true(again);	/* the socket did fill up */
	assert_int_equal(wire_writer_pending(&w), 0);
	wire_writer_free(&w);
	wire_reader_free(&r);
	close(sv[0]);
	close(sv[1]);
}

static void
test_writer_gone_peer_no_sigpipe(void **state)
{
	struct wire_writer	w;
	int			sv[2];

	make_pair(sv);
	close(sv[0]);
	wire_writer_init(&w);
	wire_writer_frame(&w, "x", 1);
	/* SIGPIPE would kill this test; MSG_NOSIGNAL turns it into EPIPE */
	assert_int_equal(wire_writer_flush(&w, sv[1]), WIRE_ERR);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(wire_writer_pending(&w), 5);
	wire_writer_free(&w);
	close(sv[1]);
}

static void
test_writer_on_a_pipe(void **state)
{
	struct wire_writer	w;
	struct wire_reader	r;
	struct wire_frame	f;
	int			p[2];

	assert_int_equal(pipe(p), 0);
	wire_writer_init(&w);
	wire_writer_frame(&w, "through a pipe", 14);
	assert_int_equal(wire_writer_flush(&w, p[1]), WIRE_OK);
	wire_reader_init(&r, 0);
	assert_int_equal(wire_reader_read(&r, p[0]), WIRE_OK);
	assert_int_equal(wire_reader_next(&r, &f), WIRE_OK);
	assert_int_equal(f.len, 14);
	assert_memory_equal(f.data, "through a pipe", 14);
	wire_reader_free(&r);
	wire_writer_free(&w);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------- handshake, event loop */

/* One end of a connection as an event loop holds it. */
struct side {
	int			fd;
	struct wire_reader	rd;
	struct wire_writer	wr;
	struct wire_auth	auth;
	enum wire_auth_status	st;
	char			after[64];	/* the first frame after */
	size_t			afterlen;
	int			nafter;
};

static void
side_init(struct side *s, int fd, enum wire_role role, const char *key,
    enum wire_digest form)
{
	memset(s, 0, sizeof *s);
	s->fd = fd;
	wire_reader_init(&s->rd, WIRE_HANDSHAKE_MAX);
	wire_writer_init(&s->wr);
	wire_auth_init(&s->auth, role, key, strlen(key), form);
	s->st = wire_auth_start(&s->auth, &s->wr);
}

static void
side_free(struct side *s)
{
	wire_reader_free(&s->rd);
	wire_writer_free(&s->wr);
	wire_auth_clear(&s->auth);
}

/* What a manager does when its fd is ready: read, hand each frame to the
 * handshake until it is over, then to the protocol; flush the replies. */
static void
side_pump(struct side *s)
{
	struct wire_frame	f;
	int			rc;

	rc = wire_reader_read(&s->rd, s->fd);
	assert_true(rc == WIRE_OK || rc == WIRE_AGAIN || rc == WIRE_EOF);
	while (wire_reader_next(&s->rd, &f) == WIRE_OK) {
		if (s->st == WIRE_AUTH_MORE) {
			s->st = wire_auth_feed(&s->auth, f.data, f.len, &s->wr);
			if (s->st == WIRE_AUTH_DONE)
				wire_reader_set_max(&s->rd, 0);
			continue;
		}
		if (s->nafter++ == 0 && f.len <= sizeof s->after) {
			memcpy(s->after, f.data, f.len);
			s->afterlen = f.len;
		}
	}
	rc = wire_writer_flush(&s->wr, s->fd);
	assert_true(rc == WIRE_OK || rc == WIRE_AGAIN || errno == EPIPE);
}

/* Run both ends until neither handshake waits, and nothing is in flight. */
static void
run_pair(struct side *a, struct side *b)
{
	long long	deadline = now_ms() + 5000;
	struct pollfd	pfd[2];

	side_pump(a);
	side_pump(b);
	while (a->st == WIRE_AUTH_MORE || b->st == WIRE_AUTH_MORE ||
	    wire_writer_pending(&a->wr) || wire_writer_pending(&b->wr)) {
		assert_true(now_ms() < deadline);
		pfd[0].fd = a->fd;
		pfd[1].fd = b->fd;
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, 100) < 0)
			assert_int_equal(errno, EINTR);
		side_pump(a);
		side_pump(b);
		if (a->st == WIRE_AUTH_FAILED || b->st == WIRE_AUTH_FAILED) {
			/* let the #FAILURE# arrive, then stop */
			poll(pfd, 2, 50);
			side_pump(a);
			side_pump(b);
			if (a->st != WIRE_AUTH_MORE && b->st != WIRE_AUTH_MORE)
				break;
		}
	}
}

static const char *
form_name(enum wire_digest d)
{
	return d == WIRE_DIGEST_MD5 ? "md5" : "sha256";
}

static void
test_handshake_both_forms(void **state)
{
	static const enum wire_digest forms[] =
	    { WIRE_DIGEST_MD5, WIRE_DIGEST_SHA256 };
	struct side	srv, cli;
	int		sv[2], i, j;

	for (i = 0; i < 2; i++)
	for (j = 0; j < 2; j++) {
		make_pair(sv);
		side_init(&srv, sv[0], WIRE_SERVER, KEY, forms[i]);
		side_init(&cli, sv[1], WIRE_CLIENT, KEY, forms[j]);
		assert_int_equal(srv.st, WIRE_AUTH_MORE);
		assert_int_equal(wire_writer_pending(&srv.wr),
		    4 + 11 + (forms[i] == WIRE_DIGEST_MD5 ? 20 : 48));
		assert_int_equal(wire_writer_pending(&cli.wr), 0);
		run_pair(&srv, &cli);
		assert_int_equal(srv.st, WIRE_AUTH_DONE);
		assert_int_equal(cli.st, WIRE_AUTH_DONE);
		/* then a request, over the raised limit */
		wire_writer_frame(&cli.wr, "request", 7);
		run_pair(&srv, &cli);
		{
			long long	deadline = now_ms() + 2000;

			while (srv.nafter == 0 && now_ms() < deadline) {
				poll(NULL, 0, 10);
				side_pump(&srv);
			}
		}
		assert_int_equal(srv.nafter, 1);
		assert_int_equal(srv.afterlen, 7);
		assert_memory_equal(srv.after, "request", 7);
		/* who used what */
		assert_string_equal(srv.auth.verified, form_name(forms[i]));
		assert_string_equal(cli.auth.answered, form_name(forms[i]));
		assert_string_equal(cli.auth.verified, form_name(forms[j]));
		assert_string_equal(srv.auth.answered, form_name(forms[j]));
		assert_string_equal(wire_auth_error(&srv.auth), "");
		side_free(&srv);
		side_free(&cli);
		close(sv[0]);
		close(sv[1]);
	}
}

/* The pipelined case for real: the client's #WELCOME# and its first
 * request leave in one send, so the server reads both at once. */
static void
test_handshake_request_in_same_read(void **state)
{
	struct side		srv, cli;
	struct wire_frame	f;
	int			sv[2], steps = 0;

	make_pair(sv);
	side_init(&srv, sv[0], WIRE_SERVER, KEY, WIRE_DIGEST_SHA256);
	side_init(&cli, sv[1], WIRE_CLIENT, KEY, WIRE_DIGEST_SHA256);
	/* drive it by hand, frame by frame, through in-memory buffers */
	while (cli.st == WIRE_AUTH_MORE && steps++ < 10) {
		wire_reader_feed(&cli.rd, srv.wr.b.data + srv.wr.start,
		    wire_writer_pending(&srv.wr));
		drop_output(&srv.wr);
		while (wire_reader_next(&cli.rd, &f) == WIRE_OK)
			cli.st = wire_auth_feed(&cli.auth, f.data, f.len,
			    &cli.wr);
		if (cli.st == WIRE_AUTH_DONE)
			wire_writer_frame(&cli.wr, "first request", 13);
		wire_reader_feed(&srv.rd, cli.wr.b.data + cli.wr.start,
		    wire_writer_pending(&cli.wr));
		drop_output(&cli.wr);
		while (wire_reader_next(&srv.rd, &f) == WIRE_OK) {
			if (srv.st != WIRE_AUTH_MORE) {
				assert_int_equal(f.len, 13);
				assert_memory_equal(f.data, "first request",
				    13);
				srv.nafter++;
				continue;
			}
			srv.st = wire_auth_feed(&srv.auth, f.data, f.len,
			    &srv.wr);
			if (srv.st == WIRE_AUTH_DONE)
				wire_reader_set_max(&srv.rd, 0);
		}
	}
	assert_int_equal(srv.st, WIRE_AUTH_DONE);
	assert_int_equal(cli.st, WIRE_AUTH_DONE);
	assert_int_equal(srv.nafter, 1);
	side_free(&srv);
	side_free(&cli);
	close(sv[0]);
	close(sv[1]);
}

static void
test_handshake_wrong_key(void **state)
{
	static const enum wire_digest forms[] =
	    { WIRE_DIGEST_MD5, WIRE_DIGEST_SHA256 };
	struct side	srv, cli;
	int		sv[2], i;

	for (i = 0; i < 2; i++) {
		make_pair(sv);
		side_init(&srv, sv[0], WIRE_SERVER, KEY, forms[i]);
		side_init(&cli, sv[1], WIRE_CLIENT, "not the key", forms[i]);
		run_pair(&srv, &cli);
		assert_int_equal(srv.st, WIRE_AUTH_FAILED);
		assert_int_equal(cli.st, WIRE_AUTH_FAILED);
		assert_string_equal(wire_auth_error(&srv.auth),
		    "digest received was wrong (wrong authkey?)");
		/* the client saw #FAILURE# */
		assert_string_equal(wire_auth_error(&cli.auth),
		    "digest sent was rejected (wrong authkey?)");
		assert_null(srv.auth.verified);
		side_free(&srv);
		side_free(&cli);
		close(sv[0]);
		close(sv[1]);
	}
}

static void
hmac_of(const EVP_MD *md, const void *msg, size_t n, unsigned char *out,
    unsigned int *outlen)
{
	assert_non_null(HMAC(md, KEY, KEYLEN, msg, n, out, outlen));
}

/* The exact bytes of both forms, computed here with libcrypto directly. */
static void
test_handshake_exact_bytes(void **state)
{
	struct wire_auth	srv, cli;
	struct wire_writer	so, co;
	unsigned char		ch[256], ans[256], want[64];
	unsigned int		wantlen;
	size_t			chlen, anslen;

	/* modern: the answer is {sha256} + HMAC-SHA256 over the message
	 * after #CHALLENGE#, its {sha256} included */
	wire_writer_init(&so);
	wire_writer_init(&co);
	wire_auth_init(&srv, WIRE_SERVER, KEY, KEYLEN, WIRE_DIGEST_SHA256);
	wire_auth_init(&cli, WIRE_CLIENT, KEY, KEYLEN, WIRE_DIGEST_SHA256);
	wire_auth_start(&srv, &so);
	chlen = first_frame(&so, ch, sizeof ch);
	assert_int_equal(chlen, 11 + 8 + 40);
	assert_memory_equal(ch, "#CHALLENGE#{sha256}", 19);
	assert_int_equal(wire_auth_feed(&cli, ch, chlen, &co), WIRE_AUTH_MORE);
	anslen = first_frame(&co, ans, sizeof ans);
	hmac_of(EVP_sha256(), ch + 11, chlen - 11, want, &wantlen);
	assert_int_equal(anslen, 8 + 32);
	assert_memory_equal(ans, "{sha256}", 8);
	assert_memory_equal(ans + 8, want, 32);
	drop_output(&so);
	memcmp_calls = 0;
	assert_int_equal(wire_auth_feed(&srv, ans, anslen, &so),
	    WIRE_AUTH_MORE);
	assert_int_equal(memcmp_calls, 1);	/* constant time */
	assert_int_equal(memcmp_last_len, 32);
	assert_int_equal(first_frame(&so, ch, sizeof ch), 9);
	assert_memory_equal(ch, "#WELCOME#", 9);
	wire_writer_free(&so);
	wire_writer_free(&co);

	/* legacy: 20 bytes, answered with the raw HMAC-MD5 of them */
	wire_writer_init(&so);
	wire_writer_init(&co);
	wire_auth_init(&srv, WIRE_SERVER, KEY, KEYLEN, WIRE_DIGEST_MD5);
	wire_auth_init(&cli, WIRE_CLIENT, KEY, KEYLEN, WIRE_DIGEST_MD5);
	wire_auth_start(&srv, &so);
	chlen = first_frame(&so, ch, sizeof ch);
	assert_int_equal(chlen, 11 + 20);
	assert_memory_equal(ch, "#CHALLENGE#", 11);
	wire_auth_feed(&cli, ch, chlen, &co);
	anslen = first_frame(&co, ans, sizeof ans);
	hmac_of(EVP_md5(), ch + 11, 20, want, &wantlen);
	assert_int_equal(anslen, 16);
	assert_memory_equal(ans, want, 16);
	memcmp_calls = 0;
	drop_output(&so);
	assert_int_equal(wire_auth_feed(&srv, ans, anslen, &so),
	    WIRE_AUTH_MORE);
	assert_int_equal(memcmp_calls, 1);
	assert_int_equal(memcmp_last_len, 16);
	wire_writer_free(&so);
	wire_writer_free(&co);
}

/* A client that challenges and gets answers good and bad: it is the one that
 * sends #FAILURE# this time. Also: a 3.11 peer answers a {sha256} challenge
 * with a raw MD5 of all of it, and that is accepted (as CPython 3.12 does). */
static void
test_client_verifies_server(void **state)
{
	struct wire_auth	srv, cli;
	struct wire_writer	so, co;
	unsigned char		ch[256], reply[128];
	unsigned int		wantlen;
	size_t			chlen;
	int			k;

	for (k = 0; k < 6; k++) {
		wire_writer_init(&so);
		wire_writer_init(&co);
		wire_auth_init(&srv, WIRE_SERVER, KEY, KEYLEN,
		    WIRE_DIGEST_MD5);
		wire_auth_init(&cli, WIRE_CLIENT, KEY, KEYLEN,
		    WIRE_DIGEST_SHA256);
		wire_auth_start(&srv, &so);
		chlen = first_frame(&so, ch, sizeof ch);
		wire_auth_feed(&cli, ch, chlen, &co);
		chlen = first_frame(&co, ch, sizeof ch);
		drop_output(&co);
		assert_int_equal(wire_auth_feed(&srv, ch, chlen, &so),
		    WIRE_AUTH_MORE);
		/* the server said welcome; the client challenges */
		assert_int_equal(wire_auth_feed(&cli, "#WELCOME#", 9, &co),
		    WIRE_AUTH_MORE);
		chlen = first_frame(&co, ch, sizeof ch);
		drop_output(&co);
		assert_int_equal(chlen, 59);
		memcmp_calls = 0;
		switch (k) {
		case 0:	/* right, in the modern form */
			memcpy(reply, "{sha256}", 8);
			hmac_of(EVP_sha256(), ch + 11, 48, reply + 8, &wantlen);
			assert_int_equal(wire_auth_feed(&cli, reply, 40, &co),
			    WIRE_AUTH_DONE);
			assert_string_equal(cli.verified, "sha256");
			assert_int_equal(memcmp_calls, 1);
			break;
		case 1:	/* right, as 3.11 answers: raw MD5 over it all */
			hmac_of(EVP_md5(), ch + 11, 48, reply, &wantlen);
			assert_int_equal(wire_auth_feed(&cli, reply, 16, &co),
			    WIRE_AUTH_DONE);
			assert_string_equal(cli.verified, "md5");
			break;
		case 2:	/* right, but sha384 (allowed, as in 3.12) */
			memcpy(reply, "{sha384}", 8);
			hmac_of(EVP_sha384(), ch + 11, 48, reply + 8, &wantlen);
			assert_int_equal(wire_auth_feed(&cli, reply, 56, &co),
			    WIRE_AUTH_DONE);
			assert_string_equal(cli.verified, "sha384");
			break;
		case 3:	/* wrong digest of the right length */
			memcpy(reply, "{sha256}", 8);
			hmac_of(EVP_sha256(), ch + 11, 47, reply + 8, &wantlen);
			assert_int_equal(wire_auth_feed(&cli, reply, 40, &co),
			    WIRE_AUTH_FAILED);
			assert_string_equal(wire_auth_error(&cli),
			    "digest received was wrong (wrong authkey?)");
			assert_int_equal(memcmp_calls, 1);
			break;
		case 4:	/* the wrong length */
			memset(reply, 0, sizeof reply);
			memcpy(reply, "{sha256}", 8);
			assert_int_equal(wire_auth_feed(&cli, reply, 30, &co),
			    WIRE_AUTH_FAILED);
			assert_string_equal(wire_auth_error(&cli),
			    "expected 'sha256' of length 32, got 22: wrong "
			    "authkey?");
			break;
		case 5:	/* a digest not allowed */
			memset(reply, 0, sizeof reply);
			memcpy(reply, "{sha512}", 8);
			assert_int_equal(wire_auth_feed(&cli, reply, 72, &co),
			    WIRE_AUTH_FAILED);
			assert_non_null(strstr(wire_auth_error(&cli),
			    "not allowed"));
			break;
		}
		if (k >= 3) {
			assert_int_equal(first_frame(&co, reply, sizeof reply),
			    9);
			assert_memory_equal(reply, "#FAILURE#", 9);
		} else {
			assert_int_equal(first_frame(&co, reply, sizeof reply),
			    9);
			assert_memory_equal(reply, "#WELCOME#", 9);
		}
		/* over: the status stays */
		assert_int_equal(wire_auth_feed(&cli, "x", 1, &co),
		    k >= 3 ? WIRE_AUTH_FAILED : WIRE_AUTH_DONE);
		wire_writer_free(&so);
		wire_writer_free(&co);
	}
}

static void
test_bad_challenges(void **state)
{
	static const struct {
		const char	*frame;
		size_t		 len;
		const char	*why;
	} cases[] = {
		{ "#HELLO#0123456789012345678901234", 32,
		  "protocol error: expected #CHALLENGE#" },
		{ "#CHALLENGE#0123456789", 21, "challenge too short: 10" },
		{ "#CHALLENGE#0123456789012345678901234567890123456789", 51,
		  "unsupported challenge" },
		{ "#CHALLENGE#{sha512}0123456789012345678901234", 44,
		  "unsupported challenge" },
		{ "#CHALLENGE#{}012345678901234567890", 34,
		  "unsupported challenge" },
	};
	struct wire_auth	a;
	struct wire_writer	out;
	unsigned char		big[300];
	size_t			i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		wire_writer_init(&out);
		wire_auth_init(&a, WIRE_CLIENT, KEY, KEYLEN,
		    WIRE_DIGEST_SHA256);
		assert_int_equal(wire_auth_feed(&a, cases[i].frame,
		    cases[i].len, &out), WIRE_AUTH_FAILED);
		if (strstr(wire_auth_error(&a), cases[i].why) == NULL)
			fail_msg("case %zu: %s", i, wire_auth_error(&a));
		/* an answerer sends nothing back, as CPython */
		assert_int_equal(wire_writer_pending(&out), 0);
		wire_writer_free(&out);
	}
	/* over 256 bytes: refused */
	memset(big, 'a', sizeof big);
	memcpy(big, "#CHALLENGE#", 11);
	wire_writer_init(&out);
	wire_auth_init(&a, WIRE_CLIENT, KEY, KEYLEN, WIRE_DIGEST_SHA256);
	assert_int_equal(wire_auth_feed(&a, big, 257, &out), WIRE_AUTH_FAILED);
	assert_non_null(strstr(wire_auth_error(&a), "257 bytes"));
	wire_writer_free(&out);
	/* a server that was not started */
	wire_writer_init(&out);
	wire_auth_init(&a, WIRE_SERVER, KEY, KEYLEN, WIRE_DIGEST_SHA256);
	assert_int_equal(wire_auth_feed(&a, "x", 1, &out), WIRE_AUTH_FAILED);
	wire_writer_free(&out);
}

static void
test_handshake_garbage(void **state)
{
	struct wire_auth	a;
	struct wire_writer	out;
	unsigned char		buf[300];
	uint32_t		s = 7;
	size_t			n, j;
	int			i;

	for (i = 0; i < 2000; i++) {
		wire_writer_init(&out);
		wire_auth_init(&a, i % 2 ? WIRE_CLIENT : WIRE_SERVER, KEY,
		    KEYLEN, i % 4 < 2 ? WIRE_DIGEST_MD5 : WIRE_DIGEST_SHA256);
		wire_auth_start(&a, &out);
		n = rnd(&s) % sizeof buf;
		for (j = 0; j < n; j++)
			buf[j] = (unsigned char)rnd(&s);
		if (i % 8 == 1 && n > 11)	/* a challenge-looking one */
			memcpy(buf, "#CHALLENGE#", 11);
		if (i % 8 == 3 && n > 11)
			memcpy(buf, "#CHALLENGE#{sha256}", n > 19 ? 19 : 11);
		if (wire_auth_feed(&a, buf, n, &out) == WIRE_AUTH_MORE) {
			/* only a client, answering a challenge */
			assert_true(i % 2 == 1);
			assert_int_equal(memcmp(buf, "#CHALLENGE#", 11), 0);
			assert_int_equal(wire_auth_feed(&a, buf, n, &out),
			    WIRE_AUTH_FAILED);
		}
		assert_string_not_equal(wire_auth_error(&a), "");
		wire_auth_clear(&a);
		wire_writer_free(&out);
	}
}

/* -------------------------------------------- handshake, blocking helpers */

/* Run fn in a child over fd: it exits 0 on success. */
static pid_t
in_child(int (*fn)(int fd, const void *arg), int fd, const void *arg)
{
	pid_t	pid = fork();

	assert_int_not_equal(pid, -1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(10);
		_exit(fn(fd, arg));
	}
	return pid;
}

static int
child_status(pid_t pid)
{
	long long	deadline = now_ms() + 10000;
	int		status;
	pid_t		got;

	while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("child %ld did not end", (long)pid);
		}
		poll(NULL, 0, 10);
	}
	assert_int_equal(got, pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct blocking_case {
	const char		*key;
	enum wire_digest	 form;
};

/* The worker's side: Client(), then a request and its reply. */
static int
blocking_client(int fd, const void *arg)
{
	const struct blocking_case	*bc = arg;
	struct wire_conn		 c;
	struct wire_frame		 f;
	char				*cause = NULL;
	int				 rc = 1;

	wire_conn_init(&c, fd, 0);
	if (wire_conn_client_auth(&c, bc->key, strlen(bc->key), bc->form,
	    5000, &cause) != WIRE_OK) {
		rc = strstr(cause, "digest sent was rejected") ? 3 : 1;
		if (rc != 3)
			fprintf(stderr, "client: %s\n", cause);
		goto out;
	}
	if (wire_conn_send(&c, "ping", 4, 5000, &cause) != WIRE_OK ||
	    wire_conn_recv(&c, &f, 5000, &cause) != WIRE_OK)
		goto out;
	if (f.len == 4 && memcmp(f.data, "pong", 4) == 0)
		rc = 0;
out:
	free(cause);
	wire_conn_free(&c);
	return rc;
}

static void
test_blocking_helpers(void **state)
{
	static const struct blocking_case cases[] = {
		{ KEY, WIRE_DIGEST_MD5 }, { KEY, WIRE_DIGEST_SHA256 },
		{ "wrong", WIRE_DIGEST_SHA256 },
	};
	struct wire_conn	 c;
	struct wire_frame	 f;
	char			*cause;
	pid_t			 pid;
	size_t			 i;
	int			 sv[2], rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* blocking sockets: the helpers poll all the same */
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		pid = in_child(blocking_client, sv[1], &cases[i]);
		close(sv[1]);
		wire_conn_init(&c, sv[0], 0);
		cause = NULL;
		rc = wire_conn_server_auth(&c, KEY, KEYLEN, cases[i].form,
		    5000, &cause);
		if (strcmp(cases[i].key, KEY) != 0) {
			assert_int_equal(rc, WIRE_ERR);
			assert_string_equal(cause,
			    "digest received was wrong (wrong authkey?)");
			free(cause);
			assert_int_equal(child_status(pid), 3);
		} else {
			assert_int_equal(rc, WIRE_OK);
			assert_null(cause);
			assert_string_equal(c.verified,
			    form_name(cases[i].form));
			assert_int_equal(c.rd.max, WIRE_MAX_FRAME_DEFAULT);
			assert_int_equal(wire_conn_recv(&c, &f, 5000, NULL),
			    WIRE_OK);
			assert_int_equal(f.len, 4);
			assert_memory_equal(f.data, "ping", 4);
			assert_int_equal(wire_conn_send(&c, "pong", 4, 5000,
			    NULL), WIRE_OK);
			assert_int_equal(child_status(pid), 0);
			assert_int_equal(wire_conn_recv(&c, &f, 5000, NULL),
			    WIRE_EOF);
		}
		wire_conn_free(&c);
		close(sv[0]);
	}
}

static void
test_blocking_timeouts(void **state)
{
	struct wire_conn	 c;
	struct wire_frame	 f;
	unsigned char		*b;
	char			*cause = NULL;
	long long		 t0;
	size_t			 n;
	int			 sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	wire_conn_init(&c, sv[0], 0);
	t0 = now_ms();
	assert_int_equal(wire_conn_recv(&c, &f, 100, &cause), WIRE_TIMEOUT);
	assert_true(now_ms() - t0 >= 90 && now_ms() - t0 < 2000);
	assert_null(cause);
	/* half a frame, a timeout, the rest: nothing lost */
	b = encode("patience", 8, &n);
	assert_int_equal(write(sv[1], b, 6), 6);
	assert_int_equal(wire_conn_recv(&c, &f, 50, &cause), WIRE_TIMEOUT);
	assert_int_equal(write(sv[1], b + 6, n - 6), (ssize_t)(n - 6));
	free(b);
	assert_int_equal(wire_conn_recv(&c, &f, 1000, &cause), WIRE_OK);
	assert_int_equal(f.len, 8);
	assert_memory_equal(f.data, "patience", 8);
	/* a handshake with a silent server */
	assert_int_equal(wire_conn_client_auth(&c, KEY, KEYLEN,
	    WIRE_DIGEST_SHA256, 150, &cause), WIRE_ERR);
	assert_string_equal(cause, "the handshake took longer than 150 ms");
	free(cause);
	cause = NULL;
	/* a peer that closes in the middle of a frame */
	assert_int_equal(write(sv[1], "\0\0\0\x10" "abc", 7), 7);
	close(sv[1]);
	assert_int_equal(wire_conn_recv(&c, &f, 1000, &cause), WIRE_ERR);
	assert_string_equal(cause, "the peer closed the connection in the "
	    "middle of a frame (7 bytes of it came)");
	free(cause);
	wire_conn_free(&c);
	close(sv[0]);
}

static void
test_blocking_handshake_limit(void **state)
{
	struct wire_conn	 c;
	char			*cause = NULL;
	int			 sv[2];

	/* a "challenge" announced at 4 GiB: refused from its header */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], "\xff\xff\xff\xff\0\0\0\1\0\0\0\0", 12),
	    12);
	wire_conn_init(&c, sv[0], 0);
	assert_int_equal(wire_conn_client_auth(&c, KEY, KEYLEN,
	    WIRE_DIGEST_SHA256, 1000, &cause), WIRE_ERR);
	assert_string_equal(cause, "a frame of 4294967296 bytes is over the "
	    "limit of 256 bytes");
	free(cause);
	assert_int_equal(c.rd.max, WIRE_MAX_FRAME_DEFAULT);
	wire_conn_free(&c);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------ interop */

static int
have_python(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

/* tests/interop/wire_peer.py: $SYSTOUR_WIRE_PEER, or found from this
 * program's place (BUILD/tests/test_wire). */
static char *
peer_script(void)
{
	char		 exe[PATH_MAX];
	const char	*env = getenv("SYSTOUR_WIRE_PEER");
	ssize_t		 n;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	return xasprintf("%s/../../tests/interop/wire_peer.py", exe);
}

struct peer {
	pid_t	pid;
	int	out;		/* its stdout */
	char	buf[4096];	/* what it printed */
	size_t	len;
};

static void
peer_start(struct peer *p, const char *mode, const char *a1, const char *a2,
    const char *a3)
{
	char	*script = peer_script();
	int	 fd[2];

	memset(p, 0, sizeof *p);
	assert_int_equal(access(script, R_OK), 0);
	assert_int_equal(pipe(fd), 0);
	p->pid = fork();
	assert_int_not_equal(p->pid, -1);
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("python3", "python3", script, mode, a1, a2, a3,
		    (char *)NULL);
		_exit(127);
	}
	free(script);
	close(fd[1]);
	p->out = fd[0];
	nonblock(p->out);
}

/* Read what the peer prints until a line ends or, with eof, until it closes
 * its stdout; within the deadline. */
static void
peer_read(struct peer *p, int eof, long long deadline)
{
	struct pollfd	pfd;
	ssize_t		n;

	for (;;) {
		if (!eof && memchr(p->buf, '\n', p->len) != NULL)
			return;
		if (now_ms() > deadline)
			fail_msg("the python peer said only: %.*s",
			    (int)p->len, p->buf);
		pfd.fd = p->out;
		pfd.events = POLLIN;
		poll(&pfd, 1, 100);
		n = read(p->out, p->buf + p->len, sizeof p->buf - 1 - p->len);
		if (n > 0)
			p->len += (size_t)n;
		else if (n == 0)
			return;
		p->buf[p->len] = '\0';
	}
}

/* Wait for the peer to end; its exit status. */
static int
peer_finish(struct peer *p)
{
	int	st;

	peer_read(p, 1, now_ms() + 10000);
	close(p->out);
	st = child_status(p->pid);
	print_message("# python said: %s", p->buf);
	return st;
}

static int
connect_port(int port)
{
	struct sockaddr_in	sin;
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_not_equal(fd, -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	return fd;
}

struct interop {
	const char		*peer;		/* real, legacy, modern */
	enum wire_digest	 ours;		/* the challenge we send */
	const char		*peer_key;
	const char		*answered;	/* NULL: whatever python does */
	const char		*verified;
};

/* systour as the client (the worker) against a python Listener. */
static void
test_interop_client(void **state)
{
	const struct interop	*t = *state;
	struct peer		 p;
	struct wire_conn	 c;
	struct wire_frame	 f;
	char			*cause = NULL;
	int			 port, fd, rc;

	if (!have_python()) {
		print_message("# python3 not found: skipped\n");
		skip();
	}
	peer_start(&p, "listen", t->peer, t->peer_key, NULL);
	peer_read(&p, 0, now_ms() + 10000);
	assert_int_equal(sscanf(p.buf, "port %d", &port), 1);
	p.len = 0;
	fd = connect_port(port);
	wire_conn_init(&c, fd, 0);
	rc = wire_conn_client_auth(&c, KEY, KEYLEN, t->ours, 5000, &cause);
	if (strcmp(t->peer_key, KEY) != 0) {
		assert_int_equal(rc, WIRE_ERR);
		assert_string_equal(cause,
		    "digest sent was rejected (wrong authkey?)");
		free(cause);
		wire_conn_free(&c);
		close(fd);
		assert_int_equal(peer_finish(&p), 3);
		assert_non_null(strstr(p.buf, "auth failed: digest received "
		    "was wrong"));
		return;
	}
	if (rc != WIRE_OK)
		fail_msg("handshake: %s", cause);
	print_message("# we answered %s, python answered %s\n", c.answered,
	    c.verified);
	if (t->answered != NULL)
		assert_string_equal(c.answered, t->answered);
	if (t->verified != NULL)
		assert_string_equal(c.verified, t->verified);
	assert_int_equal(wire_conn_send(&c, "hello", 5, 5000, NULL), WIRE_OK);
	assert_int_equal(wire_conn_recv(&c, &f, 5000, NULL), WIRE_OK);
	assert_int_equal(f.len, 10);
	assert_memory_equal(f.data, "echo:hello", 10);
	/* python sent this one in the -1 + 8-byte form */
	assert_int_equal(wire_conn_recv(&c, &f, 5000, NULL), WIRE_OK);
	assert_int_equal(f.len, 9);
	assert_memory_equal(f.data, "long-form", 9);
	assert_int_equal(wire_conn_recv(&c, &f, 5000, NULL), WIRE_EOF);
	wire_conn_free(&c);
	close(fd);
	assert_int_equal(peer_finish(&p), 0);
	assert_non_null(strstr(p.buf, "ok "));
}

/* systour as the server (the manager's event loop) against a python
 * Client. */
static void
test_interop_server(void **state)
{
	static const unsigned char long_form[] =
	    "\xff\xff\xff\xff\0\0\0\0\0\0\0\x09" "long-form";
	const struct interop	*t = *state;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	struct peer		 p;
	struct side		 s;
	struct wire_frame	 f;
	struct pollfd		 pfd;
	long long		 deadline = now_ms() + 10000;
	char			 port[16], echo[64];
	int			 lfd, fd, got = 0, rc;

	if (!have_python()) {
		print_message("# python3 not found: skipped\n");
		skip();
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &slen), 0);
	snprintf(port, sizeof port, "%d", ntohs(sin.sin_port));
	peer_start(&p, "connect", port, t->peer, t->peer_key);

	pfd.fd = lfd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	fd = accept(lfd, NULL, NULL);
	assert_int_not_equal(fd, -1);
	close(lfd);
	nonblock(fd);
	side_init(&s, fd, WIRE_SERVER, KEY, t->ours);
	/* the event loop: until the hello arrives or the handshake fails */
	while (!got && s.st != WIRE_AUTH_FAILED) {
		assert_true(now_ms() < deadline);
		pfd.fd = fd;
		pfd.events = POLLIN |
		    (wire_writer_pending(&s.wr) ? POLLOUT : 0);
		poll(&pfd, 1, 100);
		rc = wire_reader_read(&s.rd, fd);
		assert_int_not_equal(rc, WIRE_ERR);
		while (wire_reader_next(&s.rd, &f) == WIRE_OK) {
			if (s.st == WIRE_AUTH_MORE) {
				s.st = wire_auth_feed(&s.auth, f.data, f.len,
				    &s.wr);
				if (s.st == WIRE_AUTH_DONE)
					wire_reader_set_max(&s.rd, 0);
				continue;
			}
			assert_true(f.len + 5 <= sizeof echo);
			memcpy(echo, "echo:", 5);
			memcpy(echo + 5, f.data, f.len);
			wire_writer_frame(&s.wr, echo, f.len + 5);
			wire_writer_raw(&s.wr, long_form, sizeof long_form - 1);
			got = 1;
		}
		assert_int_not_equal(wire_writer_flush(&s.wr, fd), WIRE_ERR);
		if (rc == WIRE_EOF)
			break;
	}
	if (strcmp(t->peer_key, KEY) != 0) {
		assert_int_equal(s.st, WIRE_AUTH_FAILED);
		assert_string_equal(wire_auth_error(&s.auth),
		    "digest received was wrong (wrong authkey?)");
		/* #FAILURE# went out with the last flush */
		assert_int_equal(wire_writer_pending(&s.wr), 0);
		assert_int_equal(peer_finish(&p), 3);
		assert_non_null(strstr(p.buf, "auth failed: digest sent was "
		    "rejected"));
	} else {
		assert_int_equal(s.st, WIRE_AUTH_DONE);
		assert_true(got);
		print_message("# python answered %s, we answered %s\n",
		    s.auth.verified, s.auth.answered);
		if (t->verified != NULL)
			assert_string_equal(s.auth.verified, t->verified);
		if (t->answered != NULL)
			assert_string_equal(s.auth.answered, t->answered);
		while (wire_writer_pending(&s.wr) > 0) {
			assert_true(now_ms() < deadline);
			pfd.events = POLLOUT;
			poll(&pfd, 1, 100);
			assert_int_not_equal(wire_writer_flush(&s.wr, fd),
			    WIRE_ERR);
		}
		assert_int_equal(peer_finish(&p), 0);
		assert_non_null(strstr(p.buf, "ok "));
	}
	side_free(&s);
	close(fd);
}

/* What each python peer answers: real is this machine's CPython, so its
 * digests are only printed. A 3.11 peer answers any challenge with MD5, and
 * challenges with 20 bytes; a 3.12 one answers {sha256} to {sha256} and MD5
 * to 20 bytes, and challenges with {sha256}. */
static const struct interop
    i_real_md5 = { "real", WIRE_DIGEST_MD5, KEY, NULL, NULL },
    i_real_sha = { "real", WIRE_DIGEST_SHA256, KEY, NULL, NULL },
    i_legacy_md5 = { "legacy", WIRE_DIGEST_MD5, KEY, "md5", "md5" },
    i_legacy_sha = { "legacy", WIRE_DIGEST_SHA256, KEY, "md5", "md5" },
    i_modern_md5 = { "modern", WIRE_DIGEST_MD5, KEY, "sha256", "md5" },
    i_modern_sha = { "modern", WIRE_DIGEST_SHA256, KEY, "sha256", "sha256" },
    i_real_wrong = { "real", WIRE_DIGEST_SHA256, "wrong", NULL, NULL },
    i_modern_wrong = { "modern", WIRE_DIGEST_SHA256, "wrong", NULL, NULL };

int
main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest unit[] = {
		T(test_header_forms),
		T(test_writer_bytes_as_cpython),
		T(test_decode_both_forms),
		T(test_feed_byte_by_byte),
		T(test_feed_random_pieces),
		T(test_limit_is_inclusive),
		T(test_4gib_refused_at_once),
		T(test_4gib_refused_from_a_socket),
		T(test_big_announced_memory_follows_bytes),
		T(test_negative_lengths_refused),
		T(test_garbage_never_crashes),
		T(test_truncated_frame_and_eof),
		T(test_read_would_block),
		T(test_writer_and_reader_over_socket),
		T(test_writer_gone_peer_no_sigpipe),
		T(test_writer_on_a_pipe),
		T(test_handshake_both_forms),
		T(test_handshake_request_in_same_read),
		T(test_handshake_wrong_key),
		T(test_handshake_exact_bytes),
		T(test_client_verifies_server),
		T(test_bad_challenges),
		T(test_handshake_garbage),
		T(test_blocking_helpers),
		T(test_blocking_timeouts),
		T(test_blocking_handshake_limit),
	};
#undef T
#define I(name, fn, arg) \
	{ name, fn, setup_alarm, teardown_alarm, (void *)&arg }
	const struct CMUnitTest interop[] = {
		I("client_vs_real_md5", test_interop_client, i_real_md5),
		I("client_vs_real_sha256", test_interop_client, i_real_sha),
		I("client_vs_legacy_md5", test_interop_client, i_legacy_md5),
		I("client_vs_legacy_sha256", test_interop_client,
		    i_legacy_sha),
		I("client_vs_modern_md5", test_interop_client, i_modern_md5),
		I("client_vs_modern_sha256", test_interop_client,
		    i_modern_sha),
		I("client_vs_real_wrong_key", test_interop_client,
		    i_real_wrong),
		I("client_vs_modern_wrong_key", test_interop_client,
		    i_modern_wrong),
		I("server_vs_real_md5", test_interop_server, i_real_md5),
		I("server_vs_real_sha256", test_interop_server, i_real_sha),
		I("server_vs_legacy_md5", test_interop_server, i_legacy_md5),
		I("server_vs_legacy_sha256", test_interop_server,
		    i_legacy_sha),
		I("server_vs_modern_md5", test_interop_server, i_modern_md5),
		I("server_vs_modern_sha256", test_interop_server,
		    i_modern_sha),
		I("server_vs_real_wrong_key", test_interop_server,
		    i_real_wrong),
		I("server_vs_modern_wrong_key", test_interop_server,
		    i_modern_wrong),
	};
#undef I

	if (argc > 1 && strcmp(argv[1], "interop") == 0) {
		if (argc > 2)
			cmocka_set_test_filter(argv[2]);
		return cmocka_run_group_tests_name("wire_interop", interop,
		    NULL, NULL);
	}
	return cmocka_run_group_tests_name("wire", unit, NULL, NULL);
}
