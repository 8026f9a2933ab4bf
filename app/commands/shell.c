/* shell.c — looking commands up in the table, splitting lines into words,
 * checking options, running commands, completing words and printing help.
 * The commands themselves are in commands.c. */
#include "shell.h"
#include "buf.h"
#include "layout.h"
#include "lesson_module.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct cmd_entry *
cmd_find(const char *name, char **cause)
{
	const struct cmd_entry *found = NULL;
	size_t len = strlen(name);
	struct buf ambiguous = BUF_INIT;    /* "name, name, ..." */

	for (const struct cmd_entry *const *e = cmd_table; *e; e++) {
		if (strcasecmp((*e)->name, name) == 0 ||
		    ((*e)->alias && strcasecmp((*e)->alias, name) == 0)) {
			buf_free(&ambiguous);
			return *e;
		}
		if (len == 0 || strncasecmp((*e)->name, name, len) != 0)
			continue;
		if (found) {
			if (ambiguous.len == 0)
				buf_adds(&ambiguous, found->name);
			buf_printf(&ambiguous, ", %s", (*e)->name);
		}
		found = *e;
	}
	if (ambiguous.len > 0) {
		*cause = xasprintf(LD("ambiguous command: %s, could be: %s",
		    "命令有歧义：%s，可能是：%s"), name,
		    buf_str(&ambiguous));
		buf_free(&ambiguous);
		return NULL;
	}
	if (found == NULL)
		*cause = xasprintf(LD("unknown command: %s",
		    "未知命令：%s"), name);
	return found;
}

int
cmd_has(const struct cmd_args *args, const char *name, const char **value)
{
	for (int i = 0; i < args->nopt; i++)
		if (strcmp(args->opt[i].name, name) == 0) {
			if (value)
				*value = args->opt[i].value;
			return 1;
		}
	return 0;
}

/* Is --name an option of e; does it take a value? -1 if not an option. */
static int
option_kind(const struct cmd_entry *e, const char *name, size_t len)
{
	for (const char *const *o = e->options; o && *o; o++) {
		size_t n = strcspn(*o, "=");
		if (n == len && strncmp(*o, name, len) == 0)
			return (*o)[n] == '=';
	}
	return -1;
}

enum cmd_retval
cmd_exec_argv(struct app *app, int argc, char **argv, int context)
{
	char *cause = NULL;
	if (argc == 0)
		return CMD_OK;
	const struct cmd_entry *e = cmd_find(argv[0], &cause);
	if (e == NULL) {
		app_errorf(app, L(app->lang, "%s (try: help)",
		    "%s（试试 help）"), cause);
		free(cause);
		return CMD_USAGE;
	}
	if (!(e->flags & context)) {
		app_errorf(app, "%s: %s", e->name, context == CMD_ONESHOT ?
		    L(app->lang, "only inside the tutor (run systour, then type it)",
		    "只能在导师界面中使用（运行 systour，再输入它）") :
		    L(app->lang, "only from the command line (systour ...)",
		    "只能在命令行中使用（systour ...）"));
		return CMD_USAGE;
	}

	struct cmd_args args = { 0 };
	args.argv = xcalloc(argc, sizeof *args.argv);
	enum cmd_retval rc = CMD_USAGE;
	int only_args = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_args || strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (!only_args && strcmp(a, "--") == 0)
				only_args = 1;
			else
				args.argv[args.argc++] = a;
			continue;
		}
		size_t len = strcspn(a + 2, "=");
		int kind = option_kind(e, a + 2, len);
		if (kind < 0) {
			app_errorf(app, L(app->lang, "%s: unknown option %.*s (usage: %s%s%s)",
			    "%s：未知选项 %.*s（用法：%s%s%s）"),
			    e->name, (int)len + 2, a, e->name, *e->usage ? " " : "",
			    e->usage);
			goto out;
		}
		const char *value = NULL;
		if (kind == 1) {
			if (a[2 + len] == '=')
				value = a + 3 + len;
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				app_errorf(app, L(app->lang, "%s: option --%.*s needs a value",
				    "%s：选项 --%.*s 需要一个值"),
				    e->name, (int)len, a + 2);
				goto out;
			}
		} else if (a[2 + len] == '=') {
			app_errorf(app, L(app->lang, "%s: option --%.*s takes no value",
			    "%s：选项 --%.*s 不接受值"),
			    e->name, (int)len, a + 2);
			goto out;
		}
		if (args.nopt == (int)(sizeof args.opt / sizeof args.opt[0])) {
			app_errorf(app, L(app->lang, "%s: too many options",
			    "%s：选项太多"), e->name);
			goto out;
		}
		/* the name is copied up to its '=' by pointing into the word */
		a[2 + len] = a[2 + len] == '=' ? '\0' : a[2 + len];
		args.opt[args.nopt].name = a + 2;
		args.opt[args.nopt++].value = value;
	}
	if (args.argc < e->minargs || (e->maxargs >= 0 && args.argc > e->maxargs)) {
		app_errorf(app, "%s: %s (usage: %s%s%s)", e->name,
		    args.argc < e->minargs ? L(app->lang, "too few arguments",
		    "参数太少") :
		    L(app->lang, "too many arguments",
		    "参数太多"), e->name, *e->usage ? " " : "", e->usage);
		goto out;
	}
	rc = e->exec(app, &args);
