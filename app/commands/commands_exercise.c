/* commands_exercise.c — the exercise commands: exercises (the list),
 * exercise (open one: the editor beside the checker in the TUI), check,
 * watch, hint, solution, and reset of one exercise (reached through the
 * reset command). Every attempt, hint, solution view and reset is recorded
 * in the progress store. */
#include "commands_exercise.h"
#include "buf.h"
#include "exercise.h"
#include "loop.h"
#include "runner.h"
#include "shell.h"
#include "util.h"
#include "watch.h"
#include "lang.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A broken exercise.ini is a problem, as a broken lesson is. */
static void
collect_bad(void *arg, const char *what)
{
	struct app *app = arg;
	ARRAY_GROW(app->problems, app->problems_cap, (size_t)app->nproblems + 1);
	app->problems[app->nproblems++] = xstrdup(what);
}

struct exercise_set *
app_exercises(struct app *app, char **cause)
{
	if (app->exercises)
		return app->exercises;
	char *dir = exercises_dir(cause);
	if (dir == NULL)
		return NULL;
	app->exercises = xcalloc(1, sizeof *app->exercises);
	exercises_load(dir, app->exercises, collect_bad, app);
	free(dir);
	return app->exercises;
}

void
ex_mark_available(struct app *app)
{
	char *cause = NULL;
	struct exercise_set *set = app_exercises(app, &cause);
	free(cause);
	for (int i = 0; set && i < app->lessons.n; i++) {
		struct lesson *ls = &app->lessons.v[i];
		for (int l = 0; l < LANG_COUNT; l++)
			for (int s = 0; s < ls->text[l].nsteps; s++)
				for (int p = 0; p < ls->text[l].steps[s].nparts; p++) {
					struct part *pt = &ls->text[l].steps[s].parts[p];
					char *why = NULL;
					if (pt->kind == PART_EXERCISE)
						pt->available = exercises_find(set,
						    pt->text, &why) != NULL &&
						    strcmp(exercises_find(set, pt->text,
						    &why)->id, pt->text) == 0;
					free(why);
				}
	}
}

/* The exercise an argument names, or the current one when there is no
 * argument; NULL after reporting why. */
const struct exercise *
ex_take(struct app *app, struct cmd_args *args, const char *cmd)
{
	char *cause = NULL;
	struct exercise_set *set = app_exercises(app, &cause);
	if (set == NULL) {
		app_errorf(app, "%s: %s", cmd, cause);
		free(cause);
		return NULL;
	}
	const char *id = args->argc > 0 ? args->argv[0] : app->ex_cur;
	if (id == NULL) {
		app_errorf(app, L(app->lang,
		    "%s: which exercise? (%s EX; see: exercises)",
		    "%s：哪个练习？（%s EX；见：exercises）"),
		    cmd, cmd);
		return NULL;
	}
	const struct exercise *ex = exercises_find(set, id, &cause);
	if (ex == NULL) {
		app_errorf(app, "%s: %s", cmd, cause);
		free(cause);
		return NULL;
	}
	if (app->ex_cur != id) {
		free(app->ex_cur);
		app->ex_cur = xstrdup(ex->id);
	}
	return ex;
}

/* --workspace DIR, or the default. Allocated. */
char *
ex_take_workspace(struct cmd_args *args)
{
	const char *v;
	if (cmd_has(args, "workspace", &v) && v && *v)
		return xstrdup(v);
	const char *env = getenv("SYSTOUR_WORKSPACE");
	if (env && *env)
		return xstrdup(env);
	return workspace_default();
}

/* The learner's folder, made (and the starter copied) on first use;
 * NULL after reporting why. *copied: how many files were copied now. */
char *
ex_prepare(struct app *app, const struct exercise *ex, const char *ws,
    const char *cmd, int *copied)
{
	char *cause = NULL;
	char *dir = workspace_prepare(ws, ex, copied, &cause);
	if (dir == NULL) {
		app_errorf(app, "%s: %s", cmd, cause);
		free(cause);
	}
	return dir;
}

int
ex_zh(struct app *app)
{
	return app->lang == LANG_ZH;
}

