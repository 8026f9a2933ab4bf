/* loop.c — the event loop of loop.h: epoll for descriptors, a list of
 * deadlines for timers, one self-pipe per loop that the signal handler
 * writes each signal's number to, and SIGCHLD turned into child exits by
 * waitpid on exactly the PIDs and groups that are watched. */
#include "loop.h"
#include "lang.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

enum kind { W_FD, W_TIMER, W_CHILD, W_SIGNAL };

struct loop_watch {
	struct loop *loop;
	enum kind kind;
	int dead;                       /* cancelled: freed after the round */
	struct loop_watch *next, *prev;
	void *arg;
	union {
		struct { int fd; unsigned events; loop_fd_fn *fn; } fd;
		struct { long long due; loop_timer_fn *fn; } timer; /* due < 0: off */
		struct { pid_t pid; loop_child_fn *fn; } child;
		struct { int sig; loop_signal_fn *fn; } signal;
	} u;
};

struct loop {
	int epfd;
	int sigpipe[2];                 /* the handler writes signal numbers */
	struct loop_watch *watches;     /* all of them, newest first */
	struct loop_watch *sigchld;     /* ours, while a child watch exists */
	int nchild;                     /* child watches alive */
	int check_children;             /* a waitpid pass is due */
	int stop;
	int dispatching;                /* inside a round: defer frees */
};

/* ---- Signals: one handler for every loop ------------------------------ */

#define MAX_LOOPS 8

static volatile sig_atomic_t sig_pipe_w[MAX_LOOPS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static struct loop *loops[MAX_LOOPS];
static int sig_users[NSIG];             /* watches per signal, all loops */
static struct sigaction sig_saved[NSIG];

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	for (int i = 0; i < MAX_LOOPS; i++) {
		int fd = sig_pipe_w[i];
		if (fd >= 0)
			(void)!write(fd, &c, 1);
	}
	errno = saved;
}

static void
sig_hold(int sig)
{
	if (sig_users[sig]++ > 0)
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
	sigaction(sig, &sa, &sig_saved[sig]);
}

static void
sig_release(int sig)
{
	if (--sig_users[sig] == 0)
		sigaction(sig, &sig_saved[sig], NULL);
}

void
loop_after_fork(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (sig_users[sig] > 0) {
			signal(sig, SIG_DFL);
			sig_users[sig] = 0;
		}
	for (int i = 0; i < MAX_LOOPS; i++) {
		struct loop *l = loops[i];
		if (!l)
			continue;
		sig_pipe_w[i] = -1;
		close(l->epfd);
		close(l->sigpipe[0]);
		close(l->sigpipe[1]);
		loops[i] = NULL;
	}
}

/* ---- The loop and its watches ----------------------------------------- */

struct loop *
loop_new(char **cause)
{
	int slot = -1;
	for (int i = 0; i < MAX_LOOPS && slot < 0; i++)
		if (!loops[i])
			slot = i;
	if (slot < 0) {
		*cause = xstrdup(LD("too many event loops", "事件循环太多"));
		return NULL;
	}
	struct loop *l = xcalloc(1, sizeof *l);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0 || pipe2(l->sigpipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		*cause = xasprintf(LD("event loop: %s", "事件循环：%s"),
		    strerror(errno));
		if (l->epfd >= 0)
			close(l->epfd);
		free(l);
		return NULL;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigpipe[0], &ev);
	loops[slot] = l;
	sig_pipe_w[slot] = l->sigpipe[1];
	return l;
}

static struct loop_watch *
watch_new(struct loop *l, enum kind kind, void *arg)
{
	struct loop_watch *w = xcalloc(1, sizeof *w);
	w->loop = l;
	w->kind = kind;
	w->arg = arg;
	w->next = l->watches;
	if (l->watches)
		l->watches->prev = w;
	l->watches = w;
	return w;
}