out:
	free(args.argv);
	return rc;
}

int
cmd_split(const char *line, char ***argvp)
{
	int argc = 0;
	char **argv = NULL;
	size_t cap = 0;
	const char *p = line;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		char *word = xmalloc(strlen(p) + 1), *w = word;
		while (*p && !isspace((unsigned char)*p)) {
			if (*p == '\'' || *p == '"') {
				char q = *p++;
				while (*p && *p != q)
					*w++ = *p++;
				if (*p != q) {
					free(word);
					cmd_free_argv(argc, argv);
					return -1;
				}
				p++;
			} else if (*p == '\\' && p[1])
				*w++ = *++p, p++;
			else
				*w++ = *p++;
		}
		*w = '\0';
		ARRAY_GROW(argv, cap, (size_t)argc + 2);
		argv[argc++] = word;
		argv[argc] = NULL;
	}
	*argvp = argv;
	return argc;
}

void
cmd_free_argv(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

enum cmd_retval
cmd_exec_line(struct app *app, const char *line)
{
	char **argv;
	int argc = cmd_split(line, &argv);
	if (argc < 0) {
		app_errorf(app, L(app->lang, "a quote is not closed",
		    "引号没有闭合"));
		return CMD_USAGE;
	}
	enum cmd_retval rc = cmd_exec_argv(app, argc, argv, CMD_SHELL);
	cmd_free_argv(argc, argv);
	return rc;
}

/* ---- Completion ------------------------------------------------------- */

struct cands {
	char **v;               /* NULL-terminated */
	int n;
	size_t cap;             /* v's room, the NULL included */
};

static void
cand_add(struct cands *c, const char *word, const char *s)
{
	if (strncmp(s, word, strlen(word)) != 0)
		return;
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return;
	ARRAY_GROW(c->v, c->cap, (size_t)c->n + 2);
	c->v[c->n++] = xstrdup(s);
	c->v[c->n] = NULL;
}

char **
cmd_complete(struct app *app, const char *before, const char *word)
{
	struct cands c = { xcalloc(1, sizeof(char *)), 0, 1 };
	char **argv;
	int argc = cmd_split(before, &argv);
	if (argc < 0)
		return c.v;
	const struct cmd_entry *e = NULL;
	char *cause = NULL;

	if (argc == 0) {
		for (const struct cmd_entry *const *t = cmd_table; *t; t++)
			if ((*t)->flags & CMD_SHELL)
				cand_add(&c, word, (*t)->name);
		goto out;
	}
	e = cmd_find(argv[0], &cause);
	free(cause);
	if (e == NULL)
		goto out;
	if (strncmp(word, "--", 2) == 0 || (word[0] == '-' && word[1] == '\0')) {
		for (const char *const *o = e->options; o && *o; o++) {
			char *s = xasprintf("--%.*s", (int)strcspn(*o, "="), *o);
			cand_add(&c, word, s);
			free(s);
		}
		goto out;
	}
	/* the value of an option that takes one */
	if (strcmp(argv[argc - 1], "--lang") == 0) {
		cand_add(&c, word, "en");
		cand_add(&c, word, "zh");
		goto out;
	}
	/* positional words so far, skipping options and their values */
	int positional = 0;
	const char *first = NULL;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			size_t len = strcspn(argv[i] + 2, "=");
			if (argv[i][2 + len] == '\0' &&
			    option_kind(e, argv[i] + 2, len) == 1)
				i++;    /* its value is the next word */
			continue;
		}
		if (positional++ == 0)
			first = argv[i];
	}
	switch (e->complete) {
	case COMPLETE_LESSON:
	case COMPLETE_STEP:
		if (positional == 0) {
			for (int i = 0; i < app->lessons.n; i++) {
				cand_add(&c, word, app->lessons.v[i].name);
				cand_add(&c, word, app->lessons.v[i].id);
			}
			break;
		}
		if (positional == 1 && e->complete == COMPLETE_STEP) {
			struct lesson *ls = lessons_find(&app->lessons, first);
			for (int i = 0; ls && i < ls->text[LANG_EN].nsteps; i++) {
				char num[16];
				snprintf(num, sizeof num, "%d", i + 1);
				cand_add(&c, word, num);
			}
		}
		break;
	case COMPLETE_LANG:
		if (positional == 0) {
			cand_add(&c, word, "en");
			cand_add(&c, word, "zh");
		}
		break;
	case COMPLETE_COMMAND:
		if (positional == 0)
			for (const struct cmd_entry *const *t = cmd_table; *t; t++)
				cand_add(&c, word, (*t)->name);
		break;
	case COMPLETE_DEMO:
		if (positional == 0)
			for (int i = 0; i < app->lessons.n; i++) {
				const struct systour_lesson_module *m =
				    app->lessons.v[i].module_info;
				for (int k = 0; m && m->demos && m->demos[k]; k++)
					cand_add(&c, word, m->demos[k]->name);
			}
		break;
	case COMPLETE_NONE:
		break;
	}
	/* `step N` completes the open lesson's steps */
	if (strcmp(e->name, "step") == 0 && positional == 0 && app->cur)
		for (int i = 0; i < app->cur->text[LANG_EN].nsteps; i++) {
			char num[16];
			snprintf(num, sizeof num, "%d", i + 1);
			cand_add(&c, word, num);
		}
