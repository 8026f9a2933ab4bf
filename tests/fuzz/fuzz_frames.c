/* fuzz_frames.c — a libFuzzer target for app/queue/wire.c: the frame reader the
 * manager's event loop uses, and the handshake messages it parses.
 *
 * An input is two control bytes and a byte stream as a peer would send it:
 *   byte 0: bits 0-2 pick the reader's limit (see limits[]); bit 3: read
 *     through a pipe with wire_reader_read instead of wire_reader_feed;
 *     bit 4: also run an honest handshake in both forms; bit 5: with a
 *     wrong key; bit 7: pad the stream with zeros to complete its last frame
 *     (up to 1 MiB), so that small inputs reach the big-frame path;
 *   byte 1: seeds the sizes of the chunks the stream is split into;
 *   the rest: the stream.
 * Oracles: the frames the reader hands out, its error and its pending count
 * must be those of a plain reference parser of the whole stream, whatever the
 * split; the frames are then fed to a server and a client handshake (they
 * must end or fail cleanly and only queue well-formed frames); an honest
 * handshake must end DONE on both sides, one with the wrong key FAILED. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "wire.h"

#define PAD_MAX		((size_t)1 << 20)
#define MAX_FRAMES	4096

static const size_t limits[8] = {
	0, WIRE_HANDSHAKE_MAX, 65536, 65537, 100, 1, 200000, (size_t)1 << 20
};

struct ref {
	size_t	off[MAX_FRAMES], len[MAX_FRAMES];
	size_t	n;
	int	error;		/* the stream is bad after the n frames */
	size_t	rest;		/* bytes left over after them, when not */
};

