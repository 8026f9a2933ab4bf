/* test_shell.c — unit tests for the command table and its machinery
 * (app/commands/shell.c, app/commands/commands.c) and for choosing the language (app/core/lang.c).
 *
 * Commands run against a real app: two lessons loaded from a tree written
 * to a mkdtemp() directory, a progress store opened in that directory, and
 * a front end (ui_ops) that captures what the commands print and report. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "lang.h"
#include "layout.h"
#include "shell.h"
#include "util.h"

/* ------------------------------------------------------ capturing ui */

struct capture {
	char	*out;		/* everything printed */
	char	*err;		/* every error, one per line */
	int	 nerr;
	int	 lists;		/* times the list was shown */
	int	 opens;		/* times a step was opened */
	int	 open_step;	/* app->step at the last open */
	char	 open_id[32];	/* app->cur->id at the last open */
	int	 confirm_answer;
	char	*question;
};

static void
append(char **buf, const char *text)
{
	char	*s = xasprintf("%s%s", *buf ? *buf : "", text);

	free(*buf);
	*buf = s;
}

static void
cap_print(struct app *app, const char *text)
{
	append(&((struct capture *)app->ui_data)->out, text);
}

static void
cap_error(struct app *app, const char *msg)
{
	struct capture	*cap = app->ui_data;

	append(&cap->err, msg);
	append(&cap->err, "\n");
	cap->nerr++;
}

static void
cap_list(struct app *app)
{
	((struct capture *)app->ui_data)->lists++;
}

static void
cap_open(struct app *app)
{
	struct capture	*cap = app->ui_data;

	cap->opens++;
	cap->open_step = app->step;
	snprintf(cap->open_id, sizeof cap->open_id, "%s",
	    app->cur ? app->cur->id : "(none)");
}

static int
cap_confirm(struct app *app, const char *question)
{
	struct capture	*cap = app->ui_data;

	free(cap->question);
	cap->question = xstrdup(question);
	return cap->confirm_answer;
}

static int
cap_push(struct app *app, const struct app_view *what, char **cause)
{
	if (what->kind == APP_VIEW_LIST)
		cap_list(app);
	else if (what->kind == APP_VIEW_LESSON)
		cap_open(app);
	else {
		*cause = xstrdup("no demos here");
		return -1;
	}
	return 0;
}

static const struct ui_ops capture_ui = {
	.name = "capture",
	.print = cap_print,
	.error = cap_error,
	.ask = cap_confirm,
	.push = cap_push,
};

/* --------------------------------------------------------- fixture */

struct fixture {
	char		*dir;
	struct app	 app;
	struct capture	 cap;
};

static void
put(const char *dir, const char *rel, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, rel);
	char	*slash = strrchr(path, '/');
	FILE	*f;

	*slash = '\0';
	if (mkdir_p(path) != 0)
		fail_msg("mkdir_p %s", path);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);
	char		 tmpl[] = "/tmp/test_shell.XXXXXX";
	char		*lessons, *db, *warning = NULL;

	if (mkdtemp(tmpl) == NULL)
		return -1;
	fx->dir = xstrdup(tmpl);
	lessons = xasprintf("%s/lessons", fx->dir);
	put(lessons, "01-alpha/lesson.en.md",
	    "# Alpha\n\nAbout alpha.\n\n## One\ntext\n## Two\ntext\n");
	put(lessons, "01-alpha/lesson.zh.md",
	    "# 甲\n\n关于甲。\n\n## 一\n文字\n## 二\n文字\n");
	put(lessons, "02-beta/lesson.en.md",
	    "# Beta, \"the\" second\n\n## First, only\nx\n## B2\n## B3\n");
	put(lessons, "02-beta/lesson.zh.md", "# 乙\n\n## 一\nx\n## 二\n## 三\n");
	if (lessons_load(lessons, &fx->app.lessons, NULL, NULL) != 2)
		return -1;
	free(lessons);

	db = xasprintf("%s/data/progress.db", fx->dir);
	fx->app.store = store_open(db, &warning);
	free(db);
	if (warning != NULL || !store_saving(fx->app.store)) {
		free(warning);
		return -1;
	}
	fx->app.lang = LANG_EN;
	fx->app.ui = &capture_ui;
	fx->app.ui_data = &fx->cap;
	fx->cap.confirm_answer = -1;
	*state = fx;
	return 0;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 rc;

	store_close(fx->app.store);
	lessons_free(&fx->app.lessons);
	rc = nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx->dir);
	free(fx->cap.out);
	free(fx->cap.err);
	free(fx->cap.question);
	free(fx);
	return rc;
}

/* Forget what was captured. */
static void
reset_capture(struct fixture *fx)
{
	free(fx->cap.out);
	free(fx->cap.err);
	fx->cap.out = NULL;
	fx->cap.err = NULL;
	fx->cap.nerr = 0;
	fx->cap.lists = 0;
	fx->cap.opens = 0;
}

static const char *
out(struct fixture *fx)
{
	return fx->cap.out ? fx->cap.out : "";
}

static const char *
err(struct fixture *fx)
{
	return fx->cap.err ? fx->cap.err : "";
}

