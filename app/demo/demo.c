/* demo.c — the supervisor of a live demo. It owns the demo's process
 * group: it forks the leader, reads the panes and the actors' reports from
 * non-blocking pipes watched on the event loop, opens each pane's step gate
 * at the set delay (a loop timer; or, paused, once per step for the actor
 * that has waited longest), reaps the demo's processes through the loop's
 * child watch on its group (the tutor is a child subreaper, so orphaned
 * actors come back to it; its other children are left to whoever started
 * them: see on_child()), and stops the group with SIGTERM and then SIGKILL. */
#include "demo.h"
#include "demo_actor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Built with AddressSanitizer: gcc says so with __SANITIZE_ADDRESS__,
 * clang with __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define DEMO_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEMO_UNDER_ASAN 1
#endif
#endif
#ifndef DEMO_UNDER_ASAN
#define DEMO_UNDER_ASAN 0
#endif

#define LINE_MAX_BYTES 4096     /* a longer line is cut into pieces */
#define MAX_KNOWN 256           /* processes whose names we remember */

/* Bytes read from a pipe, waiting for their newline. */
struct linebuf {
	char b[LINE_MAX_BYTES + 1];     /* room for a NUL after a full line */
	size_t len;
};

struct demo_run {
	const struct systour_demo *demo;
	struct demo_sink sink;
	struct loop *loop;
	struct loop_watch *w_pane[DEMO_MAX_PANES], *w_report;
	struct loop_watch *w_leader, *w_group;  /* exits: by PID, by group */
	struct loop_watch *w_gate;      /* opens the gate at the delay */
	struct loop_watch *w_kill;      /* SIGKILL once the grace is over */
	struct loop_watch *w_settle;    /* the group empties: look again */
	int told_finished;
	struct demo_ctx ctx;            /* as the leader got it */
	pid_t leader;
	int leader_done;

	int npanes;
	int pane_rd[DEMO_MAX_PANES];    /* -1 once at end of file */
	struct linebuf pane_buf[DEMO_MAX_PANES];
	int report_rd;
	struct linebuf report_buf;
	int gate_wr[DEMO_MAX_PANES];    /* one step gate per pane */

	int paused, delay;
	/* Actors at a gate, in the order they came: pane numbers. A step
	 * given before anyone waits is a credit the next arrival uses. */
	int queue[256];
	int nqueue;
	int credit;
	int stopping;

	struct {
		pid_t pid;
		char who[32];
	} known[MAX_KNOWN];
	int nknown;
	pid_t pane_pid[DEMO_MAX_PANES]; /* each pane's actor, from to_pane */
};

/* ---- Finding demos ---------------------------------------------------- */

const struct systour_demo *
demo_find(const struct lesson_set *set, const char *name)
{
	for (int i = 0; i < set->n; i++) {
		const struct systour_lesson_module *m = set->v[i].module_info;
		for (int k = 0; m && m->demos && m->demos[k]; k++)
			if (strcmp(m->demos[k]->name, name) == 0)
				return m->demos[k];
	}
	return NULL;
}

/* ---- Starting --------------------------------------------------------- */

static void
remember(struct demo_run *r, pid_t pid, const char *who)
{
	for (int i = 0; i < r->nknown; i++)
		if (r->known[i].pid == pid) {
			snprintf(r->known[i].who, sizeof r->known[i].who, "%s", who);
			return;
		}
	if (r->nknown == MAX_KNOWN)
		return;
	r->known[r->nknown].pid = pid;
	snprintf(r->known[r->nknown++].who, sizeof r->known[0].who, "%s", who);
}

static const char *
who_is(const struct demo_run *r, pid_t pid)
{
	for (int i = 0; i < r->nknown; i++)
		if (r->known[i].pid == pid)
			return r->known[i].who;
	return "";
}

static void
limit(int resource, rlim_t value)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) == 0 && (rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max > value)) {
		rl.rlim_cur = value;
		rl.rlim_max = value;
		setrlimit(resource, &rl);
	}
}

/* In the forked leader: a process group of its own, default signals,
 * only the demo's descriptors, resource limits, then the demo. */