static uint64_t
be(const unsigned char *p, int n)
{
	uint64_t	v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* The reference: multiprocessing.connection's framing over the whole stream,
 * with the reader's rules (a limit, no negative length but -1). Returns the
 * length the last, incomplete frame announces (0 if none). */
static uint64_t
reference(const unsigned char *s, size_t n, size_t max, struct ref *r)
{
	size_t		 pos = 0, hlen;
	uint64_t	 len;
	int32_t		 small;

	memset(r, 0, sizeof *r);
	for (;;) {
		r->rest = n - pos;
		if (n - pos < 4)
			return 0;
		small = (int32_t)(uint32_t)be(s + pos, 4);
		if (small == -1) {
			if (n - pos < 12)
				return 0;
			len = be(s + pos + 4, 8);
			hlen = 12;
		} else if (small < 0) {
			r->error = 1;
			return 0;
		} else {
			len = (uint64_t)small;
			hlen = 4;
		}
		if (len > max) {
			r->error = 1;
			return 0;
		}
		if (n - pos - hlen < len)
			return len - (n - pos - hlen);
		if (r->n == MAX_FRAMES) {
			r->rest = n - pos;
			return 0;
		}
		r->off[r->n] = pos + hlen;
		r->len[r->n] = (size_t)len;
		r->n++;
		pos += hlen + (size_t)len;
	}
}

/* Chunk sizes from a small generator: mostly small, sometimes large. */
static size_t
next_chunk(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	switch ((*seed >> 16) & 3) {
	case 0:
		return 1;
	case 1:
		return 1 + ((*seed >> 18) & 15);
	case 2:
		return 1 + ((*seed >> 18) & 4095);
	default:
		return 1 + ((*seed >> 10) & 0x3ffff);
	}
}

/* Check one frame handed out against the reference; count it. */
static void
check_frame(const struct wire_frame *f, const unsigned char *s,
    const struct ref *ref, size_t *got)
{
	CHECK(*got < ref->n);
	CHECK(f->data != NULL);
	CHECK(f->len == ref->len[*got]);
	CHECK(memcmp(f->data, s + ref->off[*got], f->len) == 0);
	(*got)++;
}

/* Drain the reader: 0 on WIRE_AGAIN, -1 on WIRE_ERR. */
static int
drain(struct wire_reader *r, const unsigned char *s, const struct ref *ref,
    size_t *got)
{
	struct wire_frame	f;
	int			rc;

	while (*got < ref->n || !ref->error) {
		rc = wire_reader_next(r, &f);
		if (rc == WIRE_AGAIN)
			return 0;
		if (rc == WIRE_ERR) {
			CHECK(wire_reader_error(r)[0] != '\0');
			return -1;
		}
		CHECK(rc == WIRE_OK);
		check_frame(&f, s, ref, got);
		if (*got == MAX_FRAMES)
			return 0;
	}
	return wire_reader_next(r, &f) == WIRE_ERR ? -1 : 0;
}

static int pipefd[2] = { -1, -1 };

/* Read the stream through the reader, split into chunks. */
static void
run_reader(const unsigned char *s, size_t n, size_t max, int use_pipe,
    uint32_t seed, const struct ref *ref)
{
	struct wire_reader	r;
	size_t			pos = 0, k, got = 0;
	int			dead = 0, rc;
	ssize_t			w;

	wire_reader_init(&r, max);
	while (pos < n && !dead && got < MAX_FRAMES) {
		k = next_chunk(&seed);
		if (k > n - pos)
			k = n - pos;
		if (use_pipe) {
			if (k > 65536)
				k = 65536;	/* a pipe's default capacity */
			w = write(pipefd[1], s + pos, k);
			CHECK(w > 0);
			k = (size_t)w;
			for (;;) {
				rc = wire_reader_read(&r, pipefd[0]);
				if (rc == WIRE_AGAIN)
					break;
				if (rc == WIRE_ERR) {
					dead = 1;
					break;
				}
				CHECK(rc == WIRE_OK);
				if (drain(&r, s, ref, &got) < 0) {
					dead = 1;
					break;
				}
			}
		} else {
			CHECK(wire_reader_feed(&r, s + pos, k) == WIRE_OK);
			dead = drain(&r, s, ref, &got) < 0;
		}
		pos += k;
		/* memory follows the bytes that came, never an announced length */
		CHECK(wire_reader_memory(&r) <= 4 * n + 3 * 65536);
	}
	if (use_pipe) {		/* what a dead reader left must go */
		char	junk[4096];
		while (read(pipefd[0], junk, sizeof junk) > 0)
			;
	}
	if (got < MAX_FRAMES) {
		CHECK(dead == ref->error);
		CHECK(got == ref->n);
		if (!dead)
			CHECK(wire_reader_pending(&r) == ref->rest);
		else
			CHECK(wire_reader_feed(&r, "x", 1) == WIRE_ERR);
	}
	wire_reader_free(&r);
}

/* Check that what a handshake queued is a run of small frames. */
static void
check_out(struct wire_writer *w)
{
	struct wire_reader	r;
	struct wire_frame	f;
	unsigned char		buf[4096];
	int			pfd[2];
	size_t			left;
	ssize_t			k;

	left = wire_writer_pending(w);
	if (left == 0)
		return;
	CHECK(pipe(pfd) == 0);
	CHECK(wire_writer_flush(w, pfd[1]) == WIRE_OK);
	close(pfd[1]);
	wire_reader_init(&r, WIRE_HANDSHAKE_MAX);
	while ((k = read(pfd[0], buf, sizeof buf)) > 0)
		CHECK(wire_reader_feed(&r, buf, (size_t)k) == WIRE_OK);
	close(pfd[0]);
	while (wire_reader_next(&r, &f) == WIRE_OK)
		;
	CHECK(wire_reader_pending(&r) == 0);
	CHECK(wire_reader_error(&r)[0] == '\0');
	wire_reader_free(&r);
}

/* Give the stream's frames to a handshake of each role. */
static void
run_auth(const unsigned char *s, const struct ref *ref, int form)
{
	static const char	key[] = "qiye";
	struct wire_auth	a;
	struct wire_writer	out;
	enum wire_auth_status	st;
	size_t			i;
	int			role;

	for (role = 0; role < 2; role++) {
		wire_auth_init(&a, role ? WIRE_CLIENT : WIRE_SERVER, key,
		    sizeof key - 1, form);
		wire_writer_init(&out);
		st = wire_auth_start(&a, &out);
		for (i = 0; i < ref->n && st == WIRE_AUTH_MORE; i++)
			st = wire_auth_feed(&a, s + ref->off[i], ref->len[i],
			    &out);
		if (st == WIRE_AUTH_FAILED)
			CHECK(wire_auth_error(&a)[0] != '\0');
		else
			CHECK(wire_auth_error(&a)[0] == '\0');
		/* Once over, it stays over. */
		if (st != WIRE_AUTH_MORE)
			CHECK(wire_auth_feed(&a, "#WELCOME#", 9, &out) == st);
		check_out(&out);
		wire_writer_free(&out);
		wire_auth_clear(&a);
	}
}

/* Move the frames one side queued into the other side's handshake. */
static enum wire_auth_status
pump(struct wire_writer *from, struct wire_auth *to, struct wire_writer *back)
{
	struct wire_reader	r;
	struct wire_frame	f;
	enum wire_auth_status	st = WIRE_AUTH_MORE;

	wire_reader_init(&r, WIRE_HANDSHAKE_MAX);
	CHECK(wire_reader_feed(&r, from->b.data + from->start,
	    from->b.len - from->start) == WIRE_OK);
	buf_clear(&from->b);
	from->start = 0;
	while (st == WIRE_AUTH_MORE && wire_reader_next(&r, &f) == WIRE_OK)
		st = wire_auth_feed(to, f.data, f.len, back);
	wire_reader_free(&r);
	return st;
}

/* An honest (or wrong-keyed) handshake between a client and a server. The
 * wrong key differs in its first byte: HMAC pads a key with zeros, so "k"
 * and "k\0" are the same key. */
static void
run_pair(const unsigned char *key, size_t keylen, int sform, int cform,
    int wrong)
{
	unsigned char			other[64];
	struct wire_auth		srv, cli;
	struct wire_writer		so, co;
	enum wire_auth_status		ss, cs = WIRE_AUTH_MORE;
	int				turns;

	memcpy(other, key, keylen);
	other[0] = keylen ? key[0] ^ 1 : 1;
	wire_auth_init(&srv, WIRE_SERVER, key, keylen, sform);
	wire_auth_init(&cli, WIRE_CLIENT, wrong ? other : key,
	    wrong && keylen == 0 ? 1 : keylen, cform);
	wire_writer_init(&so);
	wire_writer_init(&co);
	ss = wire_auth_start(&srv, &so);
	CHECK(ss == WIRE_AUTH_MORE);
	for (turns = 0; turns < 8; turns++) {
		if (wire_writer_pending(&so) > 0)
			cs = pump(&so, &cli, &co);
		else if (wire_writer_pending(&co) > 0)
			ss = pump(&co, &srv, &so);
		else
			break;
	}
	if (wrong) {
		CHECK(ss == WIRE_AUTH_FAILED);
		CHECK(cs == WIRE_AUTH_FAILED);
	} else {
		CHECK(ss == WIRE_AUTH_DONE);
		CHECK(cs == WIRE_AUTH_DONE);
		CHECK(srv.verified != NULL && cli.answered != NULL);
		CHECK(cli.verified != NULL && srv.answered != NULL);
	}
	wire_writer_free(&so);
	wire_writer_free(&co);
	wire_auth_clear(&srv);
	wire_auth_clear(&cli);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ref		*ref;
	unsigned char		*s;
	size_t			 n, max, pad;
	uint32_t		 seed;
	uint64_t		 missing;
	unsigned		 ctl;

	if (size < 2)
		return 0;
	if (pipefd[0] < 0) {
		CHECK(pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) == 0);
	}
	ctl = data[0];
	seed = data[1] * 2654435761u;
	max = limits[ctl & 7] ? limits[ctl & 7] : WIRE_MAX_FRAME_DEFAULT;
	n = size - 2;
	ref = malloc(sizeof *ref);
	CHECK(ref != NULL);

	missing = reference(data + 2, n, max, ref);
	pad = (ctl & 0x80) && missing > 0 && missing <= PAD_MAX ?
	    (size_t)missing : 0;
	s = calloc(1, n + pad + 1);
	CHECK(s != NULL);
	memcpy(s, data + 2, n);
	if (pad > 0)
		reference(s, n + pad, max, ref);
	run_reader(s, n + pad, max, (ctl & 8) != 0, seed, ref);
	run_auth(s, ref, (ctl & 0x40) ? WIRE_DIGEST_MD5 : WIRE_DIGEST_SHA256);
	if (ctl & 0x10)
		run_pair(s, n < 64 ? n : 64, (ctl >> 1) & 1, (ctl >> 2) & 1,
		    (ctl & 0x20) != 0);
	free(s);
	free(ref);
	return 0;
}
