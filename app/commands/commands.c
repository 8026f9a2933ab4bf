/* commands.c — every command of the shared table: one entry each, with its
 * arguments, its help in both languages, and what it does. Front ends show
 * the results through app->ui. */
#include "shell.h"
#include "buf.h"
#include "commands_exercise.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- Lessons ---------------------------------------------------------- */

static enum cmd_retval
cmd_list_exec(struct app *app, struct cmd_args *args)
{
	if (app->lessons.n == 0) {
		app_errorf(app, "list: no lessons loaded from %s",
		    app->lessons.dir ? app->lessons.dir : "anywhere");
		return CMD_ERR;
	}
	app_show(app, APP_VIEW_LIST);
	return CMD_OK;
}

static const struct cmd_entry cmd_list_entry = {
	.name = "list", .alias = "ls", .usage = "",
	.help_en = "the lessons with your progress",
	.help_zh = "课程列表和学习进度",
	.minargs = 0, .maxargs = 0, .flags = CMD_ONESHOT | CMD_SHELL,
	.exec = cmd_list_exec,
};

/* Set --lang if given. */
static int
take_lang(struct app *app, struct cmd_args *args)
{
	const char *v;
	if (!cmd_has(args, "lang", &v))
		return 0;
	int l = lang_parse(v);
	if (l < 0) {
		app_errorf(app, "--lang %s: not a language (en or zh)", v);
		return -1;
	}
	app->lang = l;
	return 0;
}

/* Parse a 1-based step number of ls into *step (0-based). */
static int
parse_step(struct app *app, const struct lesson *ls, const char *s, int *step)
{
	char *end;
	long n = strtol(s, &end, 10);
	int total = ls->text[LANG_EN].nsteps;
	if (*s == '\0' || *end != '\0' || n < 1 || n > total) {
		app_errorf(app, "step %s: %s has steps 1 to %d", s, ls->id, total);
		return -1;
	}
	*step = (int)n - 1;
	return 0;
}

static enum cmd_retval
cmd_show_exec(struct app *app, struct cmd_args *args)
{
	if (take_lang(app, args) != 0)
		return CMD_USAGE;
	struct lesson *ls = lessons_find(&app->lessons, args->argv[0]);
	if (ls == NULL) {
		app_errorf(app, "show: no lesson \"%s\" (see: list)", args->argv[0]);
		return CMD_ERR;
	}
	int step = 0;
	if (args->argc > 1 && parse_step(app, ls, args->argv[1], &step) != 0)
		return CMD_USAGE;
	app->cur = ls;
	app->step = step;
	app_show(app, APP_VIEW_LESSON);
	return CMD_OK;
}

static const char *const lang_option[] = { "lang=", NULL };

static const struct cmd_optdoc show_optdoc[] = {
	{ "--lang zh|en", "the language to show it in (default: the one in use)",
	  "用哪种语言显示（默认：当前语言）" },
	{ NULL, NULL, NULL }
};

static const struct cmd_entry cmd_show_entry = {
	.name = "show", .alias = "open", .usage = "LESSON [STEP] [--lang zh|en]",
	.help_en = "open a lesson (by number, name or prefix), at a step",
	.help_zh = "打开一课（编号、名称或前缀），可指定步骤",
	.minargs = 1, .maxargs = 2, .options = lang_option,
	.optdoc = show_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .complete = COMPLETE_STEP,
	.exec = cmd_show_exec,
};

static int
need_lesson(struct app *app, const char *cmd)
{
	if (app->cur)
		return 0;
	app_errorf(app, "%s: no lesson is open (try: show 1)", cmd);
	return -1;
}

static enum cmd_retval
cmd_next_exec(struct app *app, struct cmd_args *args)
{
	if (need_lesson(app, "next") != 0)
		return CMD_ERR;
	if (app->step + 1 >= app_text(app, app->cur)->nsteps) {
		app_errorf(app, "next: this is the last step of %s", app->cur->id);
		return CMD_ERR;
	}
	app->step++;
	app_show(app, APP_VIEW_LESSON);
	return CMD_OK;
}

static const struct cmd_entry cmd_next_entry = {
	.name = "next", .alias = "n", .usage = "",
	.help_en = "the next step", .help_zh = "下一步",
	.minargs = 0, .maxargs = 0, .flags = CMD_SHELL, .exec = cmd_next_exec,
};