static void __attribute__((noreturn))
leader_main(struct demo_run *r)
{
	struct demo_ctx *ctx = &r->ctx;
	sigset_t none;

	setpgid(0, 0);
	loop_after_fork();
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 0);

	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	/* keep only the demo's own descriptors */
	for (int fd = 3; fd < 1024; fd++) {
		int keep = fd == ctx->report_fd;
		for (int p = 0; p < ctx->npanes; p++)
			keep |= fd == ctx->pane_fd[p] || fd == ctx->gate_fd[p];
		if (!keep)
			close(fd);
	}
	limit(RLIMIT_CPU, 60);
#if !DEMO_UNDER_ASAN    /* ASan reserves terabytes of address space */
	limit(RLIMIT_AS, (rlim_t)1 << 30);
#endif
	limit(RLIMIT_FSIZE, (rlim_t)64 << 20);
	limit(RLIMIT_NOFILE, 256);
	limit(RLIMIT_NPROC, 512);
	limit(RLIMIT_CORE, 0);

	setvbuf(stdout, NULL, _IOLBF, 0);
	demo_api.to_pane(ctx, 0, r->demo->panes[0]);
	int rc = r->demo->run(ctx, &demo_api);
	fflush(stdout);
	fflush(stderr);
	_exit(rc & 0xff);
}

