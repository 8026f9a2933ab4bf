/* wire.c — frames and the #CHALLENGE# handshake of multiprocessing.connection
 *
 * The reader keeps a staging buffer that reads land in; frames that fit in
 * it are handed out in place, and a bigger frame is gathered in a buffer of
 * its own that grows only as its bytes arrive. The handshake follows CPython
 * 3.12's connection.py (deliver_challenge, answer_challenge,
 * _get_digest_name_and_payload, _create_response, _verify_challenge), which
 * talks to 3.11 and older peers too. */
#include "lang.h"
#include "wire.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util.h"

/* ------------------------------------------------------------ the header */

size_t
wire_header(unsigned char hdr[WIRE_HEADER_MAX], uint64_t len)
{
	int	i;

	if (len <= 0x7fffffff) {
		for (i = 0; i < 4; i++)
			hdr[i] = (unsigned char)(len >> (8 * (3 - i)));
		return 4;
	}
	memset(hdr, 0xff, 4);
	for (i = 0; i < 8; i++)
		hdr[4 + i] = (unsigned char)(len >> (8 * (7 - i)));
	return 12;
}

static uint64_t
get_be(const unsigned char *p, int n)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* ------------------------------------------------------------ the reader */

#define STAGE_CAP	((size_t)64 * 1024)

enum {
	R_HEAD,		/* waiting for a length */
	R_STAGED,	/* length known, the payload gathers in staging */
	R_BIG,		/* length known, the payload gathers in body */
	R_DEAD
};

void
wire_reader_init(struct wire_reader *r, size_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max ? max : WIRE_MAX_FRAME_DEFAULT;
	r->state = R_HEAD;
}

void
wire_reader_free(struct wire_reader *r)
{
	free(r->in);
	free(r->body);
	r->in = r->body = NULL;
	r->in_cap = r->in_start = r->in_end = 0;
	r->body_len = r->body_cap = 0;
	r->drop_body = 0;
}

void
wire_reader_set_max(struct wire_reader *r, size_t max)
{
	r->max = max ? max : WIRE_MAX_FRAME_DEFAULT;
}

static void __attribute__((format(printf, 2, 3)))
reader_fail(struct wire_reader *r, const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	r->state = R_DEAD;
	errno = saved;
}

/* Undo what the last call handed out: a big frame's buffer is freed. */
static void
settle(struct wire_reader *r)
{
	if (r->drop_body) {
		free(r->body);
		r->body = NULL;
		r->body_len = r->body_cap = 0;
		r->drop_body = 0;
	}
	if (r->in_start == r->in_end)
		r->in_start = r->in_end = 0;
}

/* Make room for at least n more bytes at the end of staging.
 *
 * The reader's two buffers are not struct buf, on purpose: staging is a
 * window of a fixed STAGE_CAP bytes (its size decides which frames are
 * staged and which are gathered apart, and wire_reader_memory's bound
 * rests on it; buf.h would round it up to twice that for its NUL), and a
 * big frame's body grows with the bytes that came but never past the
 * frame's length, where buf.h's doubling could set aside nearly twice a
 * frame the limit allows. */
static void
stage_room(struct wire_reader *r, size_t n)
{
	size_t	used, cap;

	if (r->in == NULL) {
		r->in_cap = STAGE_CAP;
		r->in = xmalloc(r->in_cap);
	}
	if (r->in_cap - r->in_end >= n)
		return;
	used = r->in_end - r->in_start;
	if (r->in_start > 0) {
		memmove(r->in, r->in + r->in_start, used);
		r->in_start = 0;
		r->in_end = used;
	}
	if (r->in_cap - r->in_end >= n)
		return;
	cap = r->in_cap;
	while (cap - used < n && cap < SIZE_MAX) {
		if (cap > SIZE_MAX / 2)
			cap = SIZE_MAX;	/* xrealloc will fail loudly */
		else
			cap *= 2;
	}
	r->in = xrealloc(r->in, cap);
	r->in_cap = cap;
}

/* Make room in body for n more bytes (body_len + n <= want), growing by
 * doubling but never past the frame's length. */