/* Run words (copied: cmd_exec_argv may write into them) in context. */
static enum cmd_retval
run_ctx(struct fixture *fx, int context, ...)
{
	char		*argv[16];
	int		 argc = 0;
	const char	*a;
	va_list		 ap;
	enum cmd_retval	 rc;

	reset_capture(fx);
	va_start(ap, context);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 16)
		argv[argc++] = xstrdup(a);
	va_end(ap);
	rc = cmd_exec_argv(&fx->app, argc, argv, context);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

#define RUN(fx, ...)	run_ctx((fx), CMD_SHELL, __VA_ARGS__, (const char *)NULL)
#define RUN1(fx, ...)	run_ctx((fx), CMD_ONESHOT, __VA_ARGS__, (const char *)NULL)

static enum cmd_retval
run_line(struct fixture *fx, const char *line)
{
	reset_capture(fx);
	return cmd_exec_line(&fx->app, line);
}

/* The candidates, joined with " ". Allocated. */
static char *
complete(struct fixture *fx, const char *before, const char *word)
{
	char	**v = cmd_complete(&fx->app, before, word);
	char	 *s = xstrdup("");

	assert_non_null(v);
	for (int i = 0; v[i]; i++) {
		char	*t = xasprintf("%s%s%s", s, i ? " " : "", v[i]);

		free(s);
		s = t;
		free(v[i]);
	}
	free(v);
	return s;
}

static void
assert_complete(struct fixture *fx, const char *before, const char *word,
    const char *want)
{
	char	*got = complete(fx, before, word);

	if (strcmp(got, want) != 0)
		print_error("completing \"%s\" + \"%s\"\n", before, word);
	assert_string_equal(got, want);
	free(got);
}

/* ---------------------------------------------------------- cmd_find */

static void
assert_found(const char *name, const char *want)
{
	char			*cause = NULL;
	const struct cmd_entry	*e = cmd_find(name, &cause);

	if (e == NULL)
		print_error("cmd_find(\"%s\"): %s\n", name, cause);
	free(cause);
	assert_non_null(e);
	assert_string_equal(e->name, want);
}

static void
assert_not_found(const char *name, const char *want)
{
	char			*cause = NULL;
	const struct cmd_entry	*e = cmd_find(name, &cause);

	assert_null(e);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_find_exact_and_alias(void **state)
{
	assert_found("list", "list");
	assert_found("show", "show");
	assert_found("progress", "progress");
	assert_found("problems", "problems");
	assert_found("ls", "list");
	assert_found("open", "show");
	assert_found("n", "next");
	assert_found("p", "prev");	/* an alias beats prefixes */
	assert_found("?", "help");
	assert_found("exit", "quit");
}

static void
test_find_prefix(void **state)
{
	assert_found("li", "list");
	assert_found("sh", "show");
	assert_found("ne", "next");
	assert_found("st", "step");
	assert_found("la", "lang");
	assert_found("prog", "progress");
	assert_found("prob", "problems");
	assert_found("pre", "prev");
	assert_found("r", "reset");
	assert_found("he", "help");
	assert_found("hi", "hint");
	assert_found("q", "quit");
}

static void
test_find_ambiguous(void **state)
{
	assert_not_found("pr", "ambiguous command: pr, could be: prev, "
	    "progress, problems");
	assert_not_found("pro", "ambiguous command: pro, could be: progress, "
	    "problems");
	assert_not_found("s", "ambiguous command: s, could be: show, step, solution");
	assert_not_found("l", "ambiguous command: l, could be: list, lang");
}

static void
test_find_unknown(void **state)
{
	assert_not_found("frob", "unknown command: frob");
	assert_not_found("lists", "unknown command: lists");
	assert_not_found("", "unknown command: ");
	assert_not_found("LIST", "unknown command: LIST");
}

/* ---------------------------------------------------------- cmd_split */

static void
assert_split(const char *line, int want_n, ...)
{
	char	**argv = NULL;
	int	  n = cmd_split(line, &argv);
	va_list	  ap;

	assert_int_equal(n, want_n);
	va_start(ap, want_n);
	for (int i = 0; i < n; i++)
		assert_string_equal(argv[i], va_arg(ap, const char *));
	va_end(ap);
	if (n > 0)
		assert_null(argv[n]);
	cmd_free_argv(n, argv);
}

static void
test_split(void **state)
{
	char	**argv = (char **)"unset";

	assert_split("show 1 2", 3, "show", "1", "2");
	assert_split("  show\t 1  ", 2, "show", "1");
	assert_split("a \"b c\" 'd e'", 3, "a", "b c", "d e");
	assert_split("\"it's\" 'say \"hi\"'", 2, "it's", "say \"hi\"");
	assert_split("a\"b c\"d", 1, "ab cd");
	assert_split("a\\ b c", 2, "a b", "c");
	assert_split("\\\"x\\'", 1, "\"x'");
	assert_split("x\\\\y", 1, "x\\y");
	assert_split("end\\", 1, "end\\");
	assert_split("x \"\" ''", 3, "x", "", "");

	assert_int_equal(cmd_split("", &argv), 0);
	cmd_free_argv(0, argv);
	assert_int_equal(cmd_split("   \t ", &argv), 0);
	cmd_free_argv(0, argv);

	assert_int_equal(cmd_split("show \"1", &argv), -1);
	assert_int_equal(cmd_split("a 'b c", &argv), -1);
	assert_int_equal(cmd_split("a b 'c\"", &argv), -1);
}

/* ------------------------------------------------------ cmd_exec_argv */

static void
test_exec_unknown_option(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "progress", "--xml"), CMD_USAGE);
	assert_string_equal(err(fx), "progress: unknown option --xml (usage: "
	    "progress [--json|--csv])\n");
	assert_string_equal(out(fx), "");

	assert_int_equal(RUN(fx, "show", "1", "--lang=zh", "--yes"), CMD_USAGE);
	assert_string_equal(err(fx), "show: unknown option --yes (usage: show "
	    "LESSON [STEP] [--lang zh|en])\n");
	assert_int_equal(fx->cap.opens, 0);

	/* only the name before "=" is shown */
	assert_int_equal(RUN(fx, "list", "--all=yes"), CMD_USAGE);
	assert_int_equal(strncmp(err(fx), "list: unknown option --all (usage: ",
	    strlen("list: unknown option --all (usage: ")), 0);
}

