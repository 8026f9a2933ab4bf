/* demo.c — the supervisor of a live demo. It runs the demo's leader in a
 * proc_group (its own process group, limits, scratch directory, reaping,
 * TERM then KILL), reads the panes' pipes and the actors' reports on the
 * event loop, and opens the actors' step gates (demo_gate.c) at the set
 * delay (a loop timer; or, paused, once per step for the actor that has
 * waited longest). */
#include "demo.h"
#include "demo_actor.h"
#include "demo_gate.h"
#include "proc_group.h"
#include "lang.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096     /* a longer line is cut into pieces */
#define PANE_REST_MS 1          /* between two reads of one pane */
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
	struct loop_watch *w_rest;      /* the panes are read again */
	struct loop_watch *w_gate;      /* opens the gate at the delay */
	int told_finished;
	struct demo_ctx ctx;            /* as the leader got it */
	struct proc_group *group;       /* the leader and all it starts */
	pid_t leader;

	int npanes;
	int pane_rd[DEMO_MAX_PANES];    /* -1 once at end of file */
	struct linebuf pane_buf[DEMO_MAX_PANES];
	int report_rd;                  /* the report socket (SEQPACKET) */
	unsigned long report_ino;       /* the demo's end of it */
	unsigned long pane_ino[DEMO_MAX_PANES];
	struct demo_gates *gates;       /* each actor's step gate */

	int paused, delay;
	int stopping;

	struct {
		pid_t pid;
		char who[32];
	} known[MAX_KNOWN];
	int nknown;
	pid_t pane_pid[DEMO_MAX_PANES]; /* each pane's latest actor */
};

/* ---- Finding demos ---------------------------------------------------- */

const struct systour_demo *
demo_find(const struct lesson_set *set, const char *name)
{
	for (int i = 0; i < set->n; i++) {
		const struct systour_lesson_module *m = set->v[i].module_info;
		for (int k = 0; m && m->demos && m->demos[k]; k++)
			if (strcasecmp(m->demos[k]->name, name) == 0)
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

/* In the forked leader (proc_group made its group, limits and
 * containment): pane 0 for stdout, then the demo. */
static int
leader_main(void *arg)
{
	struct demo_run *r = arg;
	struct demo_ctx *ctx = &r->ctx;
	ctx->leader = getpid();
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct demo_actor *self = demo_actor_leader(ctx, r->demo->panes[0]);
	return r->demo->run(ctx, &demo_api, self);
}

static unsigned long
inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static int
make_pipe(int fds[2], char **cause)
{
	if (pipe2(fds, O_CLOEXEC) == 0)
		return 0;
	*cause = xasprintf(LD("cannot make a pipe: %s",
	    "无法创建管道：%s"), strerror(errno));
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
static void on_exited(void *arg, pid_t pid, int status);
static void on_group_done(void *arg);
static void on_gate(struct loop *l, void *arg);
static void on_rest(struct loop *l, void *arg);

struct demo_run *
demo_start(struct loop *loop, const struct systour_demo *d,
    const struct demo_sink *sink, int paused, int delay_ms, enum lang lang,
    char **cause)
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
	r->ctx.report_fd = -1;
	for (int p = 0; p < DEMO_MAX_PANES; p++)
		r->pane_rd[p] = r->ctx.pane_fd[p] = -1;
	r->gates = gates_new();
	while (d->panes[r->npanes] && r->npanes < DEMO_MAX_PANES)
		r->npanes++;
	if (r->npanes == 0) {
		*cause = xasprintf(LD("demo %s has no panes",
		    "演示 %s 没有窗格"), d->name);
		goto fail;
	}
	static int cleaned;
	if (!cleaned++)         /* what dead tutors left behind, once */
		proc_group_clean_stale(NULL);
	struct proc_group_limits lim = proc_group_demo_limits;
	lim.grace_ms = DEMO_GRACE_MS;
	r->group = proc_group_new(d->name, &lim, cause);
	if (r->group == NULL)
		goto fail;
	snprintf(r->ctx.scratch, sizeof r->ctx.scratch, "%s",
	    proc_group_scratch(r->group));
	int keep[DEMO_MAX_PANES + 1], nkeep = 0;
	for (int p = 0; p < r->npanes; p++) {
		int fds[2];
		if (make_pipe(fds, cause) != 0)
			goto fail;
		r->pane_rd[p] = fds[0];
		r->ctx.pane_fd[p] = keep[nkeep++] = fds[1];
		r->pane_ino[p] = inode_of(fds[0]);
	}
	/* one message per report, never mixed, and a gate's descriptor can
	 * ride along */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rep) != 0) {
		*cause = xasprintf(LD("cannot make a socket pair: %s",
		    "无法创建套接字对：%s"),
		    strerror(errno));
		goto fail;
	}
	r->report_rd = rep[0];
	r->ctx.report_fd = keep[nkeep++] = rep[1];
	r->report_ino = inode_of(rep[1]);
	rep[0] = rep[1] = -1;
	r->ctx.npanes = r->npanes;
	r->ctx.supervisor = getpid();
	r->ctx.zh = lang == LANG_ZH;

	struct proc_group_sink gsink = { r, on_exited, on_group_done };
	if (proc_group_spawn(r->group, loop, keep, nkeep, leader_main, r,
	    &gsink, cause) != 0)
		goto fail;
	pid_t pid = proc_group_leader(r->group);
	r->leader = pid;
	r->ctx.leader = pid;
	remember(r, pid, d->panes[0]);

	/* the supervisor keeps only its own ends */
	for (int p = 0; p < r->npanes; p++) {
		close_fd(&r->ctx.pane_fd[p]);
		fcntl(r->pane_rd[p], F_SETFL, O_NONBLOCK);
	}
	close_fd(&r->ctx.report_fd);
	fcntl(r->report_rd, F_SETFL, O_NONBLOCK);

	for (int p = 0; p < r->npanes; p++)
		r->w_pane[p] = loop_fd(loop, r->pane_rd[p], LOOP_READ, on_pane, r);
	r->w_report = loop_fd(loop, r->report_rd, LOOP_READ, on_report, r);
	r->w_gate = loop_timer(loop, -1, on_gate, r);
	r->w_rest = loop_timer(loop, -1, on_rest, r);
	return r;
fail:
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	demo_free(r);
	return NULL;
}