static void
body_room(struct wire_reader *r, size_t n)
{
	size_t	cap;

	if (r->body_cap - r->body_len >= n)
		return;
	cap = r->body_cap > SIZE_MAX / 2 ? SIZE_MAX : r->body_cap * 2;
	if (cap < r->body_len + n)
		cap = r->body_len + n;
	if (cap > r->want)
		cap = (size_t)r->want;
	r->body = xrealloc(r->body, cap);
	r->body_cap = cap;
}

int
wire_reader_read(struct wire_reader *r, int fd)
{
	unsigned char	*dst;
	size_t		 room;
	ssize_t		 n;
	int		 big;

	settle(r);
	if (r->state == R_DEAD)
		return WIRE_ERR;
	big = r->state == R_BIG && r->body_len < r->want;
	if (big) {
		room = (size_t)r->want - r->body_len;
		if (room > STAGE_CAP)
			room = STAGE_CAP;
		body_room(r, room);
		dst = r->body + r->body_len;
		room = r->body_cap - r->body_len;
	} else {
		if (r->in != NULL && r->in_start > 0 &&
		    r->in_cap - r->in_end < STAGE_CAP / 4)
			stage_room(r, r->in_cap - (r->in_end - r->in_start));
		stage_room(r, 1);	/* grows only when full of frames */
		dst = r->in + r->in_end;
		room = r->in_cap - r->in_end;
	}
	for (;;) {
		n = recv(fd, dst, room, MSG_DONTWAIT);
		if (n < 0 && errno == ENOTSOCK)
			n = read(fd, dst, room);
		if (n > 0)
			break;
		if (n == 0)
			return WIRE_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return WIRE_AGAIN;
		reader_fail(r, "read: %s", strerror(errno));
		return WIRE_ERR;
	}
	if (big)
		r->body_len += (size_t)n;
	else
		r->in_end += (size_t)n;
	return WIRE_OK;
}

int
wire_reader_feed(struct wire_reader *r, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 n;

	settle(r);
	if (r->state == R_DEAD)
		return WIRE_ERR;
	if (r->state == R_BIG && r->body_len < r->want && len > 0) {
		n = (size_t)r->want - r->body_len;
		if (n > len)
			n = len;
		body_room(r, n);
		memcpy(r->body + r->body_len, p, n);
		r->body_len += n;
		p += n;
		len -= n;
	}
	if (len > 0) {
		stage_room(r, len);
		memcpy(r->in + r->in_end, p, len);
		r->in_end += len;
	}
	return WIRE_OK;
}

int
wire_reader_next(struct wire_reader *r, struct wire_frame *f)
{
	const unsigned char	*p;
	size_t			 avail, hlen, k;
	uint64_t		 len;
	int32_t			 small;

	settle(r);
	if (r->state == R_DEAD)
		return WIRE_ERR;
	if (r->state == R_HEAD) {
		avail = r->in_end - r->in_start;
		if (avail < 4)
			return WIRE_AGAIN;
		p = r->in + r->in_start;
		small = (int32_t)(uint32_t)get_be(p, 4);
		if (small == -1) {
			if (avail < 12)
				return WIRE_AGAIN;
			len = get_be(p + 4, 8);
			hlen = 12;
		} else if (small < 0) {
			reader_fail(r, LD("bad frame length %ld",
			    "错误的帧长度 %ld"), (long)small);
			return WIRE_ERR;
		} else {
			len = (uint64_t)small;
			hlen = 4;
		}
		if (len > r->max) {
			reader_fail(r, LD("a frame of %llu bytes is over the "
			    "limit of %zu bytes",
			    "%llu 字节的帧超过了 %zu 字节的上限"), (unsigned long long)len,
			    r->max);
			return WIRE_ERR;
		}
		r->in_start += hlen;
		r->hlen = hlen;
		r->want = len;
		if (len <= r->in_cap) {
			r->state = R_STAGED;
		} else {
			r->state = R_BIG;
			k = r->in_end - r->in_start;	/* < want */
			if (k > 0) {
				body_room(r, k);
				memcpy(r->body, r->in + r->in_start, k);
				r->body_len = k;
				r->in_start = r->in_end = 0;
			}
		}
	}
	if (r->state == R_STAGED) {
		if (r->in_end - r->in_start < r->want)
			return WIRE_AGAIN;
		f->data = r->in + r->in_start;
		f->len = (size_t)r->want;
		r->in_start += (size_t)r->want;
		r->state = R_HEAD;
		return WIRE_OK;
	}
	/* R_BIG */
	if (r->body_len < r->want)
		return WIRE_AGAIN;
	f->data = r->body;
	f->len = r->body_len;
	r->drop_body = 1;
	r->state = R_HEAD;
	return WIRE_OK;
}