/* A command without arguments shows its usage without a space before the
 * ")": "(usage: list)". It is "(usage: list )", from "%s %s" with an
 * empty usage (cmd_help_text() leaves the space out in that case). */
static void
test_exec_usage_without_arguments(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "list", "x"), CMD_USAGE);
	assert_string_equal(err(fx), "list: too many arguments (usage: list)\n");
	assert_int_equal(RUN(fx, "next", "--all"), CMD_USAGE);
	assert_string_equal(err(fx), "next: unknown option --all (usage: next)\n");
}

static void
test_exec_option_values(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "show", "1", "--lang=zh"), CMD_OK);
	assert_string_equal(err(fx), "");
	assert_int_equal(fx->app.lang, LANG_ZH);
	assert_int_equal(fx->cap.opens, 1);
	assert_string_equal(fx->cap.open_id, "01-alpha");
	assert_int_equal(fx->cap.open_step, 0);

	assert_int_equal(RUN(fx, "show", "--lang", "en", "beta", "3"), CMD_OK);
	assert_int_equal(fx->app.lang, LANG_EN);
	assert_string_equal(fx->cap.open_id, "02-beta");
	assert_int_equal(fx->cap.open_step, 2);
	assert_ptr_equal(fx->app.cur, &fx->app.lessons.v[1]);

	/* the value may look like anything, even an option */
	assert_int_equal(RUN(fx, "show", "2", "--lang", "--json"), CMD_USAGE);
	assert_string_equal(err(fx), "--lang --json: not a language (en or "
	    "zh)\n");

	assert_int_equal(RUN(fx, "show", "1", "--lang=fr"), CMD_USAGE);
	assert_string_equal(err(fx), "--lang fr: not a language (en or zh)\n");
	assert_int_equal(RUN(fx, "show", "1", "--lang="), CMD_USAGE);
	assert_string_equal(err(fx), "--lang : not a language (en or zh)\n");
	assert_int_equal(fx->app.lang, LANG_EN);
}

static void
test_exec_missing_value(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "show", "1", "--lang"), CMD_USAGE);
	assert_string_equal(err(fx), "show: option --lang needs a value\n");
	assert_int_equal(fx->cap.opens, 0);
}

static void
test_exec_flag_with_value(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "progress", "--json=yes"), CMD_USAGE);
	assert_string_equal(err(fx), "progress: option --json takes no value\n");
	assert_string_equal(out(fx), "");
	assert_int_equal(RUN(fx, "reset", "--yes="), CMD_USAGE);
	assert_string_equal(err(fx), "reset: option --yes takes no value\n");
}

static void
test_exec_arg_counts(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "show"), CMD_USAGE);
	assert_string_equal(err(fx), "show: too few arguments (usage: show "
	    "LESSON [STEP] [--lang zh|en])\n");
	assert_int_equal(RUN(fx, "show", "1", "2", "3"), CMD_USAGE);
	assert_string_equal(err(fx), "show: too many arguments (usage: show "
	    "LESSON [STEP] [--lang zh|en])\n");
	assert_int_equal(RUN(fx, "list", "x"), CMD_USAGE);
	assert_int_equal(strncmp(err(fx), "list: too many arguments (usage: ",
	    strlen("list: too many arguments (usage: ")), 0);
	assert_int_equal(RUN(fx, "step"), CMD_USAGE);
	assert_string_equal(err(fx), "step: too few arguments (usage: step N)\n");
	/* options do not count as arguments */
	assert_int_equal(RUN(fx, "show", "--lang", "zh"), CMD_USAGE);
	assert_non_null(strstr(err(fx), "too few arguments"));
	assert_int_equal(fx->cap.opens, 0);
	assert_int_equal(RUN(fx, "progress", "--json", "--csv", "x"), CMD_USAGE);
	assert_non_null(strstr(err(fx), "too many arguments"));
	/* too many options */
	assert_int_equal(RUN(fx, "progress", "--json", "--json", "--json",
	    "--json", "--json", "--json", "--json", "--json", "--json"),
	    CMD_USAGE);
	assert_string_equal(err(fx), "progress: too many options\n");
}