/* ---- Running ---------------------------------------------------------- */

static void drain_pane(struct demo_run *r, int p);

/* One report (see demo_actor.h); fd is the descriptor that came with it,
 * or -1: closed here unless a gate took it. */
static void
handle_report(struct demo_run *r, char *s, int fd)
{
	int pane, line, pid, tid, off = 0;
	unsigned seq;
	unsigned long ino;
	long long value;
	char name[64];

	switch (s[0]) {
	case 'S':	/* "S tid seq pane line" */
		if (sscanf(s, "S %d %u %d %d", &tid, &seq, &pane, &line) == 4 &&
		    pane >= 0 && pane < r->npanes) {
			/* The actor wrote what it printed, sent this and now
			 * waits at its gate: its pane's pipe holds what it
			 * printed before the step. Show that first, so it
			 * never comes after what the step lets others do. */
			drain_pane(r, pane);
			if (gates_waiting(r->gates) == 0 && !r->paused)
				loop_timer_set(r->w_gate, r->delay);
			if (gates_arrive(r->gates, tid, seq) == 0 &&
			    r->sink.position)
				r->sink.position(r->sink.arg, pane, line);
		}
		break;
	case 'A':	/* "A pane pid tid seq ino who", with its gate */
		if (sscanf(s, "A %d %d %d %u %lu %n", &pane, &pid, &tid, &seq,
		    &ino, &off) == 5 && off > 0 && fd >= 0) {
			gates_add(r->gates, tid, seq, pane, fd, ino);
			fd = -1;
			if (tid == pid)     /* a process is named by its main thread */
				remember(r, pid, s + off);
			if (pane >= 0 && pane < r->npanes)
				r->pane_pid[pane] = pid;
			if (r->sink.title)
				r->sink.title(r->sink.arg, pane, s + off, pid, tid);
		}
		break;
	case 'R':	/* "R tid seq" */
		if (sscanf(s, "R %d %u", &tid, &seq) == 2)
			gates_remove(r->gates, tid, seq);
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
	if (fd >= 0)
		close(fd);
}

/* Read the reports waiting on the report socket, each with the descriptor
 * that rode along. Returns 0 once every sender is gone, 1 otherwise. */
static int
read_reports(struct demo_run *r)
{
	for (int rounds = 0; rounds < 256; rounds++) {
		char buf[DEMO_REPORT_MAX + 1];
		union {
			struct cmsghdr h;
			char space[CMSG_SPACE(sizeof(int))];
		} cm;
		struct iovec iov = { buf, DEMO_REPORT_MAX };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cm.space, .msg_controllen = sizeof cm.space };
		ssize_t n = recvmsg(r->report_rd, &msg, MSG_DONTWAIT |
		    MSG_CMSG_CLOEXEC);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 1 : 0;
		if (n == 0)
			return 0;
		int fd = -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
		    c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&fd, CMSG_DATA(c), sizeof fd);
		buf[n] = '\0';
		handle_report(r, buf, fd);
	}
	return 1;
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

/* Reports first, always: a title comes before the lines of its actor, and
 * a step, note or figure shows after what its actor printed before it
 * (handle_report drains that actor's pane first). */