static enum cmd_retval
cmd_prev_exec(struct app *app, struct cmd_args *args)
{
	if (need_lesson(app, "prev") != 0)
		return CMD_ERR;
	if (app->step == 0) {
		app_errorf(app, "prev: this is the first step of %s", app->cur->id);
		return CMD_ERR;
	}
	app->step--;
	app_show(app, APP_VIEW_LESSON);
	return CMD_OK;
}

static const struct cmd_entry cmd_prev_entry = {
	.name = "prev", .alias = "p", .usage = "",
	.help_en = "the previous step", .help_zh = "上一步",
	.minargs = 0, .maxargs = 0, .flags = CMD_SHELL, .exec = cmd_prev_exec,
};

static enum cmd_retval
cmd_step_exec(struct app *app, struct cmd_args *args)
{
	if (need_lesson(app, "step") != 0)
		return CMD_ERR;
	if (parse_step(app, app->cur, args->argv[0], &app->step) != 0)
		return CMD_USAGE;
	app_show(app, APP_VIEW_LESSON);
	return CMD_OK;
}

static const struct cmd_entry cmd_step_entry = {
	.name = "step", .usage = "N",
	.help_en = "jump to step N of the open lesson",
	.help_zh = "跳到当前课程的第 N 步",
	.minargs = 1, .maxargs = 1, .flags = CMD_SHELL, .exec = cmd_step_exec,
};

static enum cmd_retval
cmd_lang_exec(struct app *app, struct cmd_args *args)
{
	if (args->argc == 0) {
		app_printf(app, "%s\n", lang_code(app->lang));
		return CMD_OK;
	}
	int l = lang_parse(args->argv[0]);
	if (l < 0) {
		app_errorf(app, "lang %s: not a language (en or zh)", args->argv[0]);
		return CMD_USAGE;
	}
	app->lang = l;
	if (app->cur)
		app_show(app, APP_VIEW_LESSON);
	else
		app_show(app, APP_VIEW_LIST);
	return CMD_OK;
}

static const struct cmd_entry cmd_lang_entry = {
	.name = "lang", .usage = "[en|zh]",
	.help_en = "show or switch the language (English, Chinese)",
	.help_zh = "查看或切换语言（英文、中文）",
	.minargs = 0, .maxargs = 1, .flags = CMD_SHELL,
	.complete = COMPLETE_LANG, .exec = cmd_lang_exec,
};

static enum cmd_retval
cmd_problems_exec(struct app *app, struct cmd_args *args)
{
	if (app->nproblems == 0) {
		app_printf(app, "%s\n", L(app->lang, "All lessons loaded.",
		    "所有课程都已加载。"));
		return CMD_OK;
	}
	for (int i = 0; i < app->nproblems; i++)
		app_printf(app, "%s\n", app->problems[i]);
	return CMD_ERR;
}

static const struct cmd_entry cmd_problems_entry = {
	.name = "problems", .usage = "",
	.help_en = "lessons that could not be loaded, and why",
	.help_zh = "无法加载的课程及原因",
	.minargs = 0, .maxargs = 0, .flags = CMD_ONESHOT | CMD_SHELL,
	.exec = cmd_problems_exec,
};

/* ---- Progress --------------------------------------------------------- */

/* All steps seen, as loaded from the store. */
struct seen {
	struct store_step *v;
	int n;
	size_t cap;
};

static int
collect_step(const struct store_step *s, void *arg)
{
	struct seen *sn = arg;
	ARRAY_GROW(sn->v, sn->cap, (size_t)sn->n + 1);
	sn->v[sn->n] = *s;
	sn->v[sn->n++].lesson = xstrdup(s->lesson);
	return 0;
}

static const struct store_step *
seen_find(const struct seen *sn, const char *lesson, int step)
{
	for (int i = 0; i < sn->n; i++)
		if (sn->v[i].step == step && strcmp(sn->v[i].lesson, lesson) == 0)
			return &sn->v[i];
	return NULL;
}

static void
seen_free(struct seen *sn)
{
	for (int i = 0; i < sn->n; i++)
		free((char *)sn->v[i].lesson);
	free(sn->v);
}

