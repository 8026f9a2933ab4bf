/* demo_plain.c — a demo as plain text: each pane's lines as they happen,
 * prefixed "[pane] ", the demo's own notes and the exit statuses as
 * "[demo] ...". Steps pass at the set delay, or one per Enter with --step.
 * Ctrl-C (or SIGTERM, SIGHUP, or a closed output) stops the demo (SIGTERM,
 * then SIGKILL), still reports how every process ended and removes its
 * scratch directory; then a SIGTERM or SIGHUP ends systour as it asked. */
#include "demo_plain.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct plain {
	const struct systour_demo *demo;
	int show_positions;
	int leader_status;      /* how the demo's leader ended */
	pid_t leader;
};

static int int_pipe[2] = { -1, -1 };

static void
on_sigint(int sig)
{
	char b = (char)sig;
	if (write(int_pipe[1], &b, 1) < 0) {
		/* a byte is waiting already */
	}
}

static const char *
pane_name(const struct plain *pl, int pane)
{
	return pane >= 0 && pane < DEMO_MAX_PANES && pl->demo->panes[pane] ?
	    pl->demo->panes[pane] : "?";
}

static void
on_line(void *arg, int pane, const char *text, size_t len)
{
	printf("[%s] %.*s\n", pane_name(arg, pane), (int)len, text);
}

static void
on_title(void *arg, int pane, const char *who, pid_t pid, pid_t tid)
{
	if (tid != pid)
		printf("[demo] pane %s: %s, PID %d, TID %d\n", pane_name(arg, pane),
		    who, (int)pid, (int)tid);
	else
		printf("[demo] pane %s: %s, PID %d\n", pane_name(arg, pane), who,
		    (int)pid);
}

/* Line n (1-based) of the demo's code, without its newline. */
static void
code_line(const char *code, int n, const char **s, int *len)
{
	*s = "";
	*len = 0;
	for (int i = 1; code && *code; i++) {
		const char *nl = strchr(code, '\n');
		int l = nl ? (int)(nl - code) : (int)strlen(code);
		if (i == n) {
			*s = code;
			*len = l;
			return;
		}
		if (!nl)
			break;
		code = nl + 1;
	}
}

static void
on_position(void *arg, int pane, int line)
{
	struct plain *pl = arg;
	if (!pl->show_positions)
		return;
	const char *s;
	int len;
	code_line(pl->demo->code, line, &s, &len);
	printf("[code] %s at line %d: %.*s\n", pane_name(pl, pane), line, len, s);
}

static void
on_note(void *arg, const char *text)
{
	printf("[demo] %s\n", text);
}

static void
on_figure(void *arg, const char *name, long long value)
{
	printf("[demo] %s = %lld\n", name, value);
}

static void
on_exited(void *arg, pid_t pid, const char *who, int status)
{
	struct plain *pl = arg;
	char how[64];
	printf("[demo] PID %d%s%s%s %s\n", (int)pid, *who ? " (" : "", who,
	    *who ? ")" : "", demo_how(status, how, sizeof how));
	if (pid == pl->leader)
		pl->leader_status = status;
}

int
demo_plain_run(const struct systour_demo *d, int step_mode, int delay_ms,
    struct store *store, char **cause)
{
	long long t0 = now_ms();
	time_t started = time(NULL);
	int stopped = 0;
	struct plain pl = { .demo = d, .show_positions = step_mode,
	    .leader_status = -1 };
	struct demo_sink sink = {
		.arg = &pl, .line = on_line, .title = on_title,
		.position = on_position, .note = on_note, .figure = on_figure,
		.exited = on_exited,
	};
	struct sigaction sa, old[4];
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	int fatal = 0;          /* the SIGTERM or SIGHUP that stopped us */

	if (int_pipe[0] < 0 && pipe2(int_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		*cause = xasprintf("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++) {
		/* SIGPIPE: a write to a closed output fails with EPIPE instead */
		sa.sa_handler = sigs[i] == SIGPIPE ? SIG_IGN : on_sigint;
		sigaction(sigs[i], &sa, &old[i]);
	}

	printf("[demo] %s: %s\n", d->name, d->title_en);
	struct demo_run *r = demo_start(d, &sink, step_mode, delay_ms, cause);
	if (r == NULL) {
		for (int i = 0; i < 4; i++)
			sigaction(sigs[i], &old[i], NULL);
		return -1;
	}
	pl.leader = demo_pgid(r);
	int input = step_mode;  /* reading Enter from stdin */
	if (step_mode)
		printf("[demo] press Enter for each step (end of input: run on)\n");
	fflush(stdout);

	while (!demo_finished(r)) {
		struct pollfd fds[DEMO_MAX_PANES + 4];
		int n = demo_pollfds(r, fds, DEMO_MAX_PANES + 2);
		int in_at = -1, int_at = n;
		fds[n++] = (struct pollfd){ int_pipe[0], POLLIN, 0 };
		if (input) {
			in_at = n;
			fds[n++] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
		}
		if (poll(fds, (nfds_t)n, demo_timeout(r)) < 0 && errno != EINTR)
			break;
		if (fds[int_at].revents & POLLIN) {
			char b[16];
			ssize_t k;
			while ((k = read(int_pipe[0], b, sizeof b)) > 0)
				for (ssize_t i = 0; i < k; i++)
					if (b[i] == SIGTERM || b[i] == SIGHUP)
						fatal = b[i];
			printf("[demo] stopping: SIGTERM to the process group %d\n",
			    (int)demo_pgid(r));
			demo_stop(r);
			stopped = 1;
		}
		if (in_at >= 0 && (fds[in_at].revents & (POLLIN | POLLHUP))) {
			char b[256];
			ssize_t k = read(STDIN_FILENO, b, sizeof b);
			if (k <= 0) {
				input = 0;
				demo_pause(r, 0);
			} else
				for (ssize_t i = 0; i < k; i++)
					if (b[i] == '\n')
						demo_step(r);
		}
		demo_work(r);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			demo_stop(r);   /* nobody reads us any more */
			stopped = 1;
		}
	}
	demo_free(r);

	char ended[80];
	store_demo_run(store, d->name, (long long)started, now_ms() - t0,
	    demo_ending(pl.leader_status, stopped, ended, sizeof ended));
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	fflush(stdout);
	if (fatal)
		raise(fatal);
	return WIFEXITED(pl.leader_status) && WEXITSTATUS(pl.leader_status) == 0 ?
	    0 : 1;
}