size_t
wire_reader_pending(const struct wire_reader *r)
{
	size_t	n = r->in_end - r->in_start;

	if (r->state == R_STAGED || r->state == R_BIG)
		n += r->hlen;
	if (r->state == R_BIG)
		n += r->body_len;
	return n;
}

size_t
wire_reader_memory(const struct wire_reader *r)
{
	return r->in_cap + (r->drop_body ? 0 : r->body_cap);
}

const char *
wire_reader_error(const struct wire_reader *r)
{
	return r->state == R_DEAD ? r->why : "";
}

/* ------------------------------------------------------------ the writer */

/* A buffer this big is given back once it is empty. */
#define WRITER_KEEP	((size_t)1 << 20)

void
wire_writer_init(struct wire_writer *w)
{
	memset(w, 0, sizeof *w);
}

void
wire_writer_free(struct wire_writer *w)
{
	buf_free(&w->b);
	memset(w, 0, sizeof *w);
}

/* Room for n more bytes: what was sent makes room first. */
static void
writer_room(struct wire_writer *w, size_t n)
{
	if (w->b.cap - w->b.len > n)
		return;
	if (w->start > 0) {
		buf_consume(&w->b, w->start);
		w->start = 0;
	}
	buf_reserve(&w->b, n);
}

void
wire_writer_raw(struct wire_writer *w, const void *data, size_t len)
{
	if (len == 0)
		return;
	writer_room(w, len);
	buf_add(&w->b, data, len);
}

void
wire_writer_frame(struct wire_writer *w, const void *payload, size_t len)
{
	unsigned char	hdr[WIRE_HEADER_MAX];
	size_t		hlen = wire_header(hdr, len);

	if (len <= SIZE_MAX / 2 - hlen)
		writer_room(w, hlen + len);	/* one allocation, usually */
	wire_writer_raw(w, hdr, hlen);
	wire_writer_raw(w, payload, len);
}

