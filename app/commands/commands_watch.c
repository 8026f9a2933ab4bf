/* commands_watch.c — `watch [EX]` from the shell: check the exercise at
 * once, then again at every save of its files (watch.h: inotify, debounced,
 * events ignored while a check runs), Enter to check again by hand (for
 * file systems without inotify), q or Ctrl-C to stop. Each result is
 * printed as text or one line of JSON, with the time from the save to it.
 * In the TUI the exercise's view does this. */
#include "commands_exercise.h"
#include "exercise.h"
#include "loop.h"
#include "runner.h"
#include "shell.h"
#include "util.h"
#include "watch.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct watching {
	struct app *app;
	const struct exercise *ex;
	char *dir;
	int json;
	struct ex_watch *w;
	struct ex_run *run;
	struct loop_watch *w_int, *w_term, *w_in;
	int stop;
	long long saved_at;     /* when the save that started this run came */
};

static void watch_start_run(struct watching *wt);

static void
on_watch_result(void *arg, struct ex_result *r)
{
	struct watching *wt = arg;
	struct app *app = wt->app;
	wt->run = NULL;
	ex_record_attempt(app, wt->ex->id, r);
	char *s = wt->json ? ex_result_json(r, wt->ex->id) :
	    ex_result_text(r, wt->ex->id, ex_zh(app));
	app_printf(app, "%s%s", s, wt->json ? "\n" : "");
	free(s);
	if (!wt->json && wt->saved_at)
		app_printf(app, L(app->lang,
		    "[watch] %lld ms from the save to this result "
		    "(the check ran %lld ms)\n",
		    "[watch] 从保存到结果 %lld 毫秒（检查本身 %lld 毫秒）\n"),
		    now_ms() - wt->saved_at, r->run_ms + r->compile_ms);
	if (!wt->json)
		app_printf(app, "%s\n", L(app->lang,
		    "[watch] waiting for a save (Enter: check again, q: stop)",
		    "[watch] 等待保存（回车：重新检查，q：停止）"));
	fflush(stdout);
	ex_result_free(r);
	ex_watch_resume(wt->w);
}

static void
watch_start_run(struct watching *wt)
{
	char *cause = NULL;
	struct ex_run_opts o = { .ex = wt->ex, .learner_dir = wt->dir,
	    .zh = ex_zh(wt->app) };
	ex_watch_pause(wt->w);
	wt->run = ex_run_start(app_loop(wt->app), &o, on_watch_result, wt,
	    &cause);
	if (wt->run == NULL) {
		app_errorf(wt->app, "watch %s: %s", wt->ex->id, cause);
		free(cause);
		ex_watch_resume(wt->w);
	}
}

static void
on_watch_change(void *arg, long long first_event_ms)
{
	struct watching *wt = arg;
	if (wt->run)
		return;
	wt->saved_at = first_event_ms;
	if (!wt->json)
		app_printf(wt->app, "%s\n", L(wt->app->lang,
		    "[watch] saved: checking again", "[watch] 已保存：重新检查"));
	watch_start_run(wt);
}

static void
on_watch_signal(struct loop *l, int sig, void *arg)
{
	struct watching *wt = arg;
	wt->stop = 1;
	loop_break(l);
}

static void
on_watch_stdin(struct loop *l, int fd, unsigned events, void *arg)
{
	struct watching *wt = arg;
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n <= 0) {
		/* no one at the keyboard: watch on, until a signal */
		loop_cancel(wt->w_in);
		wt->w_in = NULL;
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 'q' || buf[i] == 4) {
			wt->stop = 1;
			loop_break(l);
			return;
		}
	if (wt->run == NULL) {
		wt->saved_at = 0;
		watch_start_run(wt);
	}
}

static enum cmd_retval
cmd_watch_exec(struct app *app, struct cmd_args *args)
{
	const struct exercise *ex = ex_take(app, args, "watch");
	if (ex == NULL)
		return CMD_ERR;
	char *ws = ex_take_workspace(args);
	int copied = 0;
	struct watching wt = { .app = app, .ex = ex,
	    .json = cmd_has(args, "json", NULL) };
	wt.dir = ex_prepare(app, ex, ws, "watch", &copied);
	free(ws);
	if (wt.dir == NULL)
		return CMD_ERR;
	enum cmd_retval trc;
	if (ex_tui_open(app, ex, wt.dir, &trc)) {
		free(wt.dir);
		return trc;
	}
	char *cause = NULL;
	struct loop *l = app_loop(app);
	wt.w = ex_watch_new(l, wt.dir, (const char *const *)ex->files,
	    ex->nfiles, on_watch_change, &wt, &cause);
	if (wt.w == NULL) {
		app_errorf(app, "watch %s: %s", ex->id, cause);
		free(cause);
		free(wt.dir);
		return CMD_ERR;
	}
	if (!wt.json)
		app_printf(app, L(app->lang, "[watch] %s: edit %s/%s; every save "
		    "is checked\n", "[watch] %s：编辑 %s/%s，每次保存都会检查\n"),
		    ex->id, wt.dir, ex->files[0]);
	wt.w_int = loop_signal(l, SIGINT, on_watch_signal, &wt);
	wt.w_term = loop_signal(l, SIGTERM, on_watch_signal, &wt);
	wt.w_in = loop_fd(l, STDIN_FILENO, LOOP_READ, on_watch_stdin, &wt);
	watch_start_run(&wt);
	while (!wt.stop)
		loop_run(l);
	ex_run_cancel(wt.run);
	ex_watch_free(wt.w);
	loop_cancel(wt.w_int);
	loop_cancel(wt.w_term);
	loop_cancel(wt.w_in);
	free(wt.dir);
	return CMD_OK;
}

static const char *const watch_options[] = { "workspace=", "json", NULL };

static const struct cmd_optdoc watch_optdoc[] = {
	{ "--workspace DIR", "where your copies are (default ~/systour-exercises)",
	  "你的副本所在目录（默认 ~/systour-exercises）" },
	{ "--json", "print each result as one line of JSON",
	  "每个结果打印为一行 JSON" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_watch_entry = {
	.name = "watch", .usage = "[EX] [--workspace DIR] [--json]",
	.help_en = "check an exercise again at every save (Enter: again, q: stop)",
	.help_zh = "每次保存都重新检查练习（回车：再查一次，q：停止）",
	.minargs = 0, .maxargs = 1, .options = watch_options,
	.optdoc = watch_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .exec = cmd_watch_exec,
};