/* In the TUI, check and watch open the exercise's view (which checks at
 * once and at every save) instead of waiting here: the tutor's loop must
 * not be turned inside a command. 1 if it was the TUI (rc set). */
int
ex_tui_open(struct app *app, const struct exercise *ex, const char *dir,
    enum cmd_retval *rc)
{
	if (strcmp(app->ui->name, "tui") != 0)
		return 0;
	char *cause = NULL;
	struct app_view what = { .kind = APP_VIEW_EXERCISE, .exercise = ex,
	    .workspace = dir };
	*rc = CMD_OK;
	if (app->ui->push(app, &what, &cause) != 0) {
		app_errorf(app, "exercise %s: %s", ex->id, cause);
		free(cause);
		*rc = CMD_ERR;
	}
	return 1;
}

/* ---- exercises [LESSON] ------------------------------------------------ */

static enum cmd_retval
cmd_exercises_exec(struct app *app, struct cmd_args *args)
{
	char *cause = NULL;
	struct exercise_set *set = app_exercises(app, &cause);
	if (set == NULL) {
		app_errorf(app, "exercises: %s", cause);
		free(cause);
		return CMD_ERR;
	}
	const char *lesson = NULL;
	if (args->argc > 0) {
		lesson = exercises_lesson(set, args->argv[0]);
		if (lesson == NULL) {
			app_errorf(app, L(app->lang,
			    "exercises: no exercises for lesson \"%s\"",
			    "exercises：课程“%s”没有练习"),
			    args->argv[0]);
			return CMD_ERR;
		}
	}
	int json = cmd_has(args, "json", NULL), n = 0;
	if (json)
		app_printf(app, "[");
	for (int i = 0; i < set->n; i++) {
		const struct exercise *ex = &set->v[i];
		if (lesson && strcmp(ex->lesson, lesson) != 0)
			continue;
		int passed = store_exercise_count(app->store, ex->id, "attempt",
		    "pass");
		int tried = store_exercise_count(app->store, ex->id, "attempt",
		    NULL);
		passed = passed > 0 ? passed : 0;
		tried = tried > 0 ? tried : 0;
		const char *title = exercise_title(ex, ex_zh(app));
		if (json) {
			char *id = ex_json_str(ex->id), *t = ex_json_str(title);
			app_printf(app, "%s\n  {\"id\": %s, \"lesson\": \"%s\", "
			    "\"track\": \"%s\", \"title\": %s, \"done\": %s, "
			    "\"attempts\": %d}", n ? "," : "", id, ex->lesson,
			    ex->track == EX_C ? "c" : "python", t,
			    passed ? "true" : "false", tried);
			free(id);
			free(t);
		} else {
			const char *mark = passed ? L(app->lang, "done", "完成") :
			    tried ? L(app->lang, "tried", "尝试过") : "-";
			app_printf(app, "%-30s %-6s %-6s %s\n", ex->id,
			    ex->track == EX_C ? "C" : "Python", mark, title);
		}
		n++;
	}
	if (json)
		app_printf(app, "\n]\n");
	else if (n == 0)
		app_printf(app, "%s\n", L(app->lang, "No exercises.", "没有练习。"));
	return CMD_OK;
}

static const char *const exercises_options[] = { "json", NULL };

