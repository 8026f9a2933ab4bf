/* demo_actor.c — the demo API as it runs inside a demo's processes:
 * choosing a pane, passing the step gate, notes and figures. Everything
 * here is plain system calls on descriptors the supervisor handed down. */
#include "demo_actor.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One report line, written at once (or not at all), after what this
 * actor printed so far: the supervisor shows the two in that order. */
static void
report(struct demo_ctx *ctx, const char *fmt, ...)
{
	char buf[DEMO_REPORT_MAX];
	fflush(stdout);
	fflush(stderr);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	/* a report is one line: newlines inside become spaces */
	for (int i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	buf[n++] = '\n';
	while (write(ctx->report_fd, buf, (size_t)n) < 0 && errno == EINTR)
		;
}

static int
api_to_pane(struct demo_ctx *ctx, int pane, const char *who)
{
	if (pane < 0 || pane >= ctx->npanes)
		return -1;
	/* die with the parent; if it is already gone, go too */
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getpid() != ctx->leader &&
	    (parent == 1 || parent == ctx->supervisor))
		_exit(1);
	if (getpid() == ctx->leader && parent != ctx->supervisor)
		_exit(1);
	fflush(stdout);
	fflush(stderr);
	dup2(ctx->pane_fd[pane], STDOUT_FILENO);
	dup2(ctx->pane_fd[pane], STDERR_FILENO);
	ctx->pane = pane;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	report(ctx, "T %d %d %d %s", pane, (int)getpid(), (int)tid,
	    who ? who : "");
	return 0;
}

static void
api_step(struct demo_ctx *ctx, int line)
{
	char c;
	fflush(stdout);
	fflush(stderr);
	report(ctx, "S %d %d", ctx->pane, line);
	while (read(ctx->gate_fd[ctx->pane], &c, 1) < 0 && errno == EINTR)
		;
}

static const char *
api_scratch(struct demo_ctx *ctx)
{
	return ctx->scratch;
}

static void
api_note(struct demo_ctx *ctx, const char *fmt, ...)
{
	char text[DEMO_REPORT_MAX - 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	report(ctx, "N %d %s", ctx->pane, text);
}

static void
api_figure(struct demo_ctx *ctx, const char *name, long long value)
{
	report(ctx, "F %d %s %lld", ctx->pane, name, value);
}

const struct demo_api demo_api = {
	.to_pane = api_to_pane,
	.step = api_step,
	.scratch = api_scratch,
	.note = api_note,
	.figure = api_figure,
};