out:
	cmd_free_argv(argc, argv);
	return c.v;
}

/* ---- Help ------------------------------------------------------------- */

/* Append text to *out, wrapped to fit width columns when it starts at
 * column col: at spaces, and between Chinese characters (layout.c's
 * rules); lines after the first are indented by indent spaces. */
static void
wrap_words(struct buf *out, const char *text, int col, int indent, int width)
{
	struct cells cs = { 0 };
	struct page pg = { 0 };
	int room = width - (col > indent ? col : indent);
	cells_add(&cs, text, strlen(text), S_TEXT);
	page_wrap(&pg, &cs, room > 10 ? room : 10, NULL, NULL, LK_TEXT);
	for (int i = 0; i < pg.n; i++) {
		char *line = line_utf8(&pg.v[i]);
		if (i > 0)
			buf_printf(out, "\n%*s", indent, "");
		buf_adds(out, line);
		free(line);
	}
	page_free(&pg);
	cells_free(&cs);
}

/* Help lines for the entries that are only, or (only NULL) whose places
 * (CMD_ONESHOT, CMD_SHELL) are flags (exactly, or with any set: some), or
 * (flags 0) all. wrap: fit 79 columns, the help at column 40 (for a
 * terminal); else one line per command (the TUI wraps them itself). */