static void
watch_unlink_free(struct loop_watch *w)
{
	struct loop *l = w->loop;
	if (w->prev)
		w->prev->next = w->next;
	else
		l->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	free(w);
}

static void
watch_release(struct loop_watch *w)
{
	struct loop *l = w->loop;
	switch (w->kind) {
	case W_FD:
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->u.fd.fd, NULL);
		break;
	case W_SIGNAL:
		sig_release(w->u.signal.sig);
		break;
	case W_CHILD:
		if (--l->nchild == 0 && l->sigchld) {
			struct loop_watch *s = l->sigchld;
			l->sigchld = NULL;
			loop_cancel(s);
		}
		break;
	case W_TIMER:
		break;
	}
}

void
loop_cancel(struct loop_watch *w)
{
	if (!w || w->dead)
		return;
	w->dead = 1;
	watch_release(w);
	if (!w->loop->dispatching)
		watch_unlink_free(w);
}

void
loop_free(struct loop *l)
{
	if (!l)
		return;
	l->dispatching = 1;             /* release without freeing as we walk */
	for (struct loop_watch *w = l->watches; w; w = w->next)
		if (!w->dead) {
			w->dead = 1;
			watch_release(w);
		}
	while (l->watches)
		watch_unlink_free(l->watches);
	for (int i = 0; i < MAX_LOOPS; i++)
		if (loops[i] == l) {
			sig_pipe_w[i] = -1;
			loops[i] = NULL;
		}
	close(l->epfd);
	close(l->sigpipe[0]);
	close(l->sigpipe[1]);
	free(l);
}

static uint32_t
epoll_bits(unsigned events)
{
	return (events & LOOP_READ ? EPOLLIN | EPOLLRDHUP : 0) |
	    (events & LOOP_HANGUP ? EPOLLRDHUP : 0) |
	    (events & LOOP_WRITE ? EPOLLOUT : 0);
}

struct loop_watch *
loop_fd(struct loop *l, int fd, unsigned events, loop_fd_fn *fn, void *arg)
{
	struct loop_watch *w = watch_new(l, W_FD, arg);
	w->u.fd.fd = fd;
	w->u.fd.events = events;
	w->u.fd.fn = fn;
	struct epoll_event ev = { .events = epoll_bits(events), .data.ptr = w };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		watch_unlink_free(w);
		return NULL;
	}
	return w;
}

void
loop_fd_set(struct loop_watch *w, unsigned events)
{
	if (w->dead || w->u.fd.events == events)
		return;
	w->u.fd.events = events;
	struct epoll_event ev = { .events = epoll_bits(events), .data.ptr = w };
	epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->u.fd.fd, &ev);
}

struct loop_watch *
loop_timer(struct loop *l, int ms, loop_timer_fn *fn, void *arg)
{
	struct loop_watch *w = watch_new(l, W_TIMER, arg);
	w->u.timer.fn = fn;
	loop_timer_set(w, ms);
	return w;
}

void
loop_timer_set(struct loop_watch *w, int ms)
{
	w->u.timer.due = ms < 0 ? -1 : now_ms() + ms;
}

int
loop_timer_armed(const struct loop_watch *w)
{
	return !w->dead && w->u.timer.due >= 0;
}

static void
on_sigchld(struct loop *l, int sig, void *arg)
{
	l->check_children = 1;
}

struct loop_watch *
loop_child(struct loop *l, pid_t pid, loop_child_fn *fn, void *arg)
{
	struct loop_watch *w = watch_new(l, W_CHILD, arg);
	w->u.child.pid = pid;
	w->u.child.fn = fn;
	if (l->nchild++ == 0)
		l->sigchld = loop_signal(l, SIGCHLD, on_sigchld, NULL);
	l->check_children = 1;          /* it may have exited already */
	return w;
}