static void
test_exec_double_dash(void **state)
{
	struct fixture	*fx = *state;

	/* after "--", "--lang" is a lesson name */
	assert_int_equal(RUN(fx, "show", "--", "--lang"), CMD_ERR);
	assert_string_equal(err(fx), "show: no lesson \"--lang\" (see: list)\n");
	/* "-x" is a word, not an option */
	assert_int_equal(RUN(fx, "show", "-x"), CMD_ERR);
	assert_string_equal(err(fx), "show: no lesson \"-x\" (see: list)\n");
	assert_int_equal(RUN(fx, "show", "--", "2"), CMD_OK);
	assert_string_equal(fx->cap.open_id, "02-beta");
}

static void
test_exec_context(void **state)
{
	struct fixture	*fx = *state;
	static const char *const shell_only[] = {
		"next", "prev", "step", "lang", "quit",
	};

	for (size_t i = 0; i < sizeof shell_only / sizeof shell_only[0]; i++) {
		char	*want = xasprintf("%s: only inside the tutor (run "
		    "systour, then type it)\n", shell_only[i]);

		assert_int_equal(RUN1(fx, shell_only[i]), CMD_USAGE);
		assert_string_equal(err(fx), want);
		free(want);
	}
	assert_int_equal(fx->app.quit, 0);
	/* the same through an alias */
	assert_int_equal(RUN1(fx, "exit"), CMD_USAGE);
	assert_int_equal(fx->app.quit, 0);
	/* and one-shot commands run in both */
	assert_int_equal(RUN1(fx, "list"), CMD_OK);
	assert_int_equal(fx->cap.lists, 1);
	assert_int_equal(RUN(fx, "list"), CMD_OK);
	assert_int_equal(RUN1(fx, "show", "alpha", "2"), CMD_OK);
	assert_int_equal(fx->cap.open_step, 1);
	assert_int_equal(RUN(fx, "quit"), CMD_OK);
	assert_int_equal(fx->app.quit, 1);
}

static void
test_exec_unknown_command(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "frob", "x"), CMD_USAGE);
	assert_string_equal(err(fx), "unknown command: frob (try: help)\n");
	assert_int_equal(RUN(fx, "pr"), CMD_USAGE);
	assert_string_equal(err(fx), "ambiguous command: pr, could be: prev, "
	    "progress, problems (try: help)\n");
	assert_int_equal(cmd_exec_argv(&fx->app, 0, NULL, CMD_SHELL), CMD_OK);
}

static void
test_exec_line(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(run_line(fx, "   "), CMD_OK);
	assert_string_equal(err(fx), "");
	assert_int_equal(run_line(fx, "show 'alpha' \"2\" --lang=zh"), CMD_OK);
	assert_string_equal(fx->cap.open_id, "01-alpha");
	assert_int_equal(fx->cap.open_step, 1);
	assert_int_equal(fx->app.lang, LANG_ZH);
	assert_int_equal(run_line(fx, "show \"alpha"), CMD_USAGE);
	assert_string_equal(err(fx), "a quote is not closed\n");
	/* a one-shot-only context never applies to a typed line */
	assert_int_equal(run_line(fx, "n"), CMD_ERR);
	assert_string_equal(err(fx), "next: this is the last step of 01-alpha\n");
}

/* ---------------------------------------------------- the commands */

static void
test_cmd_navigation(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "next"), CMD_ERR);
	assert_string_equal(err(fx), "next: no lesson is open (try: show 1)\n");
	assert_int_equal(RUN(fx, "step", "1"), CMD_ERR);
	assert_string_equal(err(fx), "step: no lesson is open (try: show 1)\n");

	assert_int_equal(RUN(fx, "show", "be"), CMD_OK);
	assert_int_equal(RUN(fx, "prev"), CMD_ERR);
	assert_string_equal(err(fx), "prev: this is the first step of 02-beta\n");
	assert_int_equal(RUN(fx, "n"), CMD_OK);
	assert_int_equal(fx->app.step, 1);
	assert_int_equal(fx->cap.opens, 1);
	assert_int_equal(RUN(fx, "step", "3"), CMD_OK);
	assert_int_equal(fx->app.step, 2);
	assert_int_equal(RUN(fx, "next"), CMD_ERR);
	assert_string_equal(err(fx), "next: this is the last step of 02-beta\n");
	assert_int_equal(RUN(fx, "p"), CMD_OK);
	assert_int_equal(fx->app.step, 1);

	static const char *const bad[] = { "0", "4", "x", "1x", "", "-1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char	*want = xasprintf("step %s: 02-beta has steps 1 to 3\n",
		    bad[i]);

		assert_int_equal(RUN(fx, "step", bad[i]), CMD_USAGE);
		assert_string_equal(err(fx), want);
		assert_int_equal(fx->app.step, 1);
		free(want);
	}
	assert_int_equal(RUN(fx, "show", "1", "9"), CMD_USAGE);
	assert_string_equal(err(fx), "step 9: 01-alpha has steps 1 to 2\n");
	assert_ptr_equal(fx->app.cur, &fx->app.lessons.v[1]);
	assert_int_equal(RUN(fx, "show", "gamma"), CMD_ERR);
	assert_string_equal(err(fx), "show: no lesson \"gamma\" (see: list)\n");
}