static int
make_pipe(int fds[2], char **cause)
{
	if (pipe2(fds, O_CLOEXEC) == 0)
		return 0;
	*cause = xasprintf("cannot make a pipe: %s", strerror(errno));
	return -1;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void on_pane(struct loop *l, int fd, unsigned events, void *arg);
static void on_report(struct loop *l, int fd, unsigned events, void *arg);
static void on_child(struct loop *l, pid_t pid, int status, void *arg);
static void on_gate(struct loop *l, void *arg);
static void on_kill(struct loop *l, void *arg);
static void on_settle(struct loop *l, void *arg);

struct demo_run *
demo_start(struct loop *loop, const struct systour_demo *d,
    const struct demo_sink *sink, int paused, int delay_ms, char **cause)
{
	struct demo_run *r = xcalloc(1, sizeof *r);
	int rep[2] = { -1, -1 };

	r->loop = loop;
	r->demo = d;
	if (sink)
		r->sink = *sink;
	r->paused = paused;
	r->delay = delay_ms < 0 ? DEMO_DELAY_MS : delay_ms;
	r->report_rd = -1;
	for (int p = 0; p < DEMO_MAX_PANES; p++)
		r->pane_rd[p] = r->ctx.pane_fd[p] = r->gate_wr[p] =
		    r->ctx.gate_fd[p] = -1;
	while (d->panes[r->npanes] && r->npanes < DEMO_MAX_PANES)
		r->npanes++;
	if (r->npanes == 0) {
		*cause = xasprintf("demo %s has no panes", d->name);
		goto fail;
	}
	/* orphaned actors are re-parented to us, so we reap them too */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	const char *tmp = getenv("TMPDIR");
	snprintf(r->ctx.scratch, sizeof r->ctx.scratch, "%s/systour-%s-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp", d->name);
	if (mkdtemp(r->ctx.scratch) == NULL) {
		*cause = xasprintf("cannot make a scratch directory in %s: %s",
		    tmp && *tmp ? tmp : "/tmp", strerror(errno));
		r->ctx.scratch[0] = '\0';
		goto fail;
	}
	for (int p = 0; p < r->npanes; p++) {
		int fds[2];
		if (make_pipe(fds, cause) != 0)
			goto fail;
		r->pane_rd[p] = fds[0];
		r->ctx.pane_fd[p] = fds[1];
		if (make_pipe(fds, cause) != 0)
			goto fail;
		r->ctx.gate_fd[p] = fds[0];
		r->gate_wr[p] = fds[1];
	}
	if (make_pipe(rep, cause) != 0)
		goto fail;
	r->report_rd = rep[0];
	r->ctx.report_fd = rep[1];
	r->ctx.npanes = r->npanes;
	r->ctx.supervisor = getpid();

	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		*cause = xasprintf("cannot fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		r->ctx.leader = getpid();
		/* the demo's descriptors must survive into its processes */
		for (int p = 0; p < r->npanes; p++) {
			fcntl(r->ctx.pane_fd[p], F_SETFD, 0);
			fcntl(r->ctx.gate_fd[p], F_SETFD, 0);
		}
		fcntl(r->ctx.report_fd, F_SETFD, 0);
		leader_main(r);
	}
	setpgid(pid, pid);      /* also here: no race with our first kill() */
	r->leader = pid;
	r->ctx.leader = pid;
	remember(r, pid, d->panes[0]);

	/* the supervisor keeps only its own ends */
	for (int p = 0; p < r->npanes; p++) {
		close_fd(&r->ctx.pane_fd[p]);
		close_fd(&r->ctx.gate_fd[p]);
		fcntl(r->pane_rd[p], F_SETFL, O_NONBLOCK);
		fcntl(r->gate_wr[p], F_SETFL, O_NONBLOCK);
	}
	close_fd(&r->ctx.report_fd);
	fcntl(r->report_rd, F_SETFL, O_NONBLOCK);

	for (int p = 0; p < r->npanes; p++)
		r->w_pane[p] = loop_fd(loop, r->pane_rd[p], LOOP_READ, on_pane, r);
	r->w_report = loop_fd(loop, r->report_rd, LOOP_READ, on_report, r);
	r->w_leader = loop_child(loop, pid, on_child, r);
	r->w_group = loop_child(loop, -pid, on_child, r);
	r->w_gate = loop_timer(loop, -1, on_gate, r);
	r->w_kill = loop_timer(loop, -1, on_kill, r);
	r->w_settle = loop_timer(loop, -1, on_settle, r);
	return r;
fail:
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	r->leader = 0;
	demo_free(r);
	return NULL;
}

/* ---- Running ---------------------------------------------------------- */

/* Let the actor that has waited longest through its pane's gate. */
static void
release_first(struct demo_run *r)
{
	if (r->nqueue == 0)
		return;
	int pane = r->queue[0];
	memmove(r->queue, r->queue + 1, (size_t)--r->nqueue * sizeof r->queue[0]);
	if (write(r->gate_wr[pane], "s", 1) < 0) {
		/* the pane's actors are gone */
	}
}

static void drain_pane(struct demo_run *r, int p);

static void
handle_report(struct demo_run *r, char *s)
{
	int pane, line, pid, tid, off = 0;
	long long value;
	char name[64];

	switch (s[0]) {
	case 'S':
		if (sscanf(s, "S %d %d", &pane, &line) == 2 && pane >= 0 &&
		    pane < r->npanes) {
			/* The actor flushed its output, wrote this and now
			 * waits at its gate: its pipe holds exactly what it
			 * printed before the step. Show that first, so it
			 * never comes after what the step lets others do. */
			drain_pane(r, pane);
			if (r->nqueue == 0)
				loop_timer_set(r->w_gate, r->delay);
			if (r->nqueue < (int)(sizeof r->queue / sizeof r->queue[0]))
				r->queue[r->nqueue++] = pane;
			else if (write(r->gate_wr[pane], "s", 1) < 0) {
				/* too many waiting to keep in order: let it go */
			}
			if (r->credit > 0) {
				r->credit--;
				release_first(r);
			}
			if (r->sink.position)
				r->sink.position(r->sink.arg, pane, line);
		}
		break;
	case 'T':
		if (sscanf(s, "T %d %d %d %n", &pane, &pid, &tid, &off) == 3) {
			remember(r, pid, s + off);
			if (pane >= 0 && pane < r->npanes)
				r->pane_pid[pane] = pid;
			if (r->sink.title)
				r->sink.title(r->sink.arg, pane, s + off, pid, tid);
		}
		break;
	case 'N':	/* "N pane text": after what that pane printed */
		if (sscanf(s, "N %d %n", &pane, &off) == 1 && off > 0) {
			if (pane >= 0 && pane < r->npanes)
				drain_pane(r, pane);
			if (r->sink.note)
				r->sink.note(r->sink.arg, s + off);
		}
		break;
	case 'F':
		if (sscanf(s, "F %d %63s %lld", &pane, name, &value) == 3) {
			if (pane >= 0 && pane < r->npanes)
				drain_pane(r, pane);
			if (r->sink.figure)
				r->sink.figure(r->sink.arg, name, value);
		}
		break;
	}
}

/* Read what a pipe has; hand over each complete line (and, at the end,
 * what is left). Returns 0 at end of file, 1 otherwise. */
static int
drain(int fd, struct linebuf *lb, void (*each)(struct demo_run *, int, char *,
    size_t), struct demo_run *r, int pane)
{
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t n = read(fd, lb->b + lb->len, LINE_MAX_BYTES - lb->len);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 1 : 0;
		size_t start = 0, end = lb->len + (size_t)n;
		if (n == 0) {
			if (lb->len > 0)
				each(r, pane, lb->b, lb->len);
			lb->len = 0;
			return 0;
		}
		for (size_t i = lb->len; i < end; i++)
			if (lb->b[i] == '\n') {
				lb->b[i] = '\0';
				each(r, pane, lb->b + start, i - start);
				start = i + 1;
			}
		lb->len = end - start;
		memmove(lb->b, lb->b + start, lb->len);
		if (lb->len == LINE_MAX_BYTES) {        /* a very long line: cut it */
			each(r, pane, lb->b, lb->len);
			lb->len = 0;
		}
	}
	return 1;
}