int
wire_writer_flush(struct wire_writer *w, int fd)
{
	ssize_t	n;

	while (w->start < w->b.len) {
		n = send(fd, w->b.data + w->start, w->b.len - w->start,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, w->b.data + w->start, w->b.len - w->start);
		if (n > 0) {
			w->start += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return WIRE_AGAIN;
		if (n == 0)
			errno = EIO;
		return WIRE_ERR;
	}
	w->start = 0;
	if (w->b.cap > WRITER_KEEP)
		buf_free(&w->b);
	else
		buf_clear(&w->b);
	return WIRE_OK;
}

size_t
wire_writer_pending(const struct wire_writer *w)
{
	return w->b.len - w->start;
}

/* ------------------------------------------------------------ HMAC */

static const char CHALLENGE[] = "#CHALLENGE#";
static const char WELCOME[] = "#WELCOME#";
static const char FAILURE[] = "#FAILURE#";
#define CHALLENGE_LEN	(sizeof CHALLENGE - 1)
#define WELCOME_LEN	(sizeof WELCOME - 1)
#define FAILURE_LEN	(sizeof FAILURE - 1)

#define LEGACY_NONCE	20	/* Python <= 3.11: MESSAGE_LENGTH */
#define MODERN_NONCE	40	/* Python >= 3.12: MESSAGE_LENGTH */
#define MD5_LEN		16
#define MAX_DIGEST_NAME	8	/* len("sha3_256"): CPython's _MAX_DIGEST_LEN */

/* CPython 3.12's _ALLOWED_DIGESTS. */
static const struct digest {
	const char	*name;
	const EVP_MD	*(*md)(void);
} digests[] = {
	{ "md5",	EVP_md5 },
	{ "sha256",	EVP_sha256 },
	{ "sha384",	EVP_sha384 },
	{ "sha3_256",	EVP_sha3_256 },
	{ "sha3_384",	EVP_sha3_384 },
};
#define DIGEST_MD5	(&digests[0])
#define DIGEST_SHA256	(&digests[1])

/* HMAC-d(key, msg) into out (EVP_MAX_MD_SIZE bytes). 0 when this libcrypto
 * cannot (no MD5 in FIPS mode, say). */
static int
mac(const struct digest *d, const unsigned char *key, size_t keylen,
    const unsigned char *msg, size_t n, unsigned char *out,
    unsigned int *outlen)
{
	static const unsigned char	none[1];
	const EVP_MD			*md = d->md();

	if (md == NULL || keylen > INT_MAX)
		return 0;
	return HMAC(md, keylen ? key : none, (int)keylen, msg, n, out,
	    outlen) != NULL;
}

/* CPython 3.12's _get_digest_name_and_payload: a message of 16 or 20 bytes
 * is the legacy form (raw MD5); anything else must start with {name} and a
 * name it allows. Returns 1 (legacy), 0 (named) or -1 (neither). */
static int
split_digest(const unsigned char *m, size_t n, const struct digest **d,
    const unsigned char **payload, size_t *plen)
{
	size_t	i, j;

	if (n == MD5_LEN || n == LEGACY_NONCE) {
		*d = DIGEST_MD5;
		*payload = m;
		*plen = n;
		return 1;
	}
	if (n == 0 || m[0] != '{')
		return -1;
	for (i = 1; i < n && i < MAX_DIGEST_NAME + 2; i++)
		if (m[i] == '}')
			break;
	if (i >= n || m[i] != '}')
		return -1;
	for (j = 0; j < sizeof digests / sizeof digests[0]; j++) {
		if (strlen(digests[j].name) == i - 1 &&
		    memcmp(digests[j].name, m + 1, i - 1) == 0) {
			*d = &digests[j];
			*payload = m + i + 1;
			*plen = n - i - 1;
			return 0;
		}
	}
	return -1;
}

/* ------------------------------------------------------------ handshake */

enum {
	A_INIT,			/* server: not started */
	A_WAIT_ANSWER,		/* we challenged; the peer's digest is next */
	A_WAIT_CHALLENGE,	/* the peer's #CHALLENGE# is next */
	A_WAIT_WELCOME,		/* we answered; #WELCOME# is next */
	A_DONE,
	A_FAILED
};

void
wire_auth_init(struct wire_auth *a, enum wire_role role, const void *key,
    size_t keylen, enum wire_digest form)
{
	memset(a, 0, sizeof *a);
	a->role = role;
	a->form = form;
	a->key = key;
	a->keylen = keylen;
	a->state = role == WIRE_CLIENT ? A_WAIT_CHALLENGE : A_INIT;
}

static enum wire_auth_status __attribute__((format(printf, 2, 3)))
auth_fail(struct wire_auth *a, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(a->why, sizeof a->why, fmt, ap);
	va_end(ap);
	a->state = A_FAILED;
	OPENSSL_cleanse(a->nonce, sizeof a->nonce);
	return WIRE_AUTH_FAILED;
}

static enum wire_auth_status
status(const struct wire_auth *a)
{
	if (a->state == A_DONE)
		return WIRE_AUTH_DONE;
	if (a->state == A_FAILED)
		return WIRE_AUTH_FAILED;
	return WIRE_AUTH_MORE;
}

/* Fill p with n bytes from getrandom(2). 0 or -1 (errno set). */
static int
random_bytes(unsigned char *p, size_t n)
{
	ssize_t	got;

	while (n > 0) {
		got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* deliver_challenge, first half: draw a nonce and queue the challenge. */
static enum wire_auth_status
deliver(struct wire_auth *a, struct wire_writer *out)
{
	static const char	prefix[] = "{sha256}";
	unsigned char		frame[CHALLENGE_LEN + sizeof a->nonce];
	size_t			off = 0;

	if (a->form == WIRE_DIGEST_SHA256) {
		memcpy(a->nonce, prefix, sizeof prefix - 1);
		off = sizeof prefix - 1;
		a->noncelen = off + MODERN_NONCE;
	} else
		a->noncelen = LEGACY_NONCE;
	if (random_bytes(a->nonce + off, a->noncelen - off) != 0)
		return auth_fail(a, "getrandom: %s", strerror(errno));
	memcpy(frame, CHALLENGE, CHALLENGE_LEN);
	memcpy(frame + CHALLENGE_LEN, a->nonce, a->noncelen);
	wire_writer_frame(out, frame, CHALLENGE_LEN + a->noncelen);
	OPENSSL_cleanse(frame, sizeof frame);
	a->state = A_WAIT_ANSWER;
	return WIRE_AUTH_MORE;
}

/* deliver_challenge, second half: check the answer (_verify_challenge) and
 * queue #WELCOME# or #FAILURE#. */
static enum wire_auth_status
verify(struct wire_auth *a, const unsigned char *m, size_t n,
    struct wire_writer *out)
{
	const struct digest	*d;
	const unsigned char	*got;
	unsigned char		 want[EVP_MAX_MD_SIZE];
	unsigned int		 wantlen = 0;
	size_t			 gotlen;
	int			 ok;

	if (split_digest(m, n, &d, &got, &gotlen) < 0) {
		wire_writer_frame(out, FAILURE, FAILURE_LEN);
		return auth_fail(a, LD("bad answer to our challenge (%zu bytes): "
		    "no digest prefix, or a digest not allowed",
		    "对我方挑战的应答有误（%zu 字节）：没有摘要前缀，或摘要算法不被允许"), n);
	}
	if (!mac(d, a->key, a->keylen, a->nonce, a->noncelen, want,
	    &wantlen)) {
		wire_writer_frame(out, FAILURE, FAILURE_LEN);
		return auth_fail(a, LD("HMAC-%s is not available here",
		    "这里没有 HMAC-%s"), d->name);
	}
	ok = wantlen == gotlen && CRYPTO_memcmp(want, got, gotlen) == 0;
	OPENSSL_cleanse(want, sizeof want);
	if (!ok) {
		wire_writer_frame(out, FAILURE, FAILURE_LEN);
		if (wantlen != gotlen)
			return auth_fail(a, LD("expected '%s' of length %u, got "
			    "%zu: wrong authkey?",
			    "期望长度为 %2$u 的 '%1$s'，收到 %3$zu：authkey 错了？"), d->name, wantlen, gotlen);
		return auth_fail(a, LD("digest received was wrong "
		    "(wrong authkey?)",
		    "收到的摘要不对（authkey 错了？）"));
	}
	wire_writer_frame(out, WELCOME, WELCOME_LEN);
	a->verified = d->name;
	OPENSSL_cleanse(a->nonce, sizeof a->nonce);
	a->state = a->role == WIRE_SERVER ? A_WAIT_CHALLENGE : A_DONE;
	return status(a);
}

/* answer_challenge, first half: _create_response. */
static enum wire_auth_status
answer(struct wire_auth *a, const unsigned char *m, size_t n,
    struct wire_writer *out)
{
	const struct digest	*d;
	const unsigned char	*payload;
	unsigned char		 reply[2 + MAX_DIGEST_NAME + EVP_MAX_MD_SIZE];
	unsigned int		 maclen;
	size_t			 plen, off = 0;
	int			 legacy;

	if (n < CHALLENGE_LEN || memcmp(m, CHALLENGE, CHALLENGE_LEN) != 0)
		return auth_fail(a, LD("protocol error: expected #CHALLENGE#, "
		    "got %zu other bytes",
		    "协议错误：期望 #CHALLENGE#，收到 %zu 个别的字节"), n);
	m += CHALLENGE_LEN;
	n -= CHALLENGE_LEN;
	if (n < LEGACY_NONCE)
		return auth_fail(a, LD("challenge too short: %zu bytes",
		    "挑战太短：%zu 字节"), n);
	legacy = split_digest(m, n, &d, &payload, &plen);
	if (legacy < 0)
		return auth_fail(a, LD("unsupported challenge: no digest "
		    "prefix, or a digest not allowed",
		    "不支持的挑战：没有摘要前缀，或摘要算法不被允许"));
	/* The MAC covers the whole message, {name} prefix included. */
	if (legacy && !mac(d, a->key, a->keylen, m, n,
	    reply, &maclen)) {
		/* No MD5 here (FIPS): answer as 3.12 does, with sha256. */
		d = DIGEST_SHA256;
		legacy = 0;
	}
	if (!legacy) {
		off = (size_t)snprintf((char *)reply, sizeof reply, "{%s}",
		    d->name);
		if (!mac(d, a->key, a->keylen, m, n, reply + off, &maclen))
			return auth_fail(a, LD("HMAC-%s is not available here",
			    "这里没有 HMAC-%s"),
			    d->name);
	}
	wire_writer_frame(out, reply, off + maclen);
	OPENSSL_cleanse(reply, sizeof reply);
	a->answered = d->name;
	a->state = A_WAIT_WELCOME;
	return WIRE_AUTH_MORE;
}

enum wire_auth_status
wire_auth_start(struct wire_auth *a, struct wire_writer *out)
{
	if (a->role == WIRE_SERVER && a->state == A_INIT)
		return deliver(a, out);
	return status(a);
}

enum wire_auth_status
wire_auth_feed(struct wire_auth *a, const void *frame, size_t len,
    struct wire_writer *out)
{
	const unsigned char	*m = frame;

	switch (a->state) {
	case A_DONE:
	case A_FAILED:
		return status(a);
	case A_INIT:
		return auth_fail(a, LD("the handshake was not started",
		    "握手还没有开始"));
	}
	if (len > WIRE_HANDSHAKE_MAX)
		return auth_fail(a, LD("a handshake message of %zu bytes (the "
		    "limit is %d)",
		    "%zu 字节的握手消息（上限是 %d）"), len, WIRE_HANDSHAKE_MAX);
	switch (a->state) {
	case A_WAIT_ANSWER:
		return verify(a, m, len, out);
	case A_WAIT_CHALLENGE:
		return answer(a, m, len, out);
	case A_WAIT_WELCOME:
		if (len != WELCOME_LEN || memcmp(m, WELCOME, len) != 0) {
			if (len == FAILURE_LEN &&
			    memcmp(m, FAILURE, len) == 0)
				return auth_fail(a, LD("digest sent was "
				    "rejected (wrong authkey?)",
				    "发出的摘要被拒绝（authkey 错了？）"));
			return auth_fail(a, LD("digest sent was rejected: "
			    "expected #WELCOME#, got %zu other bytes",
			    "发出的摘要被拒绝：期望 #WELCOME#，收到 %zu 个别的字节"), len);
		}
		if (a->role == WIRE_SERVER) {
			a->state = A_DONE;
			return WIRE_AUTH_DONE;
		}
		return deliver(a, out);
	}
	return auth_fail(a, LD("bad handshake state %d",
	    "错误的握手状态 %d"), a->state);
}

const char *
wire_auth_error(const struct wire_auth *a)
{
	return a->state == A_FAILED ? a->why : "";
}

void
wire_auth_clear(struct wire_auth *a)
{
	OPENSSL_cleanse(a->nonce, sizeof a->nonce);
	a->noncelen = 0;
}

/* ------------------------------------------------ a blocking connection */

void
wire_conn_init(struct wire_conn *c, int fd, size_t max)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	wire_reader_init(&c->rd, max);
	wire_writer_init(&c->wr);
}

void
wire_conn_free(struct wire_conn *c)
{
	wire_reader_free(&c->rd);
	wire_writer_free(&c->wr);
}

static void __attribute__((format(printf, 2, 3)))
set_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
}

static long long
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Wait for events on the fd until the deadline: 1 when ready, 0 at the
 * deadline, -1 on a poll error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd	pfd;
	long long	left;
	int		n;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - now_ms();
			if (left < 0)
				left = 0;
			if (left > INT_MAX)
				left = INT_MAX;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		/* stays a poll(): a blocking client waits for its reply here */
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int
conn_flush(struct wire_conn *c, long long deadline, char **cause)
{
	int	rc;

	for (;;) {
		rc = wire_writer_flush(&c->wr, c->fd);
		if (rc == WIRE_OK)
			return WIRE_OK;
		if (rc == WIRE_ERR) {
			set_cause(cause, "send: %s", strerror(errno));
			return WIRE_ERR;
		}
		rc = wait_fd(c->fd, POLLOUT, deadline);
		if (rc == 0)
			return WIRE_TIMEOUT;
		if (rc < 0) {
			set_cause(cause, "poll: %s", strerror(errno));
			return WIRE_ERR;
		}
	}
}

static int
conn_recv(struct wire_conn *c, struct wire_frame *f, long long deadline,
    char **cause)
{
	int	rc, eof = 0;

	for (;;) {
		rc = wire_reader_next(&c->rd, f);
		if (rc == WIRE_OK)
			return WIRE_OK;
		if (rc == WIRE_ERR) {
			set_cause(cause, "%s", wire_reader_error(&c->rd));
			return WIRE_ERR;
		}
		if (eof) {
			if (wire_reader_pending(&c->rd) == 0)
				return WIRE_EOF;
			set_cause(cause, LD("the peer closed the connection in "
			    "the middle of a frame (%zu bytes of it came)",
			    "对端在一帧的中途关闭了连接（到了 %zu 字节）"),
			    wire_reader_pending(&c->rd));
			return WIRE_ERR;
		}
		rc = wait_fd(c->fd, POLLIN, deadline);
		if (rc == 0)
			return WIRE_TIMEOUT;
		if (rc < 0) {
			set_cause(cause, "poll: %s", strerror(errno));
			return WIRE_ERR;
		}
		rc = wire_reader_read(&c->rd, c->fd);
		if (rc == WIRE_EOF)
			eof = 1;
		else if (rc == WIRE_ERR) {
			set_cause(cause, "%s", wire_reader_error(&c->rd));
			return WIRE_ERR;
		}
	}
}

int
wire_conn_send(struct wire_conn *c, const void *payload, size_t len,
    int timeout_ms, char **cause)
{
	wire_writer_frame(&c->wr, payload, len);
	return conn_flush(c, deadline_of(timeout_ms), cause);
}

int
wire_conn_recv(struct wire_conn *c, struct wire_frame *f, int timeout_ms,
    char **cause)
{
	return conn_recv(c, f, deadline_of(timeout_ms), cause);
}

static int
conn_auth(struct wire_conn *c, enum wire_role role, const void *key,
    size_t keylen, enum wire_digest form, int timeout_ms, char **cause)
{
	struct wire_auth	 a;
	struct wire_frame	 f;
	enum wire_auth_status	 st;
	long long		 deadline = deadline_of(timeout_ms);
	size_t			 max = c->rd.max;
	char			*why = NULL;
	int			 rc = WIRE_OK;

	c->answered = c->verified = NULL;
	wire_auth_init(&a, role, key, keylen, form);
	wire_reader_set_max(&c->rd, WIRE_HANDSHAKE_MAX);
	st = wire_auth_start(&a, &c->wr);
	while (st == WIRE_AUTH_MORE) {
		rc = conn_flush(c, deadline, &why);
		if (rc == WIRE_OK)
			rc = conn_recv(c, &f, deadline, &why);
		if (rc != WIRE_OK)
			break;
		st = wire_auth_feed(&a, f.data, f.len, &c->wr);
	}
	/* The last word (#WELCOME# or #FAILURE#) still has to go out. */
	if (rc == WIRE_OK && conn_flush(c, deadline, &why) != WIRE_OK &&
	    st == WIRE_AUTH_DONE)
		rc = why != NULL ? WIRE_ERR : WIRE_TIMEOUT;
	wire_reader_set_max(&c->rd, max);
	c->answered = a.answered;
	c->verified = a.verified;
	wire_auth_clear(&a);

	if (rc == WIRE_OK && st == WIRE_AUTH_DONE)
		return WIRE_OK;
	if (st == WIRE_AUTH_FAILED)
		set_cause(cause, "%s", wire_auth_error(&a));
	else if (rc == WIRE_TIMEOUT)
		set_cause(cause, LD("the handshake took longer than %d ms",
		    "握手超过了 %d 毫秒"),
		    timeout_ms);
	else if (rc == WIRE_EOF)
		set_cause(cause, LD("the peer closed the connection during the "
		    "handshake",
		    "对端在握手时关闭了连接"));
	else
		set_cause(cause, "%s", why != NULL ? why : LD("handshake failed",
		    "握手失败"));
	free(why);
	return WIRE_ERR;
}

int
wire_conn_client_auth(struct wire_conn *c, const void *key, size_t keylen,
    enum wire_digest form, int timeout_ms, char **cause)
{
	return conn_auth(c, WIRE_CLIENT, key, keylen, form, timeout_ms, cause);
}

int
wire_conn_server_auth(struct wire_conn *c, const void *key, size_t keylen,
    enum wire_digest form, int timeout_ms, char **cause)
{
	return conn_auth(c, WIRE_SERVER, key, keylen, form, timeout_ms, cause);
}