static const struct cmd_optdoc exercises_optdoc[] = {
	{ "--json", "print them as JSON", "以 JSON 打印" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_exercises_entry = {
	.name = "exercises", .usage = "[LESSON] [--json]",
	.help_en = "the exercises (of one lesson), and which you have done",
	.help_zh = "练习列表（可只列一课的），以及完成情况",
	.minargs = 0, .maxargs = 1, .options = exercises_options,
	.optdoc = exercises_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .complete = COMPLETE_LESSON,
	.exec = cmd_exercises_exec,
};

/* ---- check EX ---------------------------------------------------------- */

void
ex_record_attempt(struct app *app, const char *id, const struct ex_result *r)
{
	store_exercise_event(app->store, id, "attempt", ex_status_name(r->status),
	    r->run_ms, r->message);
}

static enum cmd_retval
cmd_check_exec(struct app *app, struct cmd_args *args)
{
	const struct exercise *ex = ex_take(app, args, "check");
	if (ex == NULL)
		return CMD_ERR;
	char *ws = ex_take_workspace(args);
	int copied = 0, json = cmd_has(args, "json", NULL);
	char *dir = ex_prepare(app, ex, ws, "check", &copied);
	free(ws);
	if (dir == NULL)
		return CMD_ERR;
	enum cmd_retval trc;
	if (ex_tui_open(app, ex, dir, &trc)) {
		free(dir);
		return trc;
	}
	if (copied && !json)
		app_printf(app, L(app->lang, "Your copy of the starter: %s/%s\n",
		    "你的起始文件副本：%s/%s\n"), dir, ex->files[0]);
	struct ex_run_opts o = { .ex = ex, .learner_dir = dir, .zh = ex_zh(app) };
	struct ex_result r = { 0 };
	char *cause = NULL;
	if (ex_run_wait(app_loop(app), &o, &r, &cause) != 0) {
		app_errorf(app, "check %s: %s", ex->id, cause);
		free(cause);
		free(dir);
		return CMD_ERR;
	}
	ex_record_attempt(app, ex->id, &r);
	char *s = json ? ex_result_json(&r, ex->id) :
	    ex_result_text(&r, ex->id, ex_zh(app));
	app_printf(app, "%s%s", s, json ? "\n" : "");
	free(s);
	if (!json && r.status == EX_FAIL)
		app_printf(app, "%s\n", L(app->lang,
		    "(hint: systour hint EX; after a failed attempt, "
		    "systour solution EX)",
		    "（提示：systour hint EX；尝试失败后可看 systour solution EX）"));
	enum cmd_retval rc = r.status == EX_PASS ? CMD_OK : CMD_ERR;
	ex_result_free(&r);
	free(dir);
	return rc;
}

static const char *const check_options[] = { "workspace=", "json", NULL };

static const struct cmd_optdoc check_optdoc[] = {
	{ "--workspace DIR", "where your copies are (default ~/systour-exercises)",
	  "你的副本所在目录（默认 ~/systour-exercises）" },
	{ "--json", "print the result as JSON", "以 JSON 打印结果" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_check_entry = {
	.name = "check", .usage = "[EX] [--workspace DIR] [--json]",
	.help_en = "check your copy of an exercise (exit status 0 only on a pass)",
	.help_zh = "检查你的练习（只有通过时退出码为 0）",
	.minargs = 0, .maxargs = 1, .options = check_options,
	.optdoc = check_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .exec = cmd_check_exec,
};

/* ---- hint EX ----------------------------------------------------------- */

/* The hints of ex in the language asked for, split on lines "---". */
static int
load_hints(const struct exercise *ex, int want_zh, char ***out)
{
	char *path = xasprintf("%s/hints.%s.md", ex->dir, want_zh ? "zh" : "en");
	char *text = read_file(path, NULL);
	free(path);
	int n = 0;
	size_t cap = 0;
	*out = NULL;
	if (text == NULL)
		return 0;
	struct buf cur = BUF_INIT;
	for (char *p = text; p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int sep = len == 3 && strncmp(p, "---", 3) == 0;
		if (!sep) {
			buf_add(&cur, p, len);
			buf_addc(&cur, '\n');
		}
		if (sep || nl == NULL) {
			char *h = buf_detach(&cur, NULL);
			/* trim blank lines around it */
			char *s = h;
			while (*s == '\n')
				s++;
			size_t l = strlen(s);
			while (l && s[l - 1] == '\n')
				s[--l] = '\0';
			if (*s) {
				ARRAY_GROW(*out, cap, (size_t)n + 1);
				(*out)[n++] = xstrdup(s);
			}
			free(h);
		}
		p = nl ? nl + 1 : NULL;
	}
	buf_free(&cur);
	free(text);
	return n;
}

char *
ex_next_hint(struct app *app, const struct exercise *ex)
{
	char **hints;
	int n = load_hints(ex, ex_zh(app), &hints);
	if (n == 0)
		return NULL;
	int seen = store_exercise_count(app->store, ex->id, "hint", NULL);
	int k = seen > 0 ? seen : 0;
	if (k >= n)
		k = n - 1;
	char num[16];
	snprintf(num, sizeof num, "%d", k + 1);
	store_exercise_event(app->store, ex->id, "hint", NULL, 0, num);
	char *s = xasprintf(L(app->lang, "Hint %d of %d%s:\n%s\n",
	    "提示 %d / %d%s：\n%s\n"), k + 1, n, k + 1 == n && seen >= n ?
	    L(app->lang, " (the last one)", "（最后一条）") : "", hints[k]);
	for (int i = 0; i < n; i++)
		free(hints[i]);
	free(hints);
	return s;
}

static enum cmd_retval
cmd_hint_exec(struct app *app, struct cmd_args *args)
{
	const struct exercise *ex = ex_take(app, args, "hint");
	if (ex == NULL)
		return CMD_ERR;
	char *s = ex_next_hint(app, ex);
	if (s == NULL) {
		app_errorf(app, L(app->lang, "hint: %s has no hints",
		    "hint：%s 没有提示"), ex->id);
		return CMD_ERR;
	}
	app_printf(app, "%s", s);
	free(s);
	return CMD_OK;
}

const struct cmd_entry cmd_hint_entry = {
	.name = "hint", .usage = "[EX]",
	.help_en = "the next hint for an exercise",
	.help_zh = "练习的下一条提示",
	.minargs = 0, .maxargs = 1, .flags = CMD_ONESHOT | CMD_SHELL,
	.exec = cmd_hint_exec,
};

/* ---- solution EX ------------------------------------------------------- */

char *
ex_solution_text(struct app *app, const struct exercise *ex, char **cause)
{
	int failed = store_exercise_count(app->store, ex->id, "attempt", "fail") +
	    store_exercise_count(app->store, ex->id, "attempt", "error");
	int passed = store_exercise_count(app->store, ex->id, "attempt", "pass");
	if (store_saving(app->store) && failed <= 0 && passed <= 0) {
		*cause = xasprintf(L(app->lang, "try it first: the solution opens "
		    "after a failed attempt (check %s)",
		    "先试一试：尝试失败后才能看答案（check %s）"), ex->id);
		return NULL;
	}
	struct buf b = BUF_INIT;
	for (int i = 0; i < ex->nfiles; i++) {
		char *path = xasprintf("%s/solution/%s", ex->dir, ex->files[i]);
		char *text = read_file(path, NULL);
		if (text == NULL) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			free(path);
			buf_free(&b);
			return NULL;
		}
		buf_printf(&b, "==> %s <==\n%s%s", ex->files[i], text,
		    *text && text[strlen(text) - 1] != '\n' ? "\n" : "");
		free(text);
		free(path);
	}
	store_exercise_event(app->store, ex->id, "solution", NULL, 0, NULL);
	return buf_detach(&b, NULL);
}

static enum cmd_retval
cmd_solution_exec(struct app *app, struct cmd_args *args)
{
	const struct exercise *ex = ex_take(app, args, "solution");
	if (ex == NULL)
		return CMD_ERR;
	char *cause = NULL;
	char *s = ex_solution_text(app, ex, &cause);
	if (s == NULL) {
		app_errorf(app, "solution: %s", cause);
		free(cause);
		return CMD_ERR;
	}
	app_printf(app, "%s", s);
	free(s);
	return CMD_OK;
}

const struct cmd_entry cmd_solution_entry = {
	.name = "solution", .usage = "[EX]",
	.help_en = "an exercise's solution (after a failed attempt)",
	.help_zh = "练习的参考答案（尝试失败之后）",
	.minargs = 0, .maxargs = 1, .flags = CMD_ONESHOT | CMD_SHELL,
	.exec = cmd_solution_exec,
};

/* ---- reset EX (from the reset command) --------------------------------- */

enum cmd_retval
ex_reset_exec(struct app *app, struct cmd_args *args)
{
	const struct exercise *ex = ex_take(app, args, "reset");
	if (ex == NULL)
		return CMD_ERR;
	char *ws = ex_take_workspace(args);
	char *dir = workspace_path(ws, ex);
	if (!cmd_has(args, "yes", NULL)) {
		char *q = xasprintf(L(app->lang, "Put the starter of %s back over "
		    "your files in %s?", "用 %s 的起始文件覆盖你在 %s 中的文件？"),
		    ex->id, dir);
		int yes = app->ui->ask(app, q);
		free(q);
		if (yes <= 0) {
			if (yes < 0)
				app_errorf(app, L(app->lang,
				    "reset %s: add --yes to put the "
				    "starter back over your files",
				    "reset %s：加上 --yes "
				    "才会用起始文件覆盖你的文件"), ex->id);
			else
				app_printf(app, "%s\n", L(app->lang,
				    "Nothing changed.", "没有改动。"));
			free(ws);
			free(dir);
			return yes < 0 ? CMD_USAGE : CMD_ERR;
		}
	}
	char *cause = NULL;
	int rc = workspace_reset(ws, ex, &cause);
	free(ws);
	if (rc != 0) {
		app_errorf(app, "reset %s: %s", ex->id, cause);
		free(cause);
		free(dir);
		return CMD_ERR;
	}
	store_exercise_event(app->store, ex->id, "reset", NULL, 0, NULL);
	app_printf(app, L(app->lang, "%s: the starter is back in %s\n",
	    "%s：起始文件已恢复到 %s\n"), ex->id, dir);
	free(dir);
	return CMD_OK;
}

/* ---- exercise EX ------------------------------------------------------- */

static enum cmd_retval
cmd_exercise_exec(struct app *app, struct cmd_args *args)
{
	/* exercise next: the one after the current one, in id order */
	if (strcmp(args->argv[0], "next") == 0) {
		char *cause = NULL;
		struct exercise_set *set = app_exercises(app, &cause);
		if (set == NULL || set->n == 0) {
			app_errorf(app, L(app->lang, "exercise next: %s",
			    "exercise next：%s"), cause ? cause :
			    L(app->lang, "there are no exercises",
			    "没有任何练习"));
			free(cause);
			return CMD_ERR;
		}
		int k = 0;
		for (int i = 0; app->ex_cur && i < set->n; i++)
			if (strcmp(set->v[i].id, app->ex_cur) == 0)
				k = i + 1;
		if (k >= set->n) {
			app_errorf(app, L(app->lang,
			    "exercise next: %s is the last exercise",
			    "exercise next：%s 是最后一个练习"),
			    app->ex_cur);
			return CMD_ERR;
		}
		args->argv[0] = set->v[k].id;   /* borrowed for ex_take */
	}
	const struct exercise *ex = ex_take(app, args, "exercise");
	if (ex == NULL)
		return CMD_ERR;
	char *ws = ex_take_workspace(args);
	char *dir = ex_prepare(app, ex, ws, "exercise", NULL);
	free(ws);
	if (dir == NULL)
		return CMD_ERR;
	enum cmd_retval trc;
	if (ex_tui_open(app, ex, dir, &trc)) {
		free(dir);
		return trc;
	}
	app_printf(app, "%s  %s\n", ex->id, exercise_title(ex, ex_zh(app)));
	app_printf(app, L(app->lang, "Your files: %s/", "你的文件：%s/"), dir);
	for (int i = 0; i < ex->nfiles; i++)
		app_printf(app, "%s%s", i ? ", " : "", ex->files[i]);
	app_printf(app, "\n%s\n", L(app->lang,
	    "Edit them, then: check (once), watch (at every save), hint, "
	    "solution.", "编辑它们，然后：check（检查一次）、watch（每次保存都检查）、"
	    "hint（提示）、solution（答案）。"));
	free(dir);
	return CMD_OK;
}

static const char *const exercise_options[] = { "workspace=", NULL };

static const struct cmd_optdoc exercise_optdoc[] = {
	{ "--workspace DIR", "where your copies are (default ~/systour-exercises)",
	  "你的副本所在目录（默认 ~/systour-exercises）" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_exercise_entry = {
	.name = "exercise", .alias = "ex", .usage = "EX|next [--workspace DIR]",
	.help_en = "open an exercise (next: the one after this): your editor "
	    "beside the checker",
	.help_zh = "打开练习（next：下一个）：编辑器和检查结果并排",
	.minargs = 1, .maxargs = 1, .options = exercise_options,
	.optdoc = exercise_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .exec = cmd_exercise_exec,
};
