/* serve_echo.c — `systour serve echo`: every byte a client sends comes back
 * to it, on the one event loop (epoll, non-blocking sockets), for as many
 * clients as the open files limit allows. Each client is first greeted with
 * the notes' "welcome to here" line, so the notes' own client (one recv,
 * then print) gets an answer from it too.
 *
 * A client that sends but does not read is not buffered without end: past
 * OUT_HIGH unsent bytes its socket is no longer read until it drains. A
 * connection idle for --idle is closed, by one sweep a second. */
#include "buf.h"
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
#include <unistd.h>

#define READ_CHUNK	16384
#define OUT_HIGH	(256u << 10)
#define SWEEP_MS	1000
#define ACCEPT_BACKOFF_MS 1000

struct eserver;

struct econn {
	struct eserver		*s;
	int			 fd;
	size_t			 idx;
	struct loop_watch	*w;
	unsigned		 want;
	struct buf		 out;
	size_t			 out_off;
	int			 eof;
	long long		 since;
};

struct eserver {
	const struct serve_opts	*o;
	struct loop		*loop;
	int			 lfd;
	struct loop_watch	*lw, *accept_again, *sweep;
	struct econn		**c;
	size_t			 nc, c_cap, most;
	unsigned long long	 conns, bytes;
};

static void
econn_free(struct econn *c)
{
	struct eserver *s = c->s;
	s->c[c->idx] = s->c[--s->nc];
	s->c[c->idx]->idx = c->idx;
	loop_cancel(c->w);
	close(c->fd);
	buf_free(&c->out);
	free(c);
}

/* Send what waits, then watch for what comes next; free c when done. */
static void
econn_update(struct econn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off,
		    c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			econn_free(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len) {
		buf_clear(&c->out);
		c->out_off = 0;
	}
	int pending = c->out.len > 0;
	if (c->eof && !pending) {
		econn_free(c);
		return;
	}
	unsigned want = c->eof ? LOOP_WRITE :
	    c->out.len >= OUT_HIGH ? LOOP_HANGUP | LOOP_WRITE :
	    LOOP_READ | (pending ? LOOP_WRITE : 0);
	if (want != c->want) {
		c->want = want;
		loop_fd_set(c->w, want);
	}
}

static void
on_econn(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct econn *c = arg;
	if (ev & LOOP_ERROR) {
		econn_free(c);
		return;
	}
	if ((ev & LOOP_READ) && (c->want & LOOP_READ)) {
		buf_reserve(&c->out, READ_CHUNK);
		ssize_t n = read(fd, c->out.data + c->out.len, READ_CHUNK);
		if (n > 0) {
			c->out.len += (size_t)n;
			c->out.data[c->out.len] = '\0';
			c->s->bytes += (size_t)n;
			c->since = now_ms();
		} else if (n == 0)
			c->eof = 1;
		else if (errno != EAGAIN && errno != EINTR) {
			econn_free(c);
			return;
		}
	} else if ((ev & LOOP_READ) && (c->want & LOOP_HANGUP)) {
		char x;
		ssize_t n = recv(fd, &x, 1, MSG_PEEK);
		if (n == 0)
			c->eof = 1;
		else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			econn_free(c);
			return;
		}
	}
	econn_update(c);
}

static void
on_accept_again(struct loop *l, void *arg)
{
	struct eserver *s = arg;
	loop_fd_set(s->lw, LOOP_READ);
}

static void
on_listener(struct loop *l, int lfd, unsigned ev, void *arg)
{
	struct eserver *s = arg;
	for (int i = 0; i < 256; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				if (s->o->log)
					fprintf(s->o->log,
					    LD("systour serve echo: "
					    "accept: %s (%zu clients): not "
					    "accepting for %d s\n",
					    "systour serve "
					    "echo：accept：%s（%zu "
					    "个客户端）：%d "
					    "秒内不再接受连接\n"),
					    strerror(errno), s->nc,
					    ACCEPT_BACKOFF_MS / 1000);
				loop_fd_set(s->lw, 0);
				loop_timer_set(s->accept_again,
				    ACCEPT_BACKOFF_MS);
			}
			return;
		}
		struct econn *c = xcalloc(1, sizeof *c);
		c->s = s;
		c->fd = fd;
		c->since = now_ms();
		c->want = LOOP_READ;
		c->w = loop_fd(l, fd, LOOP_READ, on_econn, c);
		if (c->w == NULL) {
			close(fd);
			free(c);
			continue;
		}
		ARRAY_GROW(s->c, s->c_cap, s->nc + 1);
		c->idx = s->nc;
		s->c[s->nc++] = c;
		s->conns++;
		if (s->nc > s->most)
			s->most = s->nc;
		if (s->o->greeting != NULL) {
			buf_adds(&c->out, s->o->greeting);
			econn_update(c);
		}
	}
}

static void
on_sweep(struct loop *l, void *arg)
{
	struct eserver *s = arg;
	long long now = now_ms();
	for (size_t i = s->nc; i-- > 0;)
		if (now - s->c[i]->since >= s->o->idle_ms)
			econn_free(s->c[i]);
	loop_timer_set(s->sweep, SWEEP_MS);
}

static void
on_signal(struct loop *l, int sig, void *arg)
{
	loop_break(l);
}

int
serve_echo_run(const struct serve_opts *o, char **cause)
{
	struct eserver s = { .o = o };
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
	net_announce(o->out, o->log, "serve echo", name, 10000);

	loop_run(s.loop);

	loop_cancel(si);
	loop_cancel(st);
	if (o->log) {
		fprintf(o->log, LD("systour serve echo: stopped: %llu "
		    "connection%s, %zu at most at once, %llu bytes echoed\n",
		    "systour serve echo：已停止：%llu 个连接%.0s，同时最多 %zu "
		    "个，回显了 %llu "
		    "字节\n"),
		    s.conns, s.conns == 1 ? "" : "s", s.most, s.bytes);
		fflush(o->log);
	}
	while (s.nc > 0)
		econn_free(s.c[s.nc - 1]);
	free(s.c);
	loop_free(s.loop);
	close(s.lfd);
	return 0;
}