static void
test_cmd_lang(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "lang"), CMD_OK);
	assert_string_equal(out(fx), "en\n");
	assert_int_equal(RUN(fx, "lang", "zh"), CMD_OK);
	assert_int_equal(fx->app.lang, LANG_ZH);
	assert_int_equal(fx->cap.lists, 1);	/* no lesson open: the list */
	assert_int_equal(RUN(fx, "lang"), CMD_OK);
	assert_string_equal(out(fx), "zh\n");
	assert_int_equal(RUN(fx, "lang", "xx"), CMD_USAGE);
	assert_string_equal(err(fx), "lang xx: not a language (en or zh)\n");
	assert_int_equal(fx->app.lang, LANG_ZH);
	assert_int_equal(RUN(fx, "show", "1"), CMD_OK);
	assert_int_equal(RUN(fx, "lang", "en_US.UTF-8"), CMD_OK);
	assert_int_equal(fx->app.lang, LANG_EN);
	assert_int_equal(fx->cap.opens, 1);	/* a lesson open: reopened */
}

static void
test_cmd_problems(void **state)
{
	struct fixture	*fx = *state;
	char		*problems[2] = {
		(char *)"a/lesson.en.md:3: bad", (char *)"b: worse",
	};

	assert_int_equal(RUN(fx, "problems"), CMD_OK);
	assert_string_equal(out(fx), "All lessons loaded.\n");
	fx->app.problems = problems;
	fx->app.nproblems = 2;
	assert_int_equal(RUN(fx, "problems"), CMD_ERR);
	assert_string_equal(out(fx), "a/lesson.en.md:3: bad\nb: worse\n");
	fx->app.problems = NULL;
	fx->app.nproblems = 0;
}

static void
test_cmd_progress(void **state)
{
	struct fixture	*fx = *state;
	const char	*o;

	assert_int_equal(RUN(fx, "progress", "--json", "--csv"), CMD_USAGE);
	assert_string_equal(err(fx), "progress: choose one of --json and "
	    "--csv\n");

	assert_int_equal(RUN(fx, "progress"), CMD_OK);
	assert_non_null(strstr(out(fx), "Nothing seen yet."));

	assert_int_equal(store_step_seen(fx->app.store, "02-beta", 1), STORE_OK);
	assert_int_equal(RUN(fx, "progress", "--csv"), CMD_OK);
	o = out(fx);
	assert_int_equal(strncmp(o, "lesson,step,title,seen,first_seen,"
	    "last_seen,times\n01-alpha,1,One,0,,,0\n01-alpha,2,Two,0,,,0\n"
	    "02-beta,1,\"First, only\",1,", strlen("lesson,step,title,seen,"
	    "first_seen,last_seen,times\n01-alpha,1,One,0,,,0\n01-alpha,2,Two,"
	    "0,,,0\n02-beta,1,\"First, only\",1,")), 0);
	assert_non_null(strstr(o, "Z,1\n02-beta,2,B2,0,,,0\n02-beta,3,B3,0,,,0\n"));

	assert_int_equal(RUN(fx, "progress", "--json"), CMD_OK);
	o = out(fx);
	assert_non_null(strstr(o, "\"saving\": true"));
	assert_non_null(strstr(o, "{\"id\": \"02-beta\", \"title\": "
	    "\"Beta, \\\"the\\\" second\", \"steps\": 3, \"seen\": 1, "
	    "\"percent\": 33, \"steps_seen\": [{\"step\": 1, "));
	assert_non_null(strstr(o, "{\"id\": \"01-alpha\", \"title\": \"Alpha\", "
	    "\"steps\": 2, \"seen\": 0, \"percent\": 0, \"steps_seen\": []}"));
}

static void
test_cmd_reset(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(store_step_seen(fx->app.store, "01-alpha", 1), STORE_OK);
	fx->cap.confirm_answer = -1;
	assert_int_equal(RUN(fx, "reset"), CMD_USAGE);
	assert_string_equal(err(fx), "reset: add --yes to erase all progress\n");
	assert_non_null(strstr(fx->cap.question, "Erase all progress in "));
	fx->cap.confirm_answer = 0;
	assert_int_equal(RUN(fx, "reset"), CMD_ERR);
	assert_string_equal(out(fx), "Nothing erased.\n");
	assert_int_equal(store_steps_seen(fx->app.store, "01-alpha", 2), 1);
	fx->cap.confirm_answer = 1;
	assert_int_equal(RUN(fx, "reset"), CMD_OK);
	assert_string_equal(out(fx), "All progress erased.\n");
	assert_int_equal(store_steps_seen(fx->app.store, "01-alpha", 2), 0);
	assert_int_equal(store_step_seen(fx->app.store, "01-alpha", 2), STORE_OK);
	fx->cap.confirm_answer = 0;
	assert_int_equal(RUN1(fx, "reset", "--yes"), CMD_OK);
	assert_int_equal(store_steps_seen(fx->app.store, "01-alpha", 2), 0);
}

