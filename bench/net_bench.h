/* net_bench.h — what the network benches share: starting `systour serve
 * ...` (or any server) in a process group of its own with its stdout on a
 * pipe, reading its "listening on HOST:PORT" line, and ending it. Header-only
 * (static functions), as bench.h. */
#ifndef SYSTOUR_NET_BENCH_H
#define SYSTOUR_NET_BENCH_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The program `make` built (the Makefile sets SYSTOUR). */
static inline const char *
nb_systour(void)
{
	const char *s = getenv("SYSTOUR");
	return s != NULL && *s != '\0' ? s : "./systour";
}

/* Start argv in a process group of its own, its stdout on a pipe and its
 * stderr to errpath (or /dev/null). With want_port, wait (at most 10 s) for
 * its first line "listening on HOST:PORT" and return the port; else 0.
 * -1 when it did not start. */
static inline int
nb_start(char *const argv[], const char *errpath, int want_port, pid_t *pid)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		setpgid(0, 0);
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		FILE *e = fopen(errpath ? errpath : "/dev/null", "w");
		if (e != NULL) {
			dup2(fileno(e), 2);
			if (!want_port)		/* nobody reads its stdout */
				dup2(fileno(e), 1);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(c, c);
	close(p[1]);
	*pid = c;
	if (!want_port) {
		close(p[0]);
		return 0;
	}
	char line[256];
	size_t n = 0;
	alarm(10);
	while (n < sizeof line - 1) {
		ssize_t r = read(p[0], line + n, 1);
		if (r <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	alarm(0);
	line[n] = '\0';
	close(p[0]);
	const char *colon = strrchr(line, ':');
	if (strncmp(line, "listening on ", 13) != 0 || colon == NULL)
		return -1;
	return atoi(colon + 1);
}

/* SIGTERM the group, wait for the leader; its wait status. */
static inline int
nb_stop(pid_t pid)
{
	int st = 0;
	kill(-pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			kill(-pid, SIGKILL);
			return st;
		}
		usleep(50000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	return st;
}

#endif