static void
pane_line(struct demo_run *r, int pane, char *s, size_t len)
{
	if (r->sink.line)
		r->sink.line(r->sink.arg, pane, s, len);
}

/* Hand over what pane p's pipe holds; at its end, stop watching it. */
static void
drain_pane(struct demo_run *r, int p)
{
	if (r->pane_rd[p] >= 0 &&
	    drain(r->pane_rd[p], &r->pane_buf[p], pane_line, r, p) == 0) {
		loop_cancel(r->w_pane[p]);
		r->w_pane[p] = NULL;
		close_fd(&r->pane_rd[p]);
	}
}

static void
drain_panes(struct demo_run *r)
{
	for (int p = 0; p < r->npanes; p++)
		drain_pane(r, p);
}

static void
report_line(struct demo_run *r, int pane, char *s, size_t len)
{
	s[len] = '\0';
	handle_report(r, s);
}

static int group_alive(const struct demo_run *r);

/* Reports first, always: a title comes before the lines of its actor, and
 * a step, note or figure shows after what its actor printed before it
 * (handle_report drains that actor's pane first). */
static void
drain_reports(struct demo_run *r)
{
	if (r->report_rd >= 0 &&
	    drain(r->report_rd, &r->report_buf, report_line, r, 0) == 0) {
		loop_cancel(r->w_report);
		r->w_report = NULL;
		close_fd(&r->report_rd);
	}
}

/* The last thing every callback does: tell the front end once that the
 * run is over. It may free the run from there. */
static void
settle(struct demo_run *r)
{
	if (r->told_finished)
		return;
	if (!demo_finished(r)) {
		/* the leader is gone but not yet the whole group */
		if (r->leader_done && !loop_timer_armed(r->w_settle))
			loop_timer_set(r->w_settle, 50);
		return;
	}
	r->told_finished = 1;
	loop_timer_set(r->w_settle, -1);
	if (r->sink.finished)
		r->sink.finished(r->sink.arg);
}

static void
on_pane(struct loop *l, int fd, unsigned events, void *arg)
{
	struct demo_run *r = arg;
	drain_reports(r);
	for (int p = 0; p < r->npanes; p++)
		if (r->pane_rd[p] == fd)
			drain_pane(r, p);
	settle(r);
}

static void
on_report(struct loop *l, int fd, unsigned events, void *arg)
{
	struct demo_run *r = arg;
	drain_reports(r);
	settle(r);
}