static void
test_cmd_help(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(RUN(fx, "help", "show"), CMD_OK);
	/* a head longer than its column is followed by two spaces */
	assert_string_equal(out(fx), "  show LESSON [STEP] [--lang zh|en]  (open)"
	    "  open a lesson (by number, name or prefix), at a step\n");
	assert_int_equal(RUN(fx, "?", "prog"), CMD_OK);
	assert_int_equal(strncmp(out(fx), "  progress [--json|--csv] ",
	    strlen("  progress [--json|--csv] ")), 0);
	assert_int_equal(RUN(fx, "help", "pr"), CMD_USAGE);
	assert_string_equal(err(fx), "help: ambiguous command: pr, could be: "
	    "prev, progress, problems\n");
	assert_int_equal(RUN(fx, "help", "xyz"), CMD_USAGE);
	assert_string_equal(err(fx), "help: unknown command: xyz\n");
}

/* `systour COMMAND --help` is true to the table: one line of help for each
 * option the command accepts, in its order, spelled as it is typed (a value
 * after a space for an option that takes one), every --word in the usage
 * an accepted option, and every line within 79 columns in both languages. */
static void
test_usage_text_true_to_options(void **state)
{
	(void)state;
	for (const struct cmd_entry *const *t = cmd_table; *t; t++) {
		const struct cmd_entry *e = *t;
		size_t n = 0;
		for (; e->options && e->options[n]; n++) {
			const char *o = e->options[n];
			size_t len = strcspn(o, "=");
			assert_non_null(e->optdoc);
			const struct cmd_optdoc *d = &e->optdoc[n];
			assert_non_null(d->opt);
			assert_true(strncmp(d->opt, "--", 2) == 0);
			assert_true(strncmp(d->opt + 2, o, len) == 0);
			assert_int_equal(d->opt[2 + len], o[len] == '=' ? ' ' : '\0');
			assert_true(d->en && *d->en && d->zh && *d->zh);
		}
		if (n > 0)
			assert_null(e->optdoc[n].opt);
		else
			assert_true(e->optdoc == NULL || e->optdoc[0].opt == NULL);
		for (const char *p = strstr(e->usage, "--"); p;
		    p = strstr(p + 2, "--")) {
			size_t len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
			int found = 0;
			for (size_t i = 0; i < n; i++)
				if (strcspn(e->options[i], "=") == len &&
				    strncmp(e->options[i], p + 2, len) == 0)
					found = 1;
			if (!found)
				fail_msg("%s: usage names --%.*s, not an option",
				    e->name, (int)len, p + 2);
		}
		for (int l = 0; l < 2; l++) {
			struct app app = { .lang = l ? LANG_ZH : LANG_EN };
			char *text = cmd_usage_text(&app, e);
			assert_true(strncmp(text, l ? "用法：" : "usage: ",
			    strlen(l ? "用法：" : "usage: ")) == 0);
			for (char *line = strtok(text, "\n"); line;
			    line = strtok(NULL, "\n"))
				if (text_width(line) > 79)
					fail_msg("%s --help: too wide: %s",
					    e->name, line);
			free(text);
		}
	}
}

/* The whole table: one line per command, in table order, in each
 * language. */
/* text[0..len) without its spaces and line breaks: a help text wrapped at
 * spaces or between Chinese characters compares equal to the original. */
static char *
flatten(const char *text, size_t len)
{
	char	*out = malloc(len + 1);
	size_t	 n = 0;

	assert_non_null(out);
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\n')
			out[n++] = text[i];
	out[n] = '\0';
	return out;
}

static void
test_help_text_lists_every_command(void **state)
{
	struct fixture	*fx = *state;

	for (int l = 0; l < LANG_COUNT; l++) {
		char		*text;
		const char	*p;
		int		 n = 0;

		fx->app.lang = l;
		text = cmd_help_text(&fx->app, NULL);
		p = text;
		for (const struct cmd_entry *const *e = cmd_table; *e; e++, n++) {
			char		*head = xasprintf("  %s", (*e)->name);
			const char	*help = l == LANG_ZH ? (*e)->help_zh :
			    (*e)->help_en;
			const char	*end = p;
			char		*flat;

			/* the entry: its first line, then the lines its head
			 * or help wrapped onto (indented, never "  x") */
			do {
				const char *nl = strchr(end, '\n');
				assert_non_null(nl);
				end = nl + 1;
			} while (strncmp(end, "    ", 4) == 0);
			assert_int_equal(strncmp(p, head, strlen(head)), 0);
			assert_true(p[strlen(head)] == ' ' ||
			    p[strlen(head)] == '\n');
			/* no line wider than 79 columns */
			for (const char *q = p; q < end;) {
				const char *nl = strchr(q, '\n');
				char *one = xstrndup(q, (size_t)(nl - q));
				assert_true(text_width(one) <= 79);
				free(one);
				q = nl + 1;
			}
			/* the entry ends with the help, however wrapped */
			flat = flatten(p, (size_t)(end - p));
			{
				char *h = flatten(help, strlen(help));
				assert_true(strlen(flat) > strlen(h));
				assert_string_equal(flat + strlen(flat) -
				    strlen(h), h);
				free(h);
			}
			if ((*e)->alias) {
				char	*a = xasprintf("(%s)", (*e)->alias);

				assert_non_null(strstr(flat, a));
				free(a);
			}
			free(flat);
			free(head);
			p = end;
		}
		assert_string_equal(p, "");
		assert_int_equal(n, 21);
		free(text);
	}
	fx->app.lang = LANG_EN;

	/* the usage of one command alone */
	{
		char	*cause = NULL, *text;

		text = cmd_help_text(&fx->app, cmd_find("step", &cause));
		/* the head is padded to 36 columns, then two spaces */
		assert_string_equal(text, "  step N"
		    "                              "	/* 30 */
		    "  jump to step N of the open lesson\n");
		free(text);
	}
}