static char *
help_lines(const struct app *app, const struct cmd_entry *only, int flags,
    int some, int wrap)
{
	struct buf out = BUF_INIT;
	for (const struct cmd_entry *const *t = cmd_table; *t; t++) {
		const struct cmd_entry *e = *t;
		int where = e->flags & (CMD_ONESHOT | CMD_SHELL);
		if ((only && e != only) || (flags && !some && where != flags) ||
		    (flags && some && !(e->flags & flags)))
			continue;
		char *alias = e->alias ? xasprintf("  (%s)", e->alias) : xstrdup("");
		char *head = xasprintf("%s%s%s%s", e->name, *e->usage ? " " : "",
		    e->usage, alias);
		if (!wrap) {	/* one line each: the TUI wraps them itself */
			buf_printf(&out, "  %-36s  %s\n", head,
			    L(app->lang, e->help_en, e->help_zh));
			free(alias);
			free(head);
			continue;
		}
		/* "  head  help", the help at column 40; a longer head
		 * gets lines of its own, and every line stays within 79 */
		buf_adds(&out, "  ");
		if (text_width(head) > 36) {
			wrap_words(&out, head, 2, 4, 79);
			/* the help starts on a line of its own */
			buf_printf(&out, "\n%40s", "");
		} else
			buf_printf(&out, "%-36s  ", head);
		wrap_words(&out, L(app->lang, e->help_en, e->help_zh), 40, 40, 79);
		buf_addc(&out, '\n');
		free(alias);
		free(head);
	}
	return buf_detach(&out, NULL);
}

char *
cmd_help_text(const struct app *app, const struct cmd_entry *only)
{
	return help_lines(app, only, 0, 0, only == NULL);
}

char *
cmd_help_where(const struct app *app, int flags)
{
	return help_lines(app, NULL, flags, 0, 1);
}

char *
cmd_help_usable(const struct app *app, int context)
{
	return help_lines(app, NULL, context, 1, 0);
}

char *
cmd_usage_text(const struct app *app, const struct cmd_entry *e)
{
	int oneshot = (e->flags & CMD_ONESHOT) != 0;
	char *head = xasprintf("%s%s%s", L(app->lang, "usage: ", "用法："),
	    oneshot ? "systour " : "", e->name);
	struct buf out = BUF_INIT;
	buf_adds(&out, head);
	if (*e->usage) {
		buf_addc(&out, ' ');
		int col = text_width(head) + 1;
		wrap_words(&out, e->usage, col, col, 79);
	}
	free(head);
	buf_addc(&out, '\n');
	wrap_words(&out, L(app->lang, e->help_en, e->help_zh), 0, 0, 79);
	buf_addc(&out, '\n');
	if (e->alias)
		buf_printf(&out, "%s%s\n", L(app->lang, "Also: ", "别名："),
		    e->alias);
	if (!(e->flags & CMD_ONESHOT))
		buf_printf(&out, "%s\n", L(app->lang,
		    "Only inside the tutor and the plain shell.",
		    "只能在导师界面和纯文本 shell 里使用。"));
	if (e->optdoc && e->optdoc[0].opt)
		buf_printf(&out, "\n%s\n", L(app->lang, "Options:", "选项："));
	for (const struct cmd_optdoc *d = e->optdoc; d && d->opt; d++) {
		const char *text = L(app->lang, d->en, d->zh);
		buf_printf(&out, "  %-20s ", d->opt);
		if (text_width(d->opt) > 20)
			buf_printf(&out, "\n%23s", "");
		/* each of its lines, indented under the first */
		for (const char *p = text; *p;) {
			size_t n = strcspn(p, "\n");
			buf_printf(&out, "%s%.*s\n", p == text ? "" :
			    "                       ", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	return buf_detach(&out, NULL);
}