struct loop_watch *
loop_signal(struct loop *l, int sig, loop_signal_fn *fn, void *arg)
{
	struct loop_watch *w = watch_new(l, W_SIGNAL, arg);
	w->u.signal.sig = sig;
	w->u.signal.fn = fn;
	sig_hold(sig);
	return w;
}

void
loop_break(struct loop *l)
{
	l->stop = 1;
}

/* ---- One round -------------------------------------------------------- */

static int
next_timeout(struct loop *l, int max_ms)
{
	if (l->check_children)
		return 0;
	long long now = now_ms(), best = -1;
	for (struct loop_watch *w = l->watches; w; w = w->next)
		if (w->kind == W_TIMER && !w->dead && w->u.timer.due >= 0) {
			long long left = w->u.timer.due - now;
			if (left < 0)
				left = 0;
			if (best < 0 || left < best)
				best = left;
		}
	if (max_ms >= 0 && (best < 0 || best > max_ms))
		best = max_ms;
	return best > 1 << 30 ? 1 << 30 : (int)best;
}

static int
dispatch_signals(struct loop *l)
{
	unsigned char sigs[64];
	ssize_t n;
	int ran = 0;
	while ((n = read(l->sigpipe[0], sigs, sizeof sigs)) > 0)
		for (ssize_t i = 0; i < n; i++)
			for (struct loop_watch *w = l->watches; w; w = w->next)
				if (w->kind == W_SIGNAL && !w->dead &&
				    w->u.signal.sig == sigs[i]) {
					w->u.signal.fn(l, sigs[i], w->arg);
					ran++;
				}
	return ran;
}

static int
dispatch_children(struct loop *l)
{
	int ran = 0;
	l->check_children = 0;
	for (struct loop_watch *w = l->watches; w; w = w->next) {
		if (w->kind != W_CHILD || w->dead)
			continue;
		int status;
		pid_t pid;
		while (!w->dead &&
		    (pid = waitpid(w->u.child.pid, &status, WNOHANG)) > 0) {
			w->u.child.fn(l, pid, status, w->arg);
			ran++;
			if (w->u.child.pid > 0)
				loop_cancel(w);
		}
	}
	return ran;
}

static int
dispatch_timers(struct loop *l)
{
	int ran = 0;
	long long now = now_ms();
	for (struct loop_watch *w = l->watches; w; w = w->next)
		if (w->kind == W_TIMER && !w->dead && w->u.timer.due >= 0 &&
		    w->u.timer.due <= now) {
			w->u.timer.due = -1;
			w->u.timer.fn(l, w->arg);
			ran++;
		}
	return ran;
}

int
loop_once(struct loop *l, int max_ms)
{
	struct epoll_event evs[64];
	int n = epoll_wait(l->epfd, evs, 64, next_timeout(l, max_ms));
	if (n < 0 && errno != EINTR)
		fatal_("epoll_wait: %s", strerror(errno));
	int ran = 0, signalled = 0;
	l->dispatching++;
	for (int i = 0; i < n; i++) {
		struct loop_watch *w = evs[i].data.ptr;
		if (!w) {
			signalled = 1;
			continue;
		}
		if (w->dead)
			continue;
		uint32_t e = evs[i].events;
		unsigned got = (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR) ? LOOP_READ : 0) |
		    (e & EPOLLOUT ? LOOP_WRITE : 0) |
		    (e & (EPOLLHUP | EPOLLERR) ? LOOP_ERROR : 0);
		w->u.fd.fn(l, w->u.fd.fd, got, w->arg);
		ran++;
	}
	if (signalled)
		ran += dispatch_signals(l);
	if (l->check_children)
		ran += dispatch_children(l);
	ran += dispatch_timers(l);
	if (--l->dispatching == 0) {
		struct loop_watch *w = l->watches, *next;
		for (; w; w = next) {
			next = w->next;
			if (w->dead)
				watch_unlink_free(w);
		}
	}
	return ran;
}

void
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop)
		loop_once(l, -1);
}