static void
test_cmd_has(void **state)
{
	struct cmd_args	args = { 0 };
	const char	*v = "unset";

	args.opt[0].name = "json";
	args.opt[0].value = NULL;
	args.opt[1].name = "lang";
	args.opt[1].value = "zh";
	args.nopt = 2;
	assert_int_equal(cmd_has(&args, "json", NULL), 1);
	assert_int_equal(cmd_has(&args, "json", &v), 1);
	assert_null(v);
	assert_int_equal(cmd_has(&args, "lang", &v), 1);
	assert_string_equal(v, "zh");
	assert_int_equal(cmd_has(&args, "csv", &v), 0);
	assert_int_equal(cmd_has(&args, "la", NULL), 0);
}

/* ------------------------------------------------------ cmd_complete */

static void
test_complete_commands(void **state)
{
	struct fixture	*fx = *state;

	assert_complete(fx, "", "", "list show next prev step lang progress "
	    "reset problems demo exercises exercise check watch hint solution pickle help quit");
	assert_complete(fx, "  ", "pr", "prev progress problems");
	assert_complete(fx, "", "s", "show step solution");
	assert_complete(fx, "", "x", "");
	/* aliases are not offered */
	assert_complete(fx, "", "ls", "");
}

static void
test_complete_lessons(void **state)
{
	struct fixture	*fx = *state;

	assert_complete(fx, "show ", "", "alpha 01-alpha beta 02-beta");
	assert_complete(fx, "show ", "a", "alpha");
	assert_complete(fx, "show ", "0", "01-alpha 02-beta");
	assert_complete(fx, "open ", "b", "beta");
	assert_complete(fx, "sh ", "02", "02-beta");
	assert_complete(fx, "show ", "z", "");
}

static void
test_complete_steps(void **state)
{
	struct fixture	*fx = *state;

	assert_complete(fx, "show 1 ", "", "1 2");
	assert_complete(fx, "show beta ", "", "1 2 3");
	assert_complete(fx, "show 02-beta ", "3", "3");
	assert_complete(fx, "show nope ", "", "");
	assert_complete(fx, "show 1 2 ", "", "");
	/* step N completes the open lesson's steps */
	assert_complete(fx, "step ", "", "");
	assert_int_equal(RUN(fx, "show", "beta"), CMD_OK);
	assert_complete(fx, "step ", "", "1 2 3");
	assert_complete(fx, "step 1 ", "", "");
}

static void
test_complete_options(void **state)
{
	struct fixture	*fx = *state;

	assert_complete(fx, "show ", "--", "--lang");
	assert_complete(fx, "show 1 ", "--l", "--lang");
	assert_complete(fx, "progress ", "--", "--json --csv");
	assert_complete(fx, "progress ", "-", "--json --csv");
	assert_complete(fx, "progress ", "--c", "--csv");
	assert_complete(fx, "reset ", "--", "--yes --workspace");
	assert_complete(fx, "list ", "--", "");
	/* the value of --lang */
	assert_complete(fx, "show 1 --lang ", "", "en zh");
	assert_complete(fx, "show --lang ", "z", "zh");
}

static void
test_complete_lang_and_help(void **state)
{
	struct fixture	*fx = *state;

	assert_complete(fx, "lang ", "", "en zh");
	assert_complete(fx, "lang ", "z", "zh");
	assert_complete(fx, "lang en ", "", "");
	assert_complete(fx, "help ", "", "list show next prev step lang "
	    "progress reset problems demo exercises exercise check watch hint solution pickle manager worker help quit");
	assert_complete(fx, "? ", "p", "prev progress problems pickle");
	assert_complete(fx, "help show ", "", "");
	/* nothing for commands without arguments, unknown commands, or an
	 * unclosed quote */
	assert_complete(fx, "list ", "", "");
	assert_complete(fx, "frob ", "", "");
	assert_complete(fx, "pr ", "", "");
	assert_complete(fx, "show 'x ", "", "");
}

/* Options (and the value of --lang) before the word are not positional
 * arguments: "show --lang zh " still completes lessons, and "show 1
 * --lang=zh " the steps of lesson 1. They do not: the value "zh" is
 * counted as the lesson, and steps are looked up for the last word, which
 * is the option. */
static void
test_complete_after_options(void **state)
{
	struct fixture	*fx = *state;
	char		*a = complete(fx, "show --lang zh ", "");
	char		*b = complete(fx, "show 1 --lang=zh ", "");
	char		*c = complete(fx, "show 1 --lang zh ", "");
	int		 ok_a = strcmp(a, "alpha 01-alpha beta 02-beta") == 0;
	int		 ok_b = strcmp(b, "1 2") == 0;
	int		 ok_c = strcmp(c, "1 2") == 0;

	if (!ok_a || !ok_b || !ok_c)
		print_error("\"show --lang zh \" -> \"%s\"\n"
		    "\"show 1 --lang=zh \" -> \"%s\"\n"
		    "\"show 1 --lang zh \" -> \"%s\"\n", a, b, c);
	free(a);
	free(b);
	free(c);
	assert_true(ok_a);
	assert_true(ok_b);
	assert_true(ok_c);
}

