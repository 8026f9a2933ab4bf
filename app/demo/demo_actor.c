/* demo_actor.c — the demo API as it runs inside a demo's processes and
 * threads: actors (each with its own descriptor on its pane's pipe and its
 * own step gate), printing whole lines, steps, notes and figures. Plain
 * system calls on descriptors the supervisor handed down; nothing here is
 * global to a process, so any thread may use it. */
#include "demo_actor.h"
#include "demo_lib.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LINE_HOLD 4096          /* a longer line without a newline is cut */
/* An actor's own descriptors go from here up, out of the way of the low
 * numbers the notes' programs get and print ("open() = 3"). */
#define ACTOR_FD_BASE 64

struct demo_actor {
	struct demo_ctx *ctx;
	int pane;
	int fd;                 /* its own descriptor on the pane's pipe */
	int gate;               /* read end of its own gate */
	pid_t pid, tid;
	unsigned seq;
	int owns_stdio;         /* made by to_pane(): stdout is the pane */
	size_t held;            /* bytes of an unfinished line in hold */
	char hold[LINE_HOLD];
};

/* One report, sent at once (or not at all), with fd riding along when it
 * is not -1. */
static void
send_report(struct demo_ctx *ctx, int fd, const char *fmt, ...)
{
	char buf[DEMO_REPORT_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 1)
		n = (int)sizeof buf - 1;
	for (int i = 0; i < n; i++)     /* a report is one line */
		if (buf[i] == '\n')
			buf[i] = ' ';
	struct iovec iov = { buf, (size_t)n };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} cm;
	if (fd >= 0) {
		memset(&cm, 0, sizeof cm);
		msg.msg_control = cm.space;
		msg.msg_controllen = sizeof cm.space;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	while (sendmsg(ctx->report_fd, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Write out the complete lines a holds, in writes of whole lines of at
 * most PIPE_BUF bytes each where they fit (those are never mixed with
 * another writer's); with all set, the unfinished line too. */
static void
flush_lines(struct demo_actor *a, int all)
{
	size_t start = 0;
	while (start < a->held) {
		size_t end = start, last_nl = 0;
		for (size_t i = start; i < a->held && i - start < PIPE_BUF; i++)
			if (a->hold[i] == '\n')
				last_nl = i + 1;
		if (last_nl > start)
			end = last_nl;
		else if (a->held - start >= PIPE_BUF || all)
			end = a->held - start > PIPE_BUF ? start + PIPE_BUF : a->held;
		else
			break;          /* an unfinished line: keep it */
		demo_write_all(a->fd, a->hold + start, end - start);
		start = end;
	}
	a->held -= start;
	memmove(a->hold, a->hold + start, a->held);
}

static void
flush_actor(struct demo_actor *a)
{
	flush_lines(a, 1);
	if (a->owns_stdio) {
		fflush(stdout);
		fflush(stderr);
	}
}

static struct demo_actor *
new_actor(struct demo_ctx *ctx, int pane, const char *who, int stdio)
{
	static atomic_uint serial;
	if (pane < 0 || pane >= ctx->npanes)
		return NULL;
	struct demo_actor *a = calloc(1, sizeof *a);
	int gate[2] = { -1, -1 };
	if (a == NULL)
		return NULL;
	a->ctx = ctx;
	a->pane = pane;
	a->fd = fcntl(ctx->pane_fd[pane], F_DUPFD_CLOEXEC, ACTOR_FD_BASE);
	a->gate = -1;
	/* a socket pair, not a pipe: the supervisor's write to the gate of
	 * an actor that died is an error (MSG_NOSIGNAL), not a SIGPIPE */
	if (a->fd >= 0 &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gate) == 0) {
		a->gate = fcntl(gate[0], F_DUPFD_CLOEXEC, ACTOR_FD_BASE);
		close(gate[0]);
		if (a->gate < 0)
			close(gate[1]);
	}
	if (a->fd < 0 || a->gate < 0) {
		if (a->fd >= 0)
			close(a->fd);
		free(a);
		return NULL;
	}
	a->pid = getpid();
	a->tid = (pid_t)syscall(SYS_gettid);
	a->seq = atomic_fetch_add(&serial, 1) + 1;
	a->owns_stdio = stdio;
	if (stdio) {
		fflush(stdout);
		fflush(stderr);
		dup2(ctx->pane_fd[pane], STDOUT_FILENO);
		dup2(ctx->pane_fd[pane], STDERR_FILENO);
	}
	/* the gate's write end goes to the supervisor, and only there */
	struct stat st;
	unsigned long ino = fstat(a->gate, &st) == 0 ? (unsigned long)st.st_ino : 0;
	send_report(ctx, gate[1], "A %d %d %d %u %lu %s", pane, (int)a->pid,
	    (int)a->tid, a->seq, ino, who ? who : "");
	close(gate[1]);
	return a;
}

static struct demo_actor *
api_actor(struct demo_ctx *ctx, int pane, const char *who)
{
	return new_actor(ctx, pane, who, 0);
}

static struct demo_actor *
api_to_pane(struct demo_ctx *ctx, int pane, const char *who)
{
	if (pane < 0 || pane >= ctx->npanes)
		return NULL;
	/* die with the parent; if it is already gone, go too */
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getpid() != ctx->leader &&
	    (parent == 1 || parent == ctx->supervisor))
		_exit(1);
	if (getpid() == ctx->leader && parent != ctx->supervisor)
		_exit(1);
	return new_actor(ctx, pane, who, 1);
}

struct demo_actor *
demo_actor_leader(struct demo_ctx *ctx, const char *who)
{
	return api_to_pane(ctx, 0, who);
}

static void
api_step(struct demo_actor *a, int line)
{
	char c;
	if (a == NULL)
		return;
	flush_actor(a);
	send_report(a->ctx, -1, "S %d %u %d %d", (int)a->tid, a->seq, a->pane,
	    line);
	while (read(a->gate, &c, 1) < 0 && errno == EINTR)
		;
}

static void
api_print(struct demo_actor *a, const char *fmt, ...)
{
	char buf[LINE_HOLD];
	if (a == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 1)
		n = (int)sizeof buf - 1;
	for (int i = 0; i < n;) {
		size_t room = sizeof a->hold - a->held;
		size_t k = (size_t)(n - i) < room ? (size_t)(n - i) : room;
		memcpy(a->hold + a->held, buf + i, k);
		a->held += k;
		i += (int)k;
		flush_lines(a, 0);
		if (a->held == sizeof a->hold)
			flush_lines(a, 1);      /* a very long line: cut it */
	}
}

static const char *
api_scratch(struct demo_ctx *ctx)
{
	return ctx->scratch;
}

static int
api_zh(struct demo_ctx *ctx)
{
	return ctx->zh;
}

static void
api_note(struct demo_actor *a, const char *fmt, ...)
{
	char text[DEMO_REPORT_MAX - 16];
	if (a == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	flush_actor(a);
	send_report(a->ctx, -1, "N %d %s", a->pane, text);
}

static void
api_figure(struct demo_actor *a, const char *name, long long value)
{
	if (a == NULL)
		return;
	flush_actor(a);
	send_report(a->ctx, -1, "F %d %s %lld", a->pane, name, value);
}

static void
api_release(struct demo_actor *a)
{
	if (a == NULL)
		return;
	flush_actor(a);
	send_report(a->ctx, -1, "R %d %u", (int)a->tid, a->seq);
	close(a->gate);
	close(a->fd);
	free(a);
}

const struct demo_api demo_api = {
	.actor = api_actor,
	.to_pane = api_to_pane,
	.step = api_step,
	.print = api_print,
	.note = api_note,
	.figure = api_figure,
	.scratch = api_scratch,
	.release = api_release,
	.zh = api_zh,
};