static void
drain_reports(struct demo_run *r)
{
	if (r->report_rd >= 0 && read_reports(r) == 0) {
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
	if (r->told_finished || !demo_finished(r))
		return;
	r->told_finished = 1;
	if (r->sink.finished)
		r->sink.finished(r->sink.arg);
}

static void
on_pane(struct loop *l, int fd, unsigned events, void *arg)
{
	struct demo_run *r = arg;
	drain_reports(r);
	for (int p = 0; p < r->npanes; p++)
		if (r->pane_rd[p] == fd) {
			drain_pane(r, p);
			/* Rest PANE_REST_MS before reading this pane again: an
			 * actor printing line after line then fills the pipe
			 * instead of waking the tutor (and paying for it) at
			 * every line. A report still drains the pane first. */
			if (r->w_pane[p]) {
				loop_fd_set(r->w_pane[p], 0);
				if (!loop_timer_armed(r->w_rest))
					loop_timer_set(r->w_rest, PANE_REST_MS);
			}
		}
	settle(r);
}

static void
on_rest(struct loop *l, void *arg)
{
	struct demo_run *r = arg;
	for (int p = 0; p < r->npanes; p++)
		if (r->w_pane[p])
			loop_fd_set(r->w_pane[p], LOOP_READ);
}

static void
on_report(struct loop *l, int fd, unsigned events, void *arg)
{
	struct demo_run *r = arg;
	drain_reports(r);
	settle(r);
}

/* A process of the demo was reaped by its proc_group (the leader, and the
 * orphans that came back to the tutor, a child subreaper; no other child
 * of the tutor). The process is gone, so all it wrote is in the pipes:
 * show that first, then the news of its end, so that the two are in the
 * order they happened. */
static void
on_exited(void *arg, pid_t pid, int status)
{
	struct demo_run *r = arg;
	drain_reports(r);
	drain_panes(r);
	if (r->sink.exited)
		r->sink.exited(r->sink.arg, pid, who_is(r, pid), status);
	settle(r);
}

/* The leader was reaped and the group is empty. */
static void
on_group_done(void *arg)
{
	struct demo_run *r = arg;
	drain_reports(r);
	drain_panes(r);
	settle(r);
}

/* Every actor waiting takes one step per opening. */
static void
on_gate(struct loop *l, void *arg)
{
	struct demo_run *r = arg;
	if (!r->paused)
		for (int n = gates_waiting(r->gates); n > 0; n--)
			gates_release_first(r->gates);
}


int
demo_finished(const struct demo_run *r)
{
	if (r->group == NULL || !proc_group_finished(r->group) ||
	    r->report_rd >= 0)
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
	loop_timer_set(r->w_gate, paused || gates_waiting(r->gates) == 0 ? -1 :
	    r->delay);
}

int
demo_paused(const struct demo_run *r)
{
	return r->paused;
}

int
demo_step(struct demo_run *r)
{
	return gates_step(r->gates);
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
	proc_group_stop(r->group);
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

/* Why pane's actor cannot be killed, or NULL if it can. */
static const char *
unkillable(const struct demo_run *r, int pane, pid_t pid)
{
	char st;
	pid_t pg;
	if (pane < 0 || pane >= r->npanes)
		return LD("no such pane",
		    "没有这个窗格");
	if (pid <= 0)
		return LD("no actor runs there",
		    "那里没有运行的角色");
	if (pid == r->leader)
		return LD("that is the demo's leader (q stops the demo)",
		    "那是演示的首进程（按 q 停止演示）");
	if (r->leader <= 0 || (st = demo_proc_state(pid, NULL, &pg)) == 0 ||
	    st == 'Z' || st == 'X')
		return LD("its actor has ended",
		    "它的角色已经结束");
	if (pg != r->leader)
		return LD("its actor is not in the demo's process group",
		    "它的角色不在演示的进程组里");
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
		why = LD("its actor has ended",
		    "它的角色已经结束");
	if (why == NULL) {
		int rc = fd >= 0 ? (int)syscall(SYS_pidfd_send_signal, fd,
		    SIGKILL, NULL, 0) : kill(pid, SIGKILL);
		if (rc != 0)
			why = errno == ESRCH ? LD("its actor has ended",
			    "它的角色已经结束") :
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

int
demo_plumbing(const struct demo_run *r, unsigned long *ino, int max)
{
	int n = 0;
	for (int p = 0; p < r->npanes && n < max; p++)
		if (r->pane_ino[p])
			ino[n++] = r->pane_ino[p];
	if (r->report_ino && n < max)
		ino[n++] = r->report_ino;
	return n + gates_inodes(r->gates, ino + n, max - n);
}

const char *
demo_containment(void)
{
	return proc_group_mode_note();
}

const struct systour_demo *
demo_of(const struct demo_run *r)
{
	return r->demo;
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

void
demo_free(struct demo_run *r)
{
	if (r == NULL)
		return;
	for (int p = 0; p < DEMO_MAX_PANES; p++)
		loop_cancel(r->w_pane[p]);
	loop_cancel(r->w_report);
	loop_cancel(r->w_gate);
	loop_cancel(r->w_rest);
	/* nothing of the demo outlives it: the group kills and reaps it all
	 * (the front end is done with the run, so no sink) */
	proc_group_free(r->group);
	for (int p = 0; p < DEMO_MAX_PANES; p++) {
		close_fd(&r->pane_rd[p]);
		close_fd(&r->ctx.pane_fd[p]);
	}
	close_fd(&r->report_rd);
	close_fd(&r->ctx.report_fd);
	gates_free(r->gates);
	free(r);
}
