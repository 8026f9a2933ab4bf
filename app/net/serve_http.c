/* serve_http.c — `systour serve http`: a small HTTP/1.0 and 1.1 server on
 * the one event loop (epoll, non-blocking sockets, level-triggered).
 *
 * GET (and HEAD) of "/" answers a short text; "/slow/MS" answers after MS
 * milliseconds, on a loop timer, so other clients are served meanwhile
 * (the coroutine lesson fetches several at once); --delay MS delays every
 * answer the same way. Keep-alive as HTTP/1.1 has it by default and
 * HTTP/1.0 asks for it; pipelined requests are answered in order (the
 * next is not read while one waits on its delay).
 *
 * Per request the hot path is one read and one write: the watch on a
 * client stays LOOP_READ unless a reply could not all be written, and no
 * timer is touched unless a reply is delayed. Idle connections are found
 * by one sweep a second (a partial request idle that long gets 408), so
 * ten thousand idle clients cost no timers. */
#include "buf.h"
#include "http.h"
#include "loop.h"
#include "net.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK	16384
#define IN_HIGH		(HTTP_MAX_HEAD + HTTP_MAX_BODY + READ_CHUNK)
#define OUT_HIGH	(256u << 10)	/* stop reading while this is unsent */
#define SLOW_MAX_MS	600000
#define SWEEP_MS	1000
/* After the last answer of a connection that closes (an error, or
 * Connection: close), the server shuts down its sending side and reads
 * (and drops) what the client still sends, for up to LINGER_MS, before it
 * closes: closing with unread bytes would send a RST, and the RST would
 * destroy the answer in the client's buffers before it read it (as
 * nginx's lingering_close). */
#define LINGER_MS	2000
#define ACCEPT_BACKOFF_MS 1000
#define HELLO		"hello from systour serve http\n"

struct hserver;

struct hconn {
	struct hserver		*s;
	int			 fd;
	size_t			 idx;		/* in s->c */
	struct loop_watch	*w;
	struct loop_watch	*timer;		/* a delayed reply */
	unsigned		 want;
	struct buf		 in;
	struct buf		 out;
	size_t			 out_off;	/* sent bytes of out */
	struct buf		 held;		/* the delayed reply */
	int			 held_keep;
	int			 waiting;	/* a reply is delayed */
	int			 closing;	/* close once out is sent */
	int			 eof;		/* the client sent its FIN */
	int			 lingering;	/* answered, shut down, draining */
	long long		 since;		/* last progress */
};

struct hserver {
	const struct serve_opts	*o;
	struct loop		*loop;
	int			 lfd;
	struct loop_watch	*lw, *accept_again, *sweep;
	struct hconn		**c;
	size_t			 nc, c_cap;
	unsigned long long	 requests, conns;
	time_t			 date_at;
	char			 date[64];
	/* the answer to GET / kept alive, per minor version, rebuilt when
	 * the second (its Date) changes: the hot path formats nothing */
	char			 hello[2][256];
	size_t			 hello_len[2];
	time_t			 hello_at;
};

static void conn_update(struct hconn *c);
static void on_conn(struct loop *l, int fd, unsigned ev, void *arg);

static const char *
http_date(struct hserver *s)
{
	time_t t = time(NULL);
	if (t != s->date_at) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(s->date, sizeof s->date, "%a, %d %b %Y %H:%M:%S GMT",
		    &tm);
		s->date_at = t;
	}
	return s->date;
}

static void
conn_free(struct hconn *c)
{
	struct hserver *s = c->s;
	s->c[c->idx] = s->c[--s->nc];
	s->c[c->idx]->idx = c->idx;
	loop_cancel(c->w);
	loop_cancel(c->timer);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->held);
	free(c);
}

