/* demo_plain.c — a demo as plain text: each pane's lines as they happen,
 * prefixed "[pane] ", the demo's own notes and the exit statuses as
 * "[demo] ...". Steps pass at the set delay, or one per Enter with --step.
 * Ctrl-C (or SIGTERM, SIGHUP, or a closed output) stops the demo (SIGTERM,
 * then SIGKILL), still reports how every process ended and removes its
 * scratch directory; then a SIGTERM or SIGHUP ends systour as it asked. */
#include "demo_plain.h"
#include "loop.h"
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
	struct demo_run *run;
	int show_positions;
	int leader_status;      /* how the demo's leader ended */
	pid_t leader;
	int stopped;            /* by a signal or a closed output */
	int fatal;              /* the SIGTERM or SIGHUP that stopped us */
	int done;               /* the run is over */
	struct loop_watch *input;       /* Enter on stdin, in step mode */
	enum lang lang;         /* of the [demo] lines; pane names stay */
};

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
	const struct plain *pl = arg;
	if (tid != pid)
		printf(L(pl->lang, "[demo] pane %s: %s, PID %d, TID %d\n",
		    "[demo] 窗格 %s：%s，PID %d，TID %d\n"), pane_name(arg, pane),
		    who, (int)pid, (int)tid);
	else
		printf(L(pl->lang, "[demo] pane %s: %s, PID %d\n",
		    "[demo] 窗格 %s：%s，PID %d\n"), pane_name(arg, pane), who,
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
	printf(L(pl->lang, "[code] %s at line %d: %.*s\n",
	    "[code] %s 第 %d 行：%.*s\n"), pane_name(pl, pane), line, len, s);
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
	    *who ? ")" : "", demo_how_lang(status, pl->lang == LANG_ZH, how,
	    sizeof how));
	if (pid == pl->leader)
		pl->leader_status = status;
}

static void
on_finished(void *arg)
{
	struct plain *pl = arg;
	pl->done = 1;
}

static void
stop_run(struct plain *pl)
{
	if (pl->stopped)
		return;
	pl->stopped = 1;
	demo_stop(pl->run);
}

/* Ctrl-C, SIGTERM, SIGHUP: stop the demo, still report how it ended. */
static void
on_signal(struct loop *l, int sig, void *arg)
{
	struct plain *pl = arg;
	if (sig == SIGTERM || sig == SIGHUP)
		pl->fatal = sig;
	if (!pl->stopped)
		printf(L(pl->lang, "[demo] stopping: SIGTERM to the process "
		    "group %d\n", "[demo] 正在停止：向进程组 %d 发送 SIGTERM\n"),
		    (int)demo_pgid(pl->run));
	stop_run(pl);
}

/* In step mode each Enter lets one actor take a step; at the end of the
 * input the demo runs on at its delay. */
static void
on_input(struct loop *l, int fd, unsigned events, void *arg)
{
	struct plain *pl = arg;
	char b[256];
	ssize_t k = read(fd, b, sizeof b);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k <= 0) {
		loop_cancel(pl->input);
		pl->input = NULL;
		demo_pause(pl->run, 0);
		return;
	}
	for (ssize_t i = 0; i < k; i++)
		if (b[i] == '\n')
			demo_step(pl->run);
}

int
demo_plain_run(struct loop *loop, const struct systour_demo *d, int step_mode,
    int delay_ms, enum lang lang, struct store *store, char **cause)
{
	long long t0 = now_ms();
	time_t started = time(NULL);
	struct plain pl = { .demo = d, .show_positions = step_mode,
	    .leader_status = -1, .lang = lang };
	struct demo_sink sink = {
		.arg = &pl, .line = on_line, .title = on_title,
		.position = on_position, .note = on_note, .figure = on_figure,
		.exited = on_exited, .finished = on_finished,
	};
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct loop_watch *w_sig[3];
	struct sigaction ign, old_pipe;

	/* a write to a closed output fails with EPIPE instead of killing us */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);

	printf("[demo] %s: %s\n", d->name, L(lang, d->title_en, d->title_zh));
	pl.run = demo_start(loop, d, &sink, step_mode, delay_ms, lang, cause);
	if (pl.run == NULL) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		return -1;
	}
	for (int i = 0; i < 3; i++)
		w_sig[i] = loop_signal(loop, sigs[i], on_signal, &pl);
	pl.leader = demo_pgid(pl.run);
	if (step_mode) {
		pl.input = loop_fd(loop, STDIN_FILENO, LOOP_READ, on_input, &pl);
		if (pl.input == NULL)   /* a file: epoll cannot wait for it */
			demo_pause(pl.run, 0);
		else
			printf("%s", L(lang, "[demo] press Enter for each step "
			    "(end of input: run on)\n", "[demo] 每按一次回车走一步"
			    "（输入结束后：一直运行下去）\n"));
	}
	fflush(stdout);

	while (!pl.done) {
		loop_once(loop, -1);
		if (fflush(stdout) != 0 || ferror(stdout))
			stop_run(&pl);  /* nobody reads us any more */
	}
	loop_cancel(pl.input);
	demo_free(pl.run);
	for (int i = 0; i < 3; i++)
		loop_cancel(w_sig[i]);

	char ended[80];
	store_demo_run(store, d->name, (long long)started, now_ms() - t0,
	    demo_ending(pl.leader_status, pl.stopped, ended, sizeof ended));
	sigaction(SIGPIPE, &old_pipe, NULL);
	fflush(stdout);
	if (pl.fatal)
		raise(pl.fatal);
	return WIFEXITED(pl.leader_status) && WEXITSTATUS(pl.leader_status) == 0 ?
	    0 : 1;
}
