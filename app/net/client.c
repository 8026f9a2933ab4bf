/* client.c — `systour client HOST:PORT`: connect (non-blocking, with a
 * deadline, on the one event loop), send what comes on stdin, copy what
 * the server sends to stdout, until the server closes. At the end of stdin
 * the client shuts down its sending side (the peer reads b'') and still
 * reads the rest of the replies. So it talks to `serve echo` line by line,
 * and to the notes' server, which sends one line and closes. */
#include "buf.h"
#include "loop.h"
#include "net.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct client {
	const struct client_opts *o;
	struct loop		*loop;
	int			 fd;
	struct loop_watch	*sw, *iw, *deadline;
	int			 connected, in_eof, shut, done, failed;
	struct buf		 out;		/* stdin's bytes to send */
	size_t			 out_off;
	char			*cause;
};

static void
fail(struct client *c, char *cause)
{
	if (!c->failed) {
		c->failed = 1;
		c->cause = cause;
	} else
		free(cause);
	loop_break(c->loop);
}

static void
update(struct client *c)
{
	if (!c->connected)
		return;
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off,
		    c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EPIPE || errno == ECONNRESET) {
				/* the server closed first: what it sent is
				 * still read and printed */
				buf_clear(&c->out);
				c->out_off = 0;
				break;
			}
			fail(c, xasprintf("send: %s", strerror(errno)));
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len) {
		buf_clear(&c->out);
		c->out_off = 0;
		if (c->in_eof && !c->shut) {
			shutdown(c->fd, SHUT_WR);
			c->shut = 1;
		}
	}
	loop_fd_set(c->sw, LOOP_READ | (c->out.len > 0 ? LOOP_WRITE : 0));
	if (c->iw != NULL)
		loop_fd_set(c->iw, c->out.len < 65536 ? LOOP_READ : 0);
}

static void
on_stdin(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct client *c = arg;
	buf_reserve(&c->out, 4096);
	ssize_t n = read(fd, c->out.data + c->out.len, 4096);
	if (n > 0) {
		c->out.len += (size_t)n;
		c->out.data[c->out.len] = '\0';
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		c->in_eof = 1;
		loop_cancel(c->iw);
		c->iw = NULL;
	}
	update(c);
}

static void
on_sock(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct client *c = arg;
	if (!c->connected) {
		int err = 0;
		socklen_t len = sizeof err;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			fail(c, xasprintf(LD("cannot connect to %s:%s: %s",
			    "无法连接 %s:%s：%s"),
			    c->o->host, c->o->port, strerror(err)));
			return;
		}
		c->connected = 1;
		loop_cancel(c->deadline);
		c->deadline = NULL;
		update(c);
		return;
	}
	if (ev & LOOP_READ) {
		char b[16384];
		ssize_t n = read(fd, b, sizeof b);
		if (n > 0) {
			if (fwrite(b, 1, (size_t)n, stdout) != (size_t)n ||
			    fflush(stdout) != 0) {
				fail(c, xasprintf("stdout: %s",
				    strerror(errno)));
				return;
			}
		} else if (n == 0) {
			c->done = 1;
			loop_break(l);
			return;
		} else if (errno != EAGAIN && errno != EINTR) {
			if (errno == ECONNRESET) {
				c->done = 1;
				loop_break(l);
			} else
				fail(c, xasprintf("recv: %s", strerror(errno)));
			return;
		}
	}
	if (ev & LOOP_WRITE)
		update(c);
}

static void
on_deadline(struct loop *l, void *arg)
{
	struct client *c = arg;
	fail(c, xasprintf(LD("cannot connect to %s:%s: no answer within %d ms",
	    "无法连接 %s:%s：%d 毫秒内没有应答"),
	    c->o->host, c->o->port, c->o->timeout_ms));
}

static void
on_signal(struct loop *l, int sig, void *arg)
{
	struct client *c = arg;
	c->done = 1;
	loop_break(l);
}

/* Start a non-blocking connect to the first address that takes one. */
static int
start_connect(struct client *c, char **cause)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM }, *res, *ai;
	int rc = getaddrinfo(c->o->host, c->o->port, &hints, &res);
	if (rc != 0) {
		*cause = xasprintf("%s:%s: %s", c->o->host, c->o->port,
		    gai_strerror(rc));
		return -1;
	}
	int err = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			c->fd = fd;
			break;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		*cause = xasprintf(LD("cannot connect to %s:%s: %s",
		    "无法连接 %s:%s：%s"), c->o->host,
		    c->o->port, strerror(err));
		return -1;
	}
	return 0;
}

int
client_run(const struct client_opts *o, char **cause)
{
	struct client c = { .o = o, .fd = -1 };
	if (start_connect(&c, cause) < 0)
		return 1;
	if ((c.loop = loop_new(cause)) == NULL) {
		close(c.fd);
		return 1;
	}
	c.sw = loop_fd(c.loop, c.fd, LOOP_WRITE, on_sock, &c);
	c.deadline = loop_timer(c.loop, o->timeout_ms, on_deadline, &c);
	c.iw = loop_fd(c.loop, STDIN_FILENO, LOOP_READ, on_stdin, &c);
	if (c.iw == NULL) {
		/* A regular file (epoll refuses it) or no stdin: read it
		 * whole now; reading a file does not wait on anyone. */
		char b[4096];
		ssize_t n;
		while ((n = read(STDIN_FILENO, b, sizeof b)) > 0)
			buf_add(&c.out, b, (size_t)n);
		c.in_eof = 1;
	}
	struct loop_watch *si = loop_signal(c.loop, SIGINT, on_signal, &c);
	struct loop_watch *st = loop_signal(c.loop, SIGTERM, on_signal, &c);

	loop_run(c.loop);

	loop_cancel(si);
	loop_cancel(st);
	loop_free(c.loop);
	close(c.fd);
	buf_free(&c.out);
	if (c.failed) {
		*cause = c.cause;
		return 1;
	}
	return 0;
}