/* -------------------------------------------------------------- lang */

static void
test_lang_parse(void **state)
{
	assert_int_equal(lang_parse("en"), LANG_EN);
	assert_int_equal(lang_parse("zh"), LANG_ZH);
	assert_int_equal(lang_parse("zh_CN.UTF-8"), LANG_ZH);
	assert_int_equal(lang_parse("zh_TW"), LANG_ZH);
	assert_int_equal(lang_parse("zh-Hans"), LANG_ZH);
	assert_int_equal(lang_parse("zh.UTF-8"), LANG_ZH);
	assert_int_equal(lang_parse("zh@latin"), LANG_ZH);
	assert_int_equal(lang_parse("en_US.UTF-8"), LANG_EN);
	assert_int_equal(lang_parse("en_GB"), LANG_EN);
	assert_int_equal(lang_parse("fr"), -1);
	assert_int_equal(lang_parse("fr_FR.UTF-8"), -1);
	assert_int_equal(lang_parse("english"), -1);
	assert_int_equal(lang_parse("zhx"), -1);
	assert_int_equal(lang_parse("EN"), -1);
	assert_int_equal(lang_parse("e"), -1);
	assert_int_equal(lang_parse("C"), -1);
	assert_int_equal(lang_parse(""), -1);
	assert_int_equal(lang_parse(NULL), -1);
	assert_string_equal(lang_code(LANG_EN), "en");
	assert_string_equal(lang_code(LANG_ZH), "zh");
}

static char *saved_env[3];
static const char *const env_names[3] = { "LC_ALL", "LC_MESSAGES", "LANG" };

static int
env_save(void **state)
{
	for (int i = 0; i < 3; i++) {
		const char	*v = getenv(env_names[i]);

		saved_env[i] = v ? xstrdup(v) : NULL;
		unsetenv(env_names[i]);
	}
	return 0;
}

static int
env_restore(void **state)
{
	for (int i = 0; i < 3; i++) {
		if (saved_env[i])
			setenv(env_names[i], saved_env[i], 1);
		else
			unsetenv(env_names[i]);
		free(saved_env[i]);
		saved_env[i] = NULL;
	}
	return 0;
}

static void
test_lang_from_env(void **state)
{
	assert_int_equal(lang_from_env(), LANG_EN);	/* none set */

	setenv("LANG", "zh_CN.UTF-8", 1);
	assert_int_equal(lang_from_env(), LANG_ZH);
	setenv("LANG", "C.UTF-8", 1);
	assert_int_equal(lang_from_env(), LANG_EN);
	setenv("LANG", "", 1);
	assert_int_equal(lang_from_env(), LANG_EN);

	/* LC_MESSAGES before LANG */
	setenv("LANG", "en_US.UTF-8", 1);
	setenv("LC_MESSAGES", "zh_TW.UTF-8", 1);
	assert_int_equal(lang_from_env(), LANG_ZH);
	setenv("LANG", "zh_CN.UTF-8", 1);
	setenv("LC_MESSAGES", "en_US.UTF-8", 1);
	assert_int_equal(lang_from_env(), LANG_EN);

	/* LC_ALL before both */
	setenv("LC_ALL", "zh_CN.UTF-8", 1);
	assert_int_equal(lang_from_env(), LANG_ZH);
	setenv("LC_ALL", "POSIX", 1);
	assert_int_equal(lang_from_env(), LANG_EN);
	/* an empty one is not set: the next one decides */
	setenv("LC_ALL", "", 1);
	setenv("LC_MESSAGES", "", 1);
	assert_int_equal(lang_from_env(), LANG_ZH);
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");

	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		cmocka_unit_test(test_find_exact_and_alias),
		cmocka_unit_test(test_find_prefix),
		cmocka_unit_test(test_find_ambiguous),
		cmocka_unit_test(test_find_unknown),
		cmocka_unit_test(test_split),
		T(test_exec_unknown_option),
		T(test_exec_usage_without_arguments),
		T(test_exec_option_values),
		T(test_exec_missing_value),
		T(test_exec_flag_with_value),
		T(test_exec_arg_counts),
		T(test_exec_double_dash),
		T(test_exec_context),
		T(test_exec_unknown_command),
		T(test_exec_line),
		T(test_cmd_navigation),
		T(test_cmd_lang),
		T(test_cmd_problems),
		T(test_cmd_progress),
		T(test_cmd_reset),
		T(test_cmd_help),
		T(test_help_text_lists_every_command),
		cmocka_unit_test(test_usage_text_true_to_options),
		cmocka_unit_test(test_cmd_has),
		T(test_complete_commands),
		T(test_complete_lessons),
		T(test_complete_steps),
		T(test_complete_options),
		T(test_complete_lang_and_help),
		T(test_complete_after_options),
		cmocka_unit_test(test_lang_parse),
		cmocka_unit_test_setup_teardown(test_lang_from_env, env_save,
		    env_restore),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
