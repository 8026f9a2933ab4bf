/* main.c — the program's arguments: global options, then either a one-shot
 * command from the shared table, the TUI, or the plain shell. */
#include "app.h"
#include "buf.h"
#include "commands_exercise.h"
#include "exercise.h"
#include "loop.h"
#include "plain.h"
#include "shell.h"
#include "tui.h"
#include "util.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
usage(FILE *f)
{
	fputs(
"usage: systour [--plain] [--db PATH] [--lang zh|en]\n"
"       systour [--db PATH] [--lang zh|en] COMMAND [ARGS]\n"
"\n"
"An interactive terminal tutor for IO and concurrency, in Chinese and English.\n"
"Without a command, systour opens the tutor (the TUI); with --plain, or when\n"
"stdout is not a terminal, it reads commands line by line instead.\n"
"\n"
"Commands, given here or typed inside the tutor (after :) and the plain shell:\n", f);
	struct app app = { .lang = LANG_EN };
	static const struct {
		int flags;
		const char *head;
	} sections[] = {
		{ CMD_ONESHOT | CMD_SHELL, "" },
		{ CMD_ONESHOT, "\nCommands given only here:\n" },
		{ CMD_SHELL, "\nCommands only inside the tutor and the plain shell:\n" },
	};
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		char *s = cmd_help_where(&app, sections[i].flags);
		if (*s)
			fprintf(f, "%s%s", sections[i].head, s);
		free(s);
	}
	fputs(
"\n"
"Options:\n"
"  --plain          the shell without curses (screen readers, scripts, pipes)\n"
"  --db PATH        progress database\n"
"                   (default $XDG_DATA_HOME/systour/progress.db)\n"
"  --lang zh|en     language (default from LANG)\n"
"  --help           this text; after a command, that command's usage and options\n"
"  --version        the version\n"
"\n"
"Environment: SYSTOUR_LESSONS (a lessons directory), NO_COLOR, LANG.\n"
"Exit status: 0 success, 1 the work failed, 2 bad usage.\n", f);
}

/* `systour COMMAND ... --help`: that command's usage and options. Frees
 * rest. */
static int
command_help(struct app *app, char **rest)
{
	char *cause = NULL;
	const struct cmd_entry *e = cmd_find(rest[0], &cause);
	free(rest);
	if (e == NULL) {
		warnx_("%s (see systour --help)", cause);
		free(cause);
		free(app->db_path);
		return EXIT_USAGE;
	}
	char *s = cmd_usage_text(app, e);
	fputs(s, stdout);
	free(s);
	free(app->db_path);
	fflush(stdout);
	return ferror(stdout) ? EXIT_WORK : EXIT_OK;
}

static void
collect_problem(const char *problem, void *arg)
{
	struct app *app = arg;
	ARRAY_GROW(app->problems, app->problems_cap, (size_t)app->nproblems + 1);
	app->problems[app->nproblems++] = xstrdup(problem);
}

/* Make sure wide characters work: the user's locale if it is UTF-8,
 * otherwise C.UTF-8 for the character type. */
static void
set_locale(void)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

static void
app_free(struct app *app)
{
	loop_free(app->loop);
	store_close(app->store);
	lessons_free(&app->lessons);
	for (int i = 0; i < app->nproblems; i++)
		free(app->problems[i]);
	free(app->problems);
	free(app->db_path);
	free(app->history_path);
	if (app->exercises)
		exercises_free(app->exercises);
	free(app->exercises);
	free(app->ex_cur);
}

int
main(int argc, char **argv)
{
	struct app app = { 0 };
	int plain = 0, cmd_help = 0, rc;
	char **rest = xcalloc(argc + 1, sizeof *rest);
	int nrest = 0;

	set_locale();
	app.lang = lang_from_env();

	/* Global options may stand anywhere; the rest is the command. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) &&
		    nrest > 0) {
			cmd_help = 1;	/* after a command: its own help */
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			free(rest);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("systour %s\n", SYSTOUR_VERSION);
			free(rest);
			return EXIT_OK;
		} else if (strcmp(a, "--plain") == 0)
			plain = 1;
		else if (strcmp(a, "--db") == 0 || strncmp(a, "--db=", 5) == 0) {
			const char *v = a[4] == '=' ? a + 5 : (i + 1 < argc ? argv[++i] : NULL);
			if (v == NULL || *v == '\0') {
				warnx_("--db needs a path");
				free(rest);
				return EXIT_USAGE;
			}
			free(app.db_path);
			app.db_path = xstrdup(v);
		} else if (strcmp(a, "--lang") == 0 || strncmp(a, "--lang=", 7) == 0) {
			const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
			int l = lang_parse(v);
			if (l < 0) {
				warnx_("--lang %s: not a language (en or zh)", v ? v : "");
				free(rest);
				return EXIT_USAGE;
			}
			app.lang = l;
		} else if (nrest == 0 && a[0] == '-' && a[1] != '\0') {
			warnx_("unknown option %s (see systour --help)", a);
			free(rest);
			return EXIT_USAGE;
		} else
			rest[nrest++] = argv[i];
	}

	if (cmd_help)
		return command_help(&app, rest);

	char *dir = data_dir(), *cause = NULL;
	if (app.db_path == NULL)
		app.db_path = xasprintf("%s/progress.db", dir);
	app.history_path = xasprintf("%s/history", dir);
	free(dir);

	int terminal = !plain && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	int tui = nrest == 0 && terminal;
	/* `systour demo NAME` at a terminal shows the demo in the TUI's panes,
	 * `systour exercise EX` the exercise beside the editor */
	char *first = NULL;
	if (nrest >= 2 && terminal) {
		char *why = NULL;
		const struct cmd_entry *e = cmd_find(rest[0], &why);
		free(why);
		if (e && (strcmp(e->name, "demo") == 0 ||
		    strcmp(e->name, "exercise") == 0)) {
			first = xstrdup(e->name);
			for (int i = 1; i < nrest; i++) {
				char *s = xasprintf("%s %s", first, rest[i]);
				free(first);
				first = s;
			}
			tui = 1;
		}
	}
	/* A standalone command (the manager, the worker, pickle) needs neither
	 * the lessons nor the learner's progress: it does not open them. */
	const struct cmd_entry *one = NULL;
	if (!tui && nrest > 0) {
		char *why = NULL;
		one = cmd_find(rest[0], &why);
		free(why);
	}
	int standalone = one != NULL && (one->flags & CMD_STANDALONE);
	char *warning = NULL;
	if (!standalone) {
		char *ldir = lessons_dir(&cause);
		if (ldir == NULL) {
			warnx_("%s", cause);
			free(cause);
			free(rest);
			app_free(&app);
			return EXIT_WORK;
		}
		lessons_load(ldir, &app.lessons, collect_problem, &app);
		free(ldir);
		ex_mark_available(&app);
		app.store = store_open(app.db_path, &warning);
	}

	if (tui) {
		rc = tui_run(&app, warning, first);
	} else {
		if (warning)
			warnx_("%s", warning);
		if (nrest == 0)
			rc = plain_shell(&app);
		else {
			/* one-shot: problems with lessons are reported once, first */
			for (int i = 0; i < app.nproblems &&
			    !(one && strcmp(one->name, "problems") == 0); i++)
				warnx_("%s", app.problems[i]);
			app.ui = &plain_oneshot_ui;
			rc = cmd_exec_argv(&app, nrest, rest, CMD_ONESHOT);
		}
	}
	free(warning);
	free(first);
	free(rest);
	fflush(stdout);
	if (ferror(stdout) && rc == 0)
		rc = EXIT_WORK;
	app_free(&app);
	return rc;
}
