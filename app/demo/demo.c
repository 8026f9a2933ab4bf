/* demo.c — the supervisor of a live demo. It owns the demo's process
 * group: it forks the leader, reads the panes and the actors' reports from
 * non-blocking pipes, opens each pane's step gate at the set delay (or,
 * paused, once per step for the actor that has waited longest), turns
 * SIGCHLD into bytes on a self-pipe and reaps the demo's processes (the
 * tutor is a child subreaper, so orphaned actors come back to it; its other
 * children are left to whoever started them: see reap()), and stops the
 * group with SIGTERM and then SIGKILL. */
#include "demo.h"
#include "demo_actor.h"
#include "demo_gate.h"
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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
	struct demo_ctx ctx;            /* as the leader got it */
	pid_t leader;
	int leader_done;

	int npanes;
	int pane_rd[DEMO_MAX_PANES];    /* -1 once at end of file */
	struct linebuf pane_buf[DEMO_MAX_PANES];
	int report_rd;                  /* the report socket (SEQPACKET) */
	unsigned long report_ino;       /* the demo's end of it */
	unsigned long pane_ino[DEMO_MAX_PANES];
	struct demo_gates *gates;       /* each actor's step gate */

	int paused, delay;
	long long next_step;            /* when the gate opens next (ms) */
	int stopping;
	long long kill_at;

	struct {
		pid_t pid;
		char who[32];
	} known[MAX_KNOWN];
	int nknown;
	pid_t pane_pid[DEMO_MAX_PANES]; /* each pane's actor, from to_pane */
};

/* ---- SIGCHLD as bytes on a pipe --------------------------------------- */

static int chld_pipe[2] = { -1, -1 };

static void
on_sigchld(int sig)
{
	int saved = errno;
	char b = (char)sig;
	if (write(chld_pipe[1], &b, 1) < 0) {
		/* full: a byte is already waiting */
	}
	errno = saved;
}

static int
watch_children(char **cause)
{
	if (chld_pipe[0] >= 0)
		return 0;
	if (pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		*cause = xasprintf("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	/* orphaned actors are re-parented to us, so we reap them too */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return 0;
}

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
			keep |= fd == ctx->pane_fd[p];
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
	struct demo_actor *self = demo_actor_leader(ctx, r->demo->panes[0]);
	int rc = r->demo->run(ctx, &demo_api, self);
	fflush(stdout);
	fflush(stderr);
	_exit(rc & 0xff);
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

struct demo_run *
demo_start(const struct systour_demo *d, const struct demo_sink *sink,
    int paused, int delay_ms, char **cause)
{
	struct demo_run *r = xcalloc(1, sizeof *r);
	int rep[2] = { -1, -1 };

	r->demo = d;
	if (sink)
		r->sink = *sink;
	r->paused = paused;
	r->delay = delay_ms < 0 ? DEMO_DELAY_MS : delay_ms;
	r->report_rd = -1;
	for (int p = 0; p < DEMO_MAX_PANES; p++)
		r->pane_rd[p] = r->ctx.pane_fd[p] = -1;
	r->ctx.report_fd = -1;
	r->gates = gates_new();
	while (d->panes[r->npanes] && r->npanes < DEMO_MAX_PANES)
		r->npanes++;
	if (r->npanes == 0) {
		*cause = xasprintf("demo %s has no panes", d->name);
		goto fail;
	}
	if (watch_children(cause) != 0)
		goto fail;

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
		r->pane_ino[p] = inode_of(fds[0]);
	}
	/* one message per report, never mixed, and a gate's descriptor can
	 * ride along */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rep) != 0) {
		*cause = xasprintf("cannot make a socket pair: %s",
		    strerror(errno));
		goto fail;
	}
	r->report_rd = rep[0];
	r->ctx.report_fd = rep[1];
	r->report_ino = inode_of(rep[1]);
	rep[0] = rep[1] = -1;
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
		for (int p = 0; p < r->npanes; p++)
			fcntl(r->ctx.pane_fd[p], F_SETFD, 0);
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
		fcntl(r->pane_rd[p], F_SETFL, O_NONBLOCK);
	}
	close_fd(&r->ctx.report_fd);
	fcntl(r->report_rd, F_SETFL, O_NONBLOCK);
	r->next_step = now_ms() + r->delay;
	return r;
fail:
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	r->leader = 0;
	demo_free(r);
	return NULL;
}

/* ---- Running ---------------------------------------------------------- */

int
demo_pollfds(struct demo_run *r, struct pollfd *fds, int max)
{
	int n = 0;
	for (int p = 0; p < r->npanes && n < max; p++)
		if (r->pane_rd[p] >= 0)
			fds[n++] = (struct pollfd){ r->pane_rd[p], POLLIN, 0 };
	if (r->report_rd >= 0 && n < max)
		fds[n++] = (struct pollfd){ r->report_rd, POLLIN, 0 };
	if (n < max)
		fds[n++] = (struct pollfd){ chld_pipe[0], POLLIN, 0 };
	return n;
}

int
demo_timeout(struct demo_run *r)
{
	long long now = now_ms(), t = -1;
	if (r->stopping && r->kill_at > 0)
		t = r->kill_at - now;
	else if (!r->paused && gates_waiting(r->gates) > 0)
		t = r->next_step - now;
	else if (!demo_finished(r) && r->leader_done)
		t = 50;         /* waiting for the group to empty */
	if (t < 0 && t != -1)
		t = 0;
	return (int)(t > 1000 ? 1000 : t);
}