/* ISO 8601 in UTC, or "" for 0. */
static void
iso_time(long long t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	buf[0] = '\0';
	if (t > 0 && gmtime_r(&tt, &tm))
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Append s to *out as a JSON string. */
static char *
json_str(const char *s)
{
	size_t cap = strlen(s) * 6 + 3, n = 0;
	char *out = xmalloc(cap);
	out[n++] = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20)
			n += (size_t)sprintf(out + n, "\\u%04x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

/* A CSV field, quoted when it needs to be. */
static char *
csv_str(const char *s)
{
	if (strpbrk(s, ",\"\n\r") == NULL)
		return xstrdup(s);
	char *out = xmalloc(strlen(s) * 2 + 3), *p = out;
	*p++ = '"';
	for (; *s; s++) {
		if (*s == '"')
			*p++ = '"';
		*p++ = *s;
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

/* Demo runs, counted as they are listed. */
struct demo_list {
	struct app *app;
	int n;
};

/* One demo run as a JSON array element. */
static int
demo_json(const struct store_demo *d, void *arg)
{
	struct demo_list *dl = arg;
	char when[32];
	char *name = json_str(d->demo), *ended = json_str(d->ended);
	iso_time(d->started, when, sizeof when);
	app_printf(dl->app, "%s\n  {\"demo\": %s, \"started\": \"%s\", "
	    "\"duration_ms\": %lld, \"ended\": %s}", dl->n++ ? "," : "", name,
	    when, d->duration_ms, ended);
	free(name);
	free(ended);
	return 0;
}

/* One exercise event (an attempt, a hint, a solution view, a reset) as a
 * JSON array element. */
static int
exercise_json(const struct store_exercise_event *e, void *arg)
{
	struct demo_list *dl = arg;
	char when[32];
	char *ex = json_str(e->exercise), *kind = json_str(e->kind);
	char *st = json_str(e->status), *detail = json_str(e->detail);
	iso_time(e->at, when, sizeof when);
	app_printf(dl->app, "%s\n  {\"exercise\": %s, \"kind\": %s, \"at\": "
	    "\"%s\", \"status\": %s, \"duration_ms\": %lld, \"detail\": %s}",
	    dl->n++ ? "," : "", ex, kind, when, st, e->duration_ms, detail);
	free(ex);
	free(kind);
	free(st);
	free(detail);
	return 0;
}

static int
demo_count(const struct store_demo *d, void *arg)
{
	struct demo_list *dl = arg;
	dl->n++;
	return 0;
}

static void
progress_json(struct app *app, const struct seen *sn)
{
	char *db = json_str(store_path(app->store));
	app_printf(app, "{\"database\": %s, \"saving\": %s, \"lessons\": [", db,
	    store_saving(app->store) ? "true" : "false");
	free(db);
	for (int i = 0; i < app->lessons.n; i++) {
		struct lesson *ls = &app->lessons.v[i];
		const struct lesson_text *t = app_text(app, ls);
		char *id = json_str(ls->id), *title = json_str(t->title);
		app_printf(app, "%s\n  {\"id\": %s, \"title\": %s, \"steps\": %d, "
		    "\"seen\": %d, \"percent\": %d, \"steps_seen\": [", i ? "," : "",
		    id, title, t->nsteps, app_seen(app, ls), app_percent(app, ls));
		free(id);
		free(title);
		int first = 1;
		for (int s = 1; s <= t->nsteps; s++) {
			const struct store_step *st = seen_find(sn, ls->id, s);
			char a[32], b[32];
			if (st == NULL)
				continue;
			iso_time(st->first_seen, a, sizeof a);
			iso_time(st->last_seen, b, sizeof b);
			app_printf(app, "%s{\"step\": %d, \"first_seen\": \"%s\", "
			    "\"last_seen\": \"%s\", \"times\": %d}", first ? "" : ", ",
			    s, a, b, st->times);
			first = 0;
		}
		app_printf(app, "]}");
	}
	struct demo_list dl = { app, 0 };
	app_printf(app, "\n], \"demo_runs\": [");
	store_each_demo_run(app->store, demo_json, &dl);
	dl.n = 0;
	app_printf(app, "\n], \"exercise_events\": [");
	store_each_exercise_event(app->store, exercise_json, &dl);
	app_printf(app, "\n]}\n");
}

static void
progress_csv(struct app *app, const struct seen *sn)
{
	app_printf(app, "lesson,step,title,seen,first_seen,last_seen,times\n");
	for (int i = 0; i < app->lessons.n; i++) {
		struct lesson *ls = &app->lessons.v[i];
		const struct lesson_text *t = app_text(app, ls);
		for (int s = 1; s <= t->nsteps; s++) {
			const struct store_step *st = seen_find(sn, ls->id, s);
			char a[32] = "", b[32] = "";
			char *title = csv_str(t->steps[s - 1].title);
			if (st) {
				iso_time(st->first_seen, a, sizeof a);
				iso_time(st->last_seen, b, sizeof b);
			}
			app_printf(app, "%s,%d,%s,%d,%s,%s,%d\n", ls->id, s, title,
			    st != NULL, a, b, st ? st->times : 0);
			free(title);
		}
	}
}

static void
progress_text(struct app *app, const struct seen *sn)
{
	char *list = app_list_text(app, 80);
	app_printf(app, "%s", list);
	free(list);
	long long last = 0;
	for (int i = 0; i < sn->n; i++)
		if (sn->v[i].last_seen > last)
			last = sn->v[i].last_seen;
	char when[32];
	iso_time(last, when, sizeof when);
	struct demo_list dl = { app, 0 };
	store_each_demo_run(app->store, demo_count, &dl);
	if (dl.n > 0)
		app_printf(app, L(app->lang, "Live demos run: %d.\n",
		    "运行过的现场演示：%d 次。\n"), dl.n);
	if (!store_saving(app->store))
		app_printf(app, L(app->lang, "Progress is not being saved.\n",
		    "进度未被保存。\n"));
	else if (last == 0)
		app_printf(app, L(app->lang, "Nothing seen yet. Progress is kept in %s\n",
		    "还没有学习记录。进度保存在 %s\n"), store_path(app->store));
	else
		app_printf(app, L(app->lang, "Last step seen %s. Progress is kept in %s\n",
		    "最近一次学习 %s。进度保存在 %s\n"), when, store_path(app->store));
}

static enum cmd_retval
cmd_progress_exec(struct app *app, struct cmd_args *args)
{
	int json = cmd_has(args, "json", NULL), csv = cmd_has(args, "csv", NULL);
	if (json && csv) {
		app_errorf(app, "progress: choose one of --json and --csv");
		return CMD_USAGE;
	}
	struct seen sn = { 0 };
	if (store_saving(app->store) &&
	    store_each_step(app->store, collect_step, &sn) != STORE_OK) {
		app_errorf(app, "progress: cannot read %s: %s",
		    store_path(app->store), store_error(app->store));
		seen_free(&sn);
		return CMD_ERR;
	}
	if (json)
		progress_json(app, &sn);
	else if (csv)
		progress_csv(app, &sn);
	else
		progress_text(app, &sn);
	seen_free(&sn);
	return CMD_OK;
}

static const char *const progress_options[] = { "json", "csv", NULL };

static const struct cmd_optdoc progress_optdoc[] = {
	{ "--json", "print it as JSON", "以 JSON 打印" },
	{ "--csv", "print it as CSV", "以 CSV 打印" },
	{ NULL, NULL, NULL }
};

static const struct cmd_entry cmd_progress_entry = {
	.name = "progress", .usage = "[--json|--csv]",
	.help_en = "your progress per lesson (and every step seen, with times)",
	.help_zh = "每课的学习进度（以及看过的每一步和时间）",
	.minargs = 0, .maxargs = 0, .options = progress_options,
	.optdoc = progress_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .exec = cmd_progress_exec,
};

static enum cmd_retval
cmd_reset_exec(struct app *app, struct cmd_args *args)
{
	if (args->argc == 1)
		return ex_reset_exec(app, args);        /* reset EX */
	if (!store_saving(app->store)) {
		app_errorf(app, "reset: progress is not being saved, nothing to erase");
		return CMD_ERR;
	}
	if (!cmd_has(args, "yes", NULL)) {
		char *q = xasprintf(L(app->lang, "Erase all progress in %s?",
		    "清除 %s 中的全部进度？"), store_path(app->store));
		int yes = app->ui->ask(app, q);
		free(q);
		if (yes < 0) {
			app_errorf(app, "reset: add --yes to erase all progress");
			return CMD_USAGE;
		}
		if (yes == 0) {
			app_printf(app, "%s\n", L(app->lang, "Nothing erased.",
			    "未清除任何内容。"));
			return CMD_ERR;
		}
	}
	if (store_reset(app->store) != STORE_OK) {
		app_errorf(app, "reset: %s", store_error(app->store));
		return CMD_ERR;
	}
	app_printf(app, "%s\n", L(app->lang, "All progress erased.", "已清除全部进度。"));
	return CMD_OK;
}

static const char *const reset_options[] = { "yes", "workspace=", NULL };

static const struct cmd_optdoc reset_optdoc[] = {
	{ "--yes", "erase without asking first", "不先询问，直接清除" },
	{ "--workspace DIR", "with EX: where your copies are\n"
	  "(default ~/systour-exercises)",
	  "与 EX 一起：你的副本所在目录\n（默认 ~/systour-exercises）" },
	{ NULL, NULL, NULL }
};

static const struct cmd_entry cmd_reset_entry = {
	.name = "reset", .usage = "[EX] [--yes] [--workspace DIR]",
	.help_en = "erase all progress, or put one exercise's starter back "
	    "(asks first, unless --yes)",
	.help_zh = "清除全部进度，或恢复某个练习的起始文件（先确认，除非加 --yes）",
	.minargs = 0, .maxargs = 1, .options = reset_options,
	.optdoc = reset_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL, .exec = cmd_reset_exec,
};

/* ---- The shell itself ------------------------------------------------- */

static enum cmd_retval
cmd_help_exec(struct app *app, struct cmd_args *args)
{
	const struct cmd_entry *e = NULL;
	char *cause;
	if (args->argc == 1 && (e = cmd_find(args->argv[0], &cause)) == NULL) {
		app_errorf(app, "help: %s", cause);
		free(cause);
		return CMD_USAGE;
	}
	/* inside the tutor, only what can be typed there */
	char *s = e ? cmd_help_text(app, e) : strcmp(app->ui->name, "oneshot") == 0 ?
	    cmd_help_text(app, NULL) : cmd_help_usable(app, CMD_SHELL);
	app_printf(app, "%s", s);
	free(s);
	return CMD_OK;
}

static const struct cmd_entry cmd_help_entry = {
	.name = "help", .alias = "?", .usage = "[COMMAND]",
	.help_en = "the commands, or one command", .help_zh = "命令列表，或某个命令的用法",
	.minargs = 0, .maxargs = 1, .flags = CMD_ONESHOT | CMD_SHELL,
	.complete = COMPLETE_COMMAND, .exec = cmd_help_exec,
};

static enum cmd_retval
cmd_quit_exec(struct app *app, struct cmd_args *args)
{
	app->quit = 1;
	return CMD_OK;
}

static const struct cmd_entry cmd_quit_entry = {
	.name = "quit", .alias = "exit", .usage = "",
	.help_en = "leave systour", .help_zh = "退出 systour",
	.minargs = 0, .maxargs = 0, .flags = CMD_SHELL, .exec = cmd_quit_exec,
};

extern const struct cmd_entry cmd_demo_entry;
extern const struct cmd_entry cmd_manager_entry;
extern const struct cmd_entry cmd_worker_entry;
extern const struct cmd_entry cmd_pickle_entry;
extern const struct cmd_entry cmd_exercises_entry, cmd_exercise_entry,
    cmd_check_entry, cmd_watch_entry, cmd_hint_entry, cmd_solution_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_list_entry,
	&cmd_show_entry,
	&cmd_next_entry,
	&cmd_prev_entry,
	&cmd_step_entry,
	&cmd_lang_entry,
	&cmd_progress_entry,
	&cmd_reset_entry,
	&cmd_problems_entry,
	&cmd_demo_entry,
	&cmd_exercises_entry,
	&cmd_exercise_entry,
	&cmd_check_entry,
	&cmd_watch_entry,
	&cmd_hint_entry,
	&cmd_solution_entry,
	&cmd_pickle_entry,
	&cmd_manager_entry,
	&cmd_worker_entry,
	&cmd_help_entry,
	&cmd_quit_entry,
	NULL
};