/* A process of the demo was reaped by the loop's child watches: the
 * leader by its PID (should it leave its group) and every process of the
 * leader's group by waitpid(-leader). As a child subreaper the tutor gets
 * as children the demo's leader and every process of the demo whose parent
 * exits first, but also any other child the tutor starts (an exercise, a
 * pager) and the orphans of those: the loop never waits for those, only
 * for what is watched. Every process of the demo is in the leader's
 * process group (which is also how the supervisor kills it), and a zombie
 * keeps its group, so waitpid(-leader) returns exactly the demo's
 * processes among our children. While any member of the group is there,
 * zombies included, the kernel does not hand out the group's number as a
 * new PID; once the leader is reaped and the group is empty we stop
 * watching it, so a later group that got the number is left alone. What
 * the process printed is shown before the news of its end. */
static void
on_child(struct loop *l, pid_t pid, int status, void *arg)
{
	struct demo_run *r = arg;
	drain_reports(r);
	drain_panes(r);
	if (pid == r->leader) {
		r->leader_done = 1;
		if (r->w_leader) {
			loop_cancel(r->w_leader);
			r->w_leader = NULL;
		}
	}
	if (r->sink.exited)
		r->sink.exited(r->sink.arg, pid, who_is(r, pid), status);
	if (r->leader_done && !group_alive(r) && r->w_group) {
		loop_cancel(r->w_group);
		r->w_group = NULL;
	}
	settle(r);
}

/* Every actor waiting takes one step per opening. */
static void
on_gate(struct loop *l, void *arg)
{
	struct demo_run *r = arg;
	if (!r->paused)
		for (int n = r->nqueue; n > 0; n--)
			release_first(r);
}

static void
on_kill(struct loop *l, void *arg)
{
	struct demo_run *r = arg;
	kill(-r->leader, SIGKILL);
}

static void
on_settle(struct loop *l, void *arg)
{
	struct demo_run *r = arg;
	if (r->leader_done && !group_alive(r) && r->w_group) {
		loop_cancel(r->w_group);
		r->w_group = NULL;
	}
	settle(r);
}

static int
group_alive(const struct demo_run *r)
{
	return r->leader > 0 && (kill(-r->leader, 0) == 0 || errno != ESRCH);
}

int
demo_finished(const struct demo_run *r)
{
	if (!r->leader_done || group_alive(r) || r->report_rd >= 0)
		return 0;
	for (int p = 0; p < r->npanes; p++)
		if (r->pane_rd[p] >= 0)
			return 0;
	return 1;
}

void
demo_pause(struct demo_run *r, int paused)
{
	r->paused = paused;
	loop_timer_set(r->w_gate, paused || r->nqueue == 0 ? -1 : r->delay);
}

int
demo_paused(const struct demo_run *r)
{
	return r->paused;
}

void
demo_step(struct demo_run *r)
{
	if (r->nqueue > 0)
		release_first(r);
	else
		r->credit++;
}

void
demo_set_delay(struct demo_run *r, int delay_ms)
{
	r->delay = delay_ms < 0 ? 0 : delay_ms > 10000 ? 10000 : delay_ms;
	if (loop_timer_armed(r->w_gate))
		loop_timer_set(r->w_gate, r->delay);
}

int
demo_delay(const struct demo_run *r)
{
	return r->delay;
}

void
demo_stop(struct demo_run *r)
{
	if (r->stopping || r->leader <= 0)
		return;
	r->stopping = 1;
	loop_timer_set(r->w_kill, DEMO_GRACE_MS);
	kill(-r->leader, SIGTERM);
}

pid_t
demo_pgid(const struct demo_run *r)
{
	return r->leader;
}

/* ---- Killing one actor ------------------------------------------------ */

pid_t
demo_pane_pid(const struct demo_run *r, int pane)
{
	return pane >= 0 && pane < r->npanes ? r->pane_pid[pane] : 0;
}

/* The state letter and process group of pid from /proc/PID/stat; -1 when
 * it is gone. */
static int
proc_stat(pid_t pid, char *state, pid_t *pgrp)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');     /* the name may hold anything */
	int ppid, pg;
	if (p == NULL || sscanf(p + 1, " %c %d %d", state, &ppid, &pg) != 3)
		return -1;
	*pgrp = pg;
	return 0;
}

