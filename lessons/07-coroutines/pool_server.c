/* pool_server.c — the HTTP server that lesson 07's gevent-pool demo
 * fetches from: `systour serve http --host 127.0.0.1 --port 0`, exec'd
 * from /proc/self/exe (the demo's leader is forked from the tutor) as a
 * process of the demo's group, with its errors in its pane. Its first
 * line, "listening on 127.0.0.1:PORT", comes on a pipe and names the port;
 * GET /slow/MS answers after MS milliseconds without holding up anyone. */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
pool_server_start(struct demo_ctx *ctx, const struct demo_api *api, int pane,
    struct pool_server *s, char *line, size_t size)
{
	size_t len = 0;
	int p[2];
	memset(s, 0, sizeof *s);
	s->out = -1;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if ((s->pid = fork()) < 0)
		return -1;
	if (s->pid == 0) {
		api->to_pane(ctx, pane, "systour serve http");
		dup2(p[1], 1);  /* stdout: its first line, to us; stderr: pane */
		execl("/proc/self/exe", "systour", "serve", "http", "--host",
		    "127.0.0.1", "--port", "0", (char *)NULL);
		fprintf(stderr, "systour: exec /proc/self/exe: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while (len < size - 1) {
		ssize_t r = read(p[0], line + len, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	s->out = p[0];          /* held open: its stdout stays a pipe */
	if (sscanf(line, "listening on 127.0.0.1:%d", &s->port) != 1) {
		pool_server_stop(s);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int
pool_server_stop(struct pool_server *s)
{
	int st = 0;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	if (s->out >= 0)
		close(s->out);
	s->out = -1;
	s->pid = 0;
	return st;
}