static void drain_pane(struct demo_run *r, int p);

/* One report (see demo_actor.h); fd is the descriptor that came with it,
 * or -1: closed here unless a gate took it. */
static void
handle_report(struct demo_run *r, char *s, int fd)
{
	int pane, line, pid, tid, off = 0;
	unsigned seq;
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
			if (gates_waiting(r->gates) == 0)
				r->next_step = now_ms() + r->delay;
			if (gates_arrive(r->gates, tid, seq) == 0 &&
			    r->sink.position)
				r->sink.position(r->sink.arg, pane, line);
		}
		break;
	case 'A':	/* "A pane pid tid seq who", with its gate */
		if (sscanf(s, "A %d %d %d %u %n", &pane, &pid, &tid, &seq,
		    &off) == 4 && off > 0 && fd >= 0) {
			gates_add(r->gates, tid, seq, pane, fd);
			fd = -1;
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

/* Hand over what pane p's pipe holds. */
static void
drain_pane(struct demo_run *r, int p)
{
	if (r->pane_rd[p] >= 0 &&
	    drain(r->pane_rd[p], &r->pane_buf[p], pane_line, r, p) == 0)
		close_fd(&r->pane_rd[p]);
}

static void
drain_panes(struct demo_run *r)
{
	for (int p = 0; p < r->npanes; p++)
		drain_pane(r, p);
}

static int group_alive(const struct demo_run *r);

/* Reap the demo's processes, and nobody else's. As a child subreaper the
 * tutor gets as children the demo's leader and every process of the demo
 * whose parent exits first, but also any other child the tutor starts (an
 * exercise, a pager) and the orphans of those: waitpid(-1) would take
 * their statuses from whoever waits for them. Every process of the demo
 * is in the leader's process group (which is also how the supervisor
 * kills it), and a zombie keeps its group, so waitpid(-leader) returns
 * exactly the demo's processes among our children: the leader (waited for
 * by its PID too, should it leave its group) and the orphans that came
 * back to us. The others are reaped by their own parents, or come back to
 * us when those exit first; each exit raises SIGCHLD, which wakes the poll
 * on chld_pipe, so no zombie of the demo is left. While any member of the
 * group is there, zombies included, the kernel does not hand out the
 * group's number as a new PID; once the leader is reaped and the group is
 * empty we stop asking, so a later group that got the number is left
 * alone. */
static void
reap(struct demo_run *r)
{
	char buf[64];
	while (read(chld_pipe[0], buf, sizeof buf) > 0)
		;
	if (r->leader <= 0)
		return;
	for (;;) {
		int status;
		pid_t pid = 0;
		if (!r->leader_done)
			pid = waitpid(r->leader, &status, WNOHANG);
		if (pid <= 0) {
			if (r->leader_done && !group_alive(r))
				break;
			pid = waitpid(-r->leader, &status, WNOHANG);
		}
		if (pid <= 0)
			break;
		if (pid == r->leader)
			r->leader_done = 1;
		if (r->sink.exited)
			r->sink.exited(r->sink.arg, pid, who_is(r, pid), status);
	}
}

void
demo_work(struct demo_run *r)
{
	/* Reports first: a title comes before the lines of its actor, and a
	 * step, note or figure shows after what its actor printed before it
	 * (handle_report drains that actor's pane first). */
	if (r->report_rd >= 0 && read_reports(r) == 0)
		close_fd(&r->report_rd);
	drain_panes(r);
	reap(r);

	long long now = now_ms();
	/* every actor waiting takes one step per opening */
	if (!r->paused && gates_waiting(r->gates) > 0 && now >= r->next_step) {
		for (int n = gates_waiting(r->gates); n > 0; n--)
			gates_release_first(r->gates);
		r->next_step = now + r->delay;
	}
	if (r->stopping && r->kill_at > 0 && now >= r->kill_at) {
		kill(-r->leader, SIGKILL);
		r->kill_at = 0;
	}
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
	r->next_step = now_ms() + r->delay;
}

int
demo_paused(const struct demo_run *r)
{
	return r->paused;
}

void
demo_step(struct demo_run *r)
{
	gates_step(r->gates);
}

void
demo_set_delay(struct demo_run *r, int delay_ms)
{
	r->delay = delay_ms < 0 ? 0 : delay_ms > 10000 ? 10000 : delay_ms;
	r->next_step = now_ms() + r->delay;
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
	r->kill_at = now_ms() + DEMO_GRACE_MS;
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
	if (r->leader <= 0 || (st = demo_proc_state(pid, NULL, &pg)) == 0 ||
	    st == 'Z' || st == 'X')
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
	if (r->leader > 0) {
		/* nothing of the demo outlives it: kill the group, reap it */
		long long deadline = now_ms() + 2000;
		do {
			kill(-r->leader, SIGKILL);
			while (waitpid(-r->leader, NULL, WNOHANG) > 0)
				;
			if (!group_alive(r))
				break;
			struct pollfd p = { chld_pipe[0], POLLIN, 0 };
			poll(&p, 1, 10);
		} while (now_ms() < deadline);
		reap(r);
	}
	for (int p = 0; p < DEMO_MAX_PANES; p++) {
		close_fd(&r->pane_rd[p]);
		close_fd(&r->ctx.pane_fd[p]);
	}
	close_fd(&r->report_rd);
	close_fd(&r->ctx.report_fd);
	gates_free(r->gates);
	if (r->ctx.scratch[0])
		nftw(r->ctx.scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(r);
}