/* Append a whole reply to b. */
static void
reply(struct hserver *s, struct buf *b, int status, int keep, int minor,
    const char *body, size_t blen, int head_only, const char *extra)
{
	buf_printf(b, "HTTP/1.%d %d %s\r\nServer: systour\r\nDate: %s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n%s%s\r\n", minor, status,
	    http_reason(status), http_date(s), blen,
	    !keep ? "Connection: close\r\n" :
	    minor == 0 ? "Connection: keep-alive\r\n" : "", extra ? extra : "");
	if (!head_only)
		buf_add(b, body, blen);
}

/* The whole answer to GET / on a kept-alive HTTP/1.minor connection. */
static void
reply_hello(struct hserver *s, struct buf *b, int minor)
{
	time_t t = time(NULL);
	if (t != s->hello_at) {
		for (int m = 0; m < 2; m++) {
			struct buf h = BUF_INIT;
			reply(s, &h, 200, 1, m, HELLO, sizeof HELLO - 1, 0,
			    NULL);
			if (h.len < sizeof s->hello[m]) {
				memcpy(s->hello[m], h.data, h.len);
				s->hello_len[m] = h.len;
			}
			buf_free(&h);
		}
		s->hello_at = t;
	}
	buf_add(b, s->hello[minor], s->hello_len[minor]);
}

/* An error reply, then close. */
static void
reply_error(struct hconn *c, int status)
{
	char body[64];
	int n = snprintf(body, sizeof body, "%d %s\n", status,
	    http_reason(status));
	reply(c->s, &c->out, status, 0, 1, body, (size_t)n, 0, NULL);
	c->closing = 1;
}

/* Write what waits in out. -1: the client is gone. */
static int
conn_flush(struct hconn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off,
		    c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		c->out_off += (size_t)n;
		c->since = now_ms();
	}
	if (c->out_off == c->out.len) {
		buf_clear(&c->out);
		c->out_off = 0;
	}
	return 0;
}

static void
on_delay(struct loop *l, void *arg)
{
	struct hconn *c = arg;
	buf_add(&c->out, c->held.data, c->held.len);
	buf_clear(&c->held);
	c->waiting = 0;
	if (!c->held_keep)
		c->closing = 1;
	c->since = now_ms();
	conn_update(c);
}

/* The delay of a request for path, or -1 for an unknown path. */
static long
path_delay(const char *p, size_t n, long *slow)
{
	*slow = -1;
	size_t q = 0;
	while (q < n && p[q] != '?' && p[q] != '#')
		q++;
	if (q == 1 && p[0] == '/')
		return 0;
	if (q > 6 && memcmp(p, "/slow/", 6) == 0 && q - 6 <= 6) {
		long ms = 0;
		for (size_t i = 6; i < q; i++) {
			if (p[i] < '0' || p[i] > '9')
				return -1;
			ms = ms * 10 + (p[i] - '0');
		}
		if (ms > SLOW_MAX_MS)
			return -1;
		*slow = ms;
		return ms;
	}
	return -1;
}