/* Why pane's actor cannot be killed, or NULL if it can. */
static const char *
unkillable(const struct demo_run *r, int pane, pid_t pid)
{
	char st;
	pid_t pg;
	if (pane < 0 || pane >= r->npanes)
		return "no such pane";
	if (pid <= 0)
		return "no actor runs there";
	if (pid == r->leader)
		return "that is the demo's leader (q stops the demo)";
	if (r->leader <= 0 || proc_stat(pid, &st, &pg) < 0 || st == 'Z' ||
	    st == 'X')
		return "its actor has ended";
	if (pg != r->leader)
		return "its actor is not in the demo's process group";
	return NULL;
}

int
demo_can_kill(const struct demo_run *r, int pane)
{
	return unkillable(r, pane, demo_pane_pid(r, pane)) == NULL;
}

pid_t
demo_kill(struct demo_run *r, int pane, char **cause)
{
	pid_t pid = demo_pane_pid(r, pane);
	/* A pidfd holds on to this very process: if it ends and its PID is
	 * taken by another one between the check and the kill, the signal
	 * goes nowhere. */
	int fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	int fd_errno = errno;
	const char *why = unkillable(r, pane, pid);
	if (why == NULL && fd < 0 && fd_errno != ENOSYS)
		why = "its actor has ended";
	if (why == NULL) {
		int rc = fd >= 0 ? (int)syscall(SYS_pidfd_send_signal, fd,
		    SIGKILL, NULL, 0) : kill(pid, SIGKILL);
		if (rc != 0)
			why = errno == ESRCH ? "its actor has ended" :
			    strerror(errno);
	}
	if (fd >= 0)
		close(fd);
	if (why != NULL) {
		*cause = xasprintf("pane %d: %s", pane + 1, why);
		return -1;
	}
	return pid;
}

const struct systour_demo *
demo_of(const struct demo_run *r)
{
	return r->demo;
}

const char *
demo_how(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by SIG%s",
		    sigabbrev_np(WTERMSIG(status)) ?
		    sigabbrev_np(WTERMSIG(status)) : "NAL");
	else
		snprintf(buf, len, "ended (status %#x)", status);
	return buf;
}

const char *
demo_ending(int leader_status, int stopped, char *buf, size_t len)
{
	char how[64];
	if (stopped || leader_status == -1)
		snprintf(buf, len, "stopped");
	else if (WIFEXITED(leader_status) && WEXITSTATUS(leader_status) == 0)
		snprintf(buf, len, "finished");
	else
		snprintf(buf, len, "failed: %s",
		    demo_how(leader_status, how, sizeof how));
	return buf;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
demo_free(struct demo_run *r)
{
	if (r == NULL)
		return;
	for (int p = 0; p < DEMO_MAX_PANES; p++)
		loop_cancel(r->w_pane[p]);
	loop_cancel(r->w_report);
	loop_cancel(r->w_gate);
	loop_cancel(r->w_kill);
	loop_cancel(r->w_settle);
	if (r->leader > 0 && (!r->leader_done || r->w_group)) {
		/* nothing of the demo outlives it: kill the group, reap it
		 * here (the front end is done with the run, so no sink) */
		long long deadline = now_ms() + 2000;
		int status;
		do {
			kill(-r->leader, SIGKILL);
			if (!r->leader_done && waitpid(r->leader, &status, WNOHANG) > 0)
				r->leader_done = 1;
			while (waitpid(-r->leader, &status, WNOHANG) > 0)
				;
			if (r->leader_done && !group_alive(r))
				break;
			/* orphans reach us as they die: look again soon */
			nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
		} while (now_ms() < deadline);
	}
	loop_cancel(r->w_leader);
	loop_cancel(r->w_group);
	for (int p = 0; p < DEMO_MAX_PANES; p++) {
		close_fd(&r->pane_rd[p]);
		close_fd(&r->ctx.pane_fd[p]);
		close_fd(&r->gate_wr[p]);
		close_fd(&r->ctx.gate_fd[p]);
	}
	close_fd(&r->report_rd);
	if (r->ctx.scratch[0])
		nftw(r->ctx.scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(r);
}
