/* manager_bench.h — what the two manager benches (manager_tasks.c,
 * manager_rtt.c) share, beside bench.h: a median that leaves its series
 * in order, starting child processes that
 * cannot outlive the bench, starting `systour manager --port 0` and reading
 * its port from its "listening on" line, and reading a child's lines with a
 * deadline. Header-only (static functions): each bench is one .c file
 * linked with the app's objects.
 *
 * No process is left behind: every child gets PR_SET_PDEATHSIG(SIGKILL)
 * (so it dies with the bench, even when the bench is killed) and its own
 * process group, which the bench kills with SIGKILL and reaps, on success,
 * on error and on SIGTERM/SIGINT (what run.sh's timeout sends). The
 * children's own children (CPython's manager server process, the notes'
 * worker) are in that group too. */
#ifndef SYSTOUR_MANAGER_BENCH_H
#define SYSTOUR_MANAGER_BENCH_H

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MB_MAX_CHILDREN 8

static inline double
mb_median(double *v, int n)
{
	double s[64];
	if (n <= 0 || n > 64)
		return 0;
	memcpy(s, v, (size_t)n * sizeof *v);
	return bench_median(s, n);	/* on the copy: v keeps its order */
}

/* ------------------------------------------------------------ children */

/* The process groups started and not yet reaped (each child leads one). */
static volatile pid_t mb_children[MB_MAX_CHILDREN];

/* Kill and reap one child's whole group. */
static inline void
mb_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	for (int i = 0; i < MB_MAX_CHILDREN; i++)
		if (mb_children[i] == pid)
			mb_children[i] = 0;
}

/* A child reaped by the caller: kill what is left of its group (CPython's
 * manager server, the notes' worker), and forget it. */
static inline void
mb_reaped(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	for (int i = 0; i < MB_MAX_CHILDREN; i++)
		if (mb_children[i] == pid)
			mb_children[i] = 0;
}

static inline void
mb_kill_all(void)
{
	for (int i = 0; i < MB_MAX_CHILDREN; i++)
		mb_kill(mb_children[i]);
}

static inline void
mb_on_signal(int sig)
{
	for (int i = 0; i < MB_MAX_CHILDREN; i++)
		if (mb_children[i] > 0) {
			kill(-mb_children[i], SIGKILL);
			kill(mb_children[i], SIGKILL);
		}
	_exit(128 + sig);
}

/* Call once at the start: SIGTERM, SIGINT and SIGHUP kill the children;
 * a write to a closed pipe is an error, not a death. */
static inline void
mb_setup_signals(void)
{
	struct sigaction sa = { .sa_handler = mb_on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Start argv[0] (looked up in PATH) in a process group of its own, with
 * stdin, stdout and stderr on in, out and err (-1: /dev/null), pinned to
 * cpu (-1: left as it is). Returns its pid, or -1 (errno set); a child
 * whose exec fails exits 127. */
static inline pid_t
mb_spawn(char *const argv[], int in, int out, int err, int cpu)
{
	int slot = -1;
	for (int i = 0; i < MB_MAX_CHILDREN && slot < 0; i++)
		if (mb_children[i] == 0)
			slot = i;
	if (slot < 0) {
		errno = EAGAIN;
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (cpu >= 0) {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof set, &set);
		}
		int null = open("/dev/null", O_RDWR);
		dup2(in >= 0 ? in : null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(err >= 0 ? err : null, 2);
		for (int fd = 3; fd < 256; fd++)
			close(fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here: no race with a kill(-pid) */
	mb_children[slot] = pid;
	return pid;
}

/* Lines from a child's pipe, read with a deadline. */
struct mb_lines {
	int	 fd;
	char	 buf[8192];
	size_t	 len;
	int	 eof;
};

/* The next line (without its newline) into line. 1: a line; 0: end of
 * file; -1: the deadline (bench_now() seconds) passed. */
static inline int
mb_read_line(struct mb_lines *l, double deadline, char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(l->buf, '\n', l->len);
		if (nl != NULL || (l->eof && l->len > 0) ||
		    l->len == sizeof l->buf) {
			size_t n = nl ? (size_t)(nl - l->buf) : l->len;
			size_t k = n < cap - 1 ? n : cap - 1;
			memcpy(line, l->buf, k);
			line[k] = '\0';
			if (nl)
				n++;
			memmove(l->buf, l->buf + n, l->len - n);
			l->len -= n;
			return 1;
		}
		if (l->eof)
			return 0;
		double left = deadline - bench_now();
		if (left <= 0)
			return -1;
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int rc = poll(&p, 1, (int)(left * 1000) + 1);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc <= 0)
			continue;
		ssize_t k = read(l->fd, l->buf + l->len, sizeof l->buf - l->len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			l->eof = 1;
		else
			l->len += (size_t)k;
	}
}

/* ------------------------------------------------------ systour manager */

/* The systour program: $SYSTOUR (run.sh sets it), else ./systour. NULL
 * when it is not an executable file. */
static inline const char *
mb_systour(void)
{
	const char *p = getenv("SYSTOUR");
	if (p == NULL || *p == '\0')
		p = "./systour";
	return access(p, X_OK) == 0 ? p : NULL;
}

/* A running `systour manager --port 0 ARGS...`: its pid, its stderr (the
 * log) and the port it listens on. */
struct mb_manager {
	pid_t		 pid;
	struct mb_lines	 log;
	char		 port[16];
};

/* Start it (pinned to cpu, or not when -1), its stdout (the notes'
 * prints) on /dev/null, and wait (5 s at most) for "listening on H:P".
 * 0, or -1 with why. */
static inline int
mb_manager_start(struct mb_manager *m, const char *systour,
    const char *const *args, int cpu, char *why, size_t wlen)
{
	char *argv[16] = { (char *)systour, "manager", "--port", "0" };
	int n = 4;
	for (; args && *args && n < 15; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	int p[2];
	memset(m, 0, sizeof *m);
	m->log.fd = -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		return -1;
	}
	m->pid = mb_spawn(argv, -1, -1, p[1], cpu);
	close(p[1]);
	if (m->pid < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		close(p[0]);
		return -1;
	}
	m->log.fd = p[0];
	char line[512] = "";
	double deadline = bench_now() + 5;
	int rc;
	while ((rc = mb_read_line(&m->log, deadline, line, sizeof line)) == 1) {
		const char *at = strstr(line, "listening on ");
		const char *colon = at ? strrchr(at, ':') : NULL;
		if (colon && colon[1]) {
			snprintf(m->port, sizeof m->port, "%s", colon + 1);
			return 0;
		}
	}
	snprintf(why, wlen, "systour manager did not start: %.200s",
	    rc < 0 ? "no \"listening on\" line in 5 s" :
	    line[0] ? line : "it exited");
	mb_kill(m->pid);
	close(m->log.fd);
	m->pid = 0;
	m->log.fd = -1;
	return -1;
}

/* Kill it and reap it. */
static inline void
mb_manager_stop(struct mb_manager *m)
{
	mb_kill(m->pid);
	m->pid = 0;
	if (m->log.fd >= 0)
		close(m->log.fd);
	m->log.fd = -1;
}

/* "185000", "2.5k"-free plain figures with a unit: "31 us", "1.2 ms". */
static inline const char *
mb_human(double s, char *buf, size_t len)
{
	if (s < 10e-6)
		snprintf(buf, len, "%.1f us", s * 1e6);
	else if (s < 1e-3)
		snprintf(buf, len, "%.0f us", s * 1e6);
	else if (s < 10e-3)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.0f ms", s * 1e3);
	return buf;
}

#endif