/* Answer the requests that have come, in order, until one is delayed. */
static void
conn_process(struct hconn *c)
{
	struct hserver *s = c->s;
	size_t used = 0;
	/* A client that sends and does not read gets no more answers
	 * queued past OUT_HIGH: the rest of its requests wait (unread past
	 * IN_HIGH) until it reads. */
	while (!c->waiting && !c->closing && used < c->in.len &&
	    c->out.len < OUT_HIGH) {
		struct http_req r;
		int status = 0;
		int rc = http_parse(c->in.data + used, c->in.len - used, &r,
		    &status);
		if (rc == HTTP_MORE)
			break;
		if (rc == HTTP_BAD) {
			reply_error(c, status);
			break;
		}
		used += r.length;
		s->requests++;
		c->since = now_ms();
		int head = r.methodlen == 4 && memcmp(r.method, "HEAD", 4) == 0;
		int get = r.methodlen == 3 && memcmp(r.method, "GET", 3) == 0;
		if (!get && !head) {
			char body[] = "405 Method Not Allowed\n";
			reply(s, &c->out, 405, r.keep, r.minor, body,
			    sizeof body - 1, 0, "Allow: GET, HEAD\r\n");
			if (!r.keep)
				c->closing = 1;
			continue;
		}
		long slow;
		long delay = path_delay(r.path, r.pathlen, &slow);
		if (delay < 0) {
			char body[] = "404 Not Found: try / or /slow/MS\n";
			reply(s, &c->out, 404, r.keep, r.minor, body,
			    sizeof body - 1, head, NULL);
			if (!r.keep)
				c->closing = 1;
			continue;
		}
		char body[64];
		const char *b = HELLO;
		size_t bl = sizeof HELLO - 1;
		if (slow >= 0) {
			bl = (size_t)snprintf(body, sizeof body,
			    "slow %ld ms\n", slow);
			b = body;
		}
		delay += s->o->delay_ms;
		if (delay == 0 && slow < 0 && r.keep && !head) {
			reply_hello(s, &c->out, r.minor);
			continue;
		}
		if (delay == 0) {
			reply(s, &c->out, 200, r.keep, r.minor, b, bl, head,
			    NULL);
			if (!r.keep)
				c->closing = 1;
			continue;
		}
		reply(s, &c->held, 200, r.keep, r.minor, b, bl, head, NULL);
		c->held_keep = r.keep;
		c->waiting = 1;
		if (c->timer == NULL)
			c->timer = loop_timer(s->loop, (int)delay, on_delay, c);
		else
			loop_timer_set(c->timer, (int)delay);
	}
	buf_consume(&c->in, used);
}

/* Process, write, and watch for what the connection needs next; free it
 * when it is done. */
static void
conn_update(struct hconn *c)
{
	conn_process(c);
	if (conn_flush(c) < 0) {
		conn_free(c);
		return;
	}
	int pending = c->out.len > 0;
	if ((c->closing || c->eof) && !pending && !c->waiting) {
		if (c->eof || c->lingering) {
			if (c->eof) {
				conn_free(c);
				return;
			}
		} else {
			shutdown(c->fd, SHUT_WR);
			c->lingering = 1;
			c->since = now_ms();
			buf_clear(&c->in);
		}
	}
	unsigned want;
	if (c->lingering)
		want = LOOP_READ;
	else if (c->closing || c->eof)
		want = pending ? LOOP_WRITE : 0;
	else if (c->waiting || c->in.len >= IN_HIGH || c->out.len >= OUT_HIGH)
		want = LOOP_HANGUP | (pending ? LOOP_WRITE : 0);
	else
		want = LOOP_READ | (pending ? LOOP_WRITE : 0);
	if (want != c->want) {
		c->want = want;
		loop_fd_set(c->w, want);
	}
}

/* The client half-closed its end (or we saw its FIN while not reading):
 * what it asked for is still answered, then the connection closes. */
static void
on_conn(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct hconn *c = arg;
	if (ev & LOOP_ERROR) {
		conn_free(c);		/* reset, or gone both ways */
		return;
	}
	if (c->lingering) {
		char drop[READ_CHUNK];
		ssize_t n = read(fd, drop, sizeof drop);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_free(c);
		return;
	}
	if ((ev & LOOP_READ) && (c->want & LOOP_HANGUP)) {
		char x;
		ssize_t n = recv(fd, &x, 1, MSG_PEEK);
		if (n == 0)
			c->eof = 1;
		else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			conn_free(c);
			return;
		}
	} else if ((ev & LOOP_READ) && (c->want & LOOP_READ)) {
		for (;;) {
			buf_reserve(&c->in, READ_CHUNK);
			ssize_t n = read(fd, c->in.data + c->in.len,
			    READ_CHUNK);
			if (n > 0) {
				c->in.len += (size_t)n;
				c->in.data[c->in.len] = '\0';
				if (n == READ_CHUNK && c->in.len < IN_HIGH)
					continue;
				break;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n < 0) {
				conn_free(c);	/* reset */
				return;
			}
			c->eof = 1;
			break;
		}
	}
	conn_update(c);
}

