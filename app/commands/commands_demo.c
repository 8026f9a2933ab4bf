/* commands_demo.c — the demo command: list the live demos, run one (TUI
 * panes, or plain text with --plain or without a terminal), and control the
 * one that is running (pause, resume, step, faster, slower, restart, stop,
 * kill a pane's actor). */
#include "demo.h"
#include "demo_plain.h"
#include "shell.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const controls[] = {
	"pause", "resume", "step", "faster", "slower", "restart", "stop", "kill",
	NULL
};

static void
list_demos(struct app *app)
{
	for (int i = 0; i < app->lessons.n; i++) {
		const struct lesson *ls = &app->lessons.v[i];
		const struct systour_lesson_module *m = ls->module_info;
		for (int k = 0; m && m->demos && m->demos[k]; k++) {
			const struct systour_demo *d = m->demos[k];
			app_printf(app, "%-14s %-16s %s\n", d->name, ls->id,
			    L(app->lang, d->title_en, d->title_zh));
		}
	}
}

static enum cmd_retval
cmd_demo_exec(struct app *app, struct cmd_args *args)
{
	const char *v;
	int delay = DEMO_DELAY_MS;
	if (cmd_has(args, "delay", &v)) {
		char *end;
		long ms = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || ms < 0 || ms > 10000) {
			app_errorf(app, L(app->lang, "demo: --delay %s: not a number of milliseconds "
			    "from 0 to 10000",
			    "demo：--delay %s：不是 0 到 10000 之间的毫秒数"), v);
			return CMD_USAGE;
		}
		delay = (int)ms;
	}
	if (args->argc == 0) {
		list_demos(app);
		return CMD_OK;
	}
	const char *name = args->argv[0];
	if (args->argc > 1 && strcasecmp(name, "kill") != 0) {
		app_errorf(app, L(app->lang, "demo %s: one name only (kill takes a pane)",
		    "demo %s：只能给一个名称（kill 接一个窗格）"), name);
		return CMD_USAGE;
	}
	for (int i = 0; controls[i]; i++)
		if (strcasecmp(name, controls[i]) == 0) {
			char what[32];
			snprintf(what, sizeof what, "%s", controls[i]);
			if (args->argc > 1) {
				/* demo kill PANE: the pane by its number */
				char *end;
				long p = strtol(args->argv[1], &end, 10);
				if (*end != '\0' || p < 1 || p > DEMO_MAX_PANES) {
					app_errorf(app, L(app->lang, "demo kill %s: not a pane "
					    "number from 1 to %d",
					    "demo kill %s：不是 1 到 %d 之间的窗格编号"), args->argv[1],
					    DEMO_MAX_PANES);
					return CMD_USAGE;
				}
				snprintf(what, sizeof what, "kill %ld", p);
			}
			if (app->ui->command == NULL) {
				app_errorf(app, L(app->lang, "demo %s: no demo is running here",
				    "demo %s：这里没有正在运行的演示"), name);
				return CMD_ERR;
			}
			char *cmd = xasprintf("demo %s", what);
			int rc = app->ui->command(app, cmd);
			free(cmd);
			return rc == 0 ? CMD_OK : CMD_ERR;
		}

	const struct systour_demo *d = demo_find(&app->lessons, name);
	if (d == NULL) {
		app_errorf(app, L(app->lang, "demo: no demo \"%s\" (see: demo)",
		    "demo：没有演示“%s”（见 demo）"), name);
		return CMD_USAGE;       /* a name that does not exist */
	}
	int step = cmd_has(args, "step", NULL);
	int rc;
	char *cause = NULL;
	struct app_view what = { .kind = APP_VIEW_DEMO, .demo = d,
	    .paused = step, .delay_ms = delay };
	if (cmd_has(args, "plain", NULL))
		rc = demo_plain_run(app_loop(app), d, step, delay,
		    app->lang, app->store, &cause);
	else
		rc = app->ui->push(app, &what, &cause);
	if (rc < 0) {
		app_errorf(app, "demo %s: %s", name, cause);
		free(cause);
		return CMD_ERR;
	}
	return rc == 0 ? CMD_OK : CMD_ERR;
}

static const char *const demo_options[] = { "plain", "step", "delay=", NULL };

static const struct cmd_optdoc demo_optdoc[] = {
	{ "--plain", "print each pane's lines as they come, prefixed\n"
	    "[pane], instead of drawing the panes",
	  "按发生顺序打印各窗格的行（前缀 [窗格]），\n不画窗格" },
	{ "--step", "wait for Enter before each step",
	  "每一步之前等待回车" },
	{ "--delay MS", "the pause between steps, 0 to 10000 (default 400)",
	  "两步之间的停顿，0 到 10000（默认 400）" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_demo_entry = {
	.name = "demo", .usage = "[NAME|pause|resume|step|faster|slower|restart|stop|"
	    "kill [PANE]] [--plain] [--step] [--delay MS]",
	.help_en = "run a live demo (no name: list them), or control the running one",
	.help_zh = "运行现场演示（不带名称：列出全部），或控制正在运行的演示",
	.minargs = 0, .maxargs = 2, .options = demo_options,
	.optdoc = demo_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .complete = COMPLETE_DEMO,
	.exec = cmd_demo_exec,
};