static void
accept_backoff(struct hserver *s, int err)
{
	if (s->o->log)
		fprintf(s->o->log, LD("systour serve http: accept: %s: not "
		    "accepting for %d s\n",
		    "systour serve http：accept：%s：%d 秒内不再接受连接\n"),
		    strerror(err),
		    ACCEPT_BACKOFF_MS / 1000);
	loop_fd_set(s->lw, 0);
	loop_timer_set(s->accept_again, ACCEPT_BACKOFF_MS);
}

static void
on_accept_again(struct loop *l, void *arg)
{
	struct hserver *s = arg;
	loop_fd_set(s->lw, LOOP_READ);
}

static void
on_listener(struct loop *l, int lfd, unsigned ev, void *arg)
{
	struct hserver *s = arg;
	for (int i = 0; i < 256; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				accept_backoff(s, errno);
			return;
		}
		struct hconn *c = xcalloc(1, sizeof *c);
		c->s = s;
		c->fd = fd;
		c->since = now_ms();
		c->want = LOOP_READ;
		c->w = loop_fd(l, fd, LOOP_READ, on_conn, c);
		if (c->w == NULL) {
			close(fd);
			free(c);
			continue;
		}
		ARRAY_GROW(s->c, s->c_cap, s->nc + 1);
		c->idx = s->nc;
		s->c[s->nc++] = c;
		s->conns++;
	}
}

/* Close the connections idle for idle_ms: 408 to one that began a
 * request and did not finish it. */
static void
on_sweep(struct loop *l, void *arg)
{
	struct hserver *s = arg;
	long long now = now_ms();
	for (size_t i = s->nc; i-- > 0;) {
		struct hconn *c = s->c[i];
		if (c->lingering) {
			if (now - c->since >= LINGER_MS)
				conn_free(c);
			continue;
		}
		if (c->waiting || now - c->since < s->o->idle_ms)
			continue;
		if (c->in.len > 0 && !c->closing && c->out.len == 0) {
			reply_error(c, 408);
			c->since = now;		/* a grace to send it */
			conn_update(c);
		} else
			conn_free(c);
	}
	loop_timer_set(s->sweep, SWEEP_MS);
}

static void
on_signal(struct loop *l, int sig, void *arg)
{
	loop_break(l);
}

int
serve_http_run(const struct serve_opts *o, char **cause)
{
	struct hserver s = { .o = o };
	char name[128];
	net_raise_nofile();
	s.lfd = net_listen(o->host, o->port, name, sizeof name, cause);
	if (s.lfd < 0)
		return 1;
	if ((s.loop = loop_new(cause)) == NULL) {
		close(s.lfd);
		return 1;
	}
	s.lw = loop_fd(s.loop, s.lfd, LOOP_READ, on_listener, &s);
	s.accept_again = loop_timer(s.loop, -1, on_accept_again, &s);
	s.sweep = loop_timer(s.loop, SWEEP_MS, on_sweep, &s);
	struct loop_watch *si = loop_signal(s.loop, SIGINT, on_signal, &s);
	struct loop_watch *st = loop_signal(s.loop, SIGTERM, on_signal, &s);
	net_announce(o->out, o->log, "serve http", name, 10000);

	loop_run(s.loop);

	loop_cancel(si);
	loop_cancel(st);
	if (o->log) {
		fprintf(o->log, LD("systour serve http: stopped: %llu "
		    "request%s "
		    "on %llu connection%s\n",
		    "systour serve http：已停止：%llu 个请求%.0s，%llu "
		    "个连接%.0s\n"),
		    s.requests,
		    s.requests == 1 ? "" : "s", s.conns,
		    s.conns == 1 ? "" : "s");
		fflush(o->log);
	}
	while (s.nc > 0)
		conn_free(s.c[s.nc - 1]);
	free(s.c);
	loop_free(s.loop);
	close(s.lfd);
	return 0;
}
