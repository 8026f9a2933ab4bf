/* plain.c — one-shot commands and the plain shell: text on stdout, errors
 * as one line on stderr, readline when a person is typing. */
#include "plain.h"
#include "demo_plain.h"
#include "readline_glue.h"
#include "render.h"
#include "shell.h"
#include "util.h"
#include "lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <readline/readline.h>

/* Width of text output: the terminal's (at most 100), $COLUMNS, or 80. */
static int
out_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 20)
		return ws.ws_col > 100 ? 100 : ws.ws_col;
	const char *c = getenv("COLUMNS");
	if (c && atoi(c) >= 20)
		return atoi(c);
	return 80;
}

static void
print_page(const struct page *pg)
{
	for (int i = 0; i < pg->n; i++) {
		char *s = line_utf8(&pg->v[i]);
		puts(s);
		free(s);
	}
}

void
plain_print_step(struct app *app, const struct lesson_text *t, int step)
{
	struct page pg = { 0 };
	/* a live demo is named as it is run here; code for a file or a pipe
	 * comes whole, to be copied */
	int flags = strcmp(app->ui->name, "oneshot") == 0 ? RENDER_ONESHOT :
	    RENDER_SHELL;
	if (!isatty(STDOUT_FILENO))
		flags |= RENDER_CODE_WHOLE;
	render_step_for(&pg, t, step, app->lang, out_width(), flags);
	print_page(&pg);
	page_free(&pg);
}

static void
text_print(struct app *app, const char *text)
{
	fputs(text, stdout);
}

static void
text_error(struct app *app, const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "systour: %s\n", msg);
}

static void
text_list(struct app *app)
{
	char *s = app_list_text(app, out_width());
	fputs(s, stdout);
	free(s);
}

/* One-shot: the whole lesson, its title and summary first. */
static void
oneshot_open(struct app *app)
{
	const struct lesson_text *t = app_text(app, app->cur);
	struct page pg = { 0 };
	struct cells title = { 0 };
	cells_add(&title, t->title, strlen(t->title), S_TITLE);
	page_wrap(&pg, &title, out_width(), NULL, NULL, LK_TEXT);
	cells_free(&title);
	if (*t->summary)
		render_markdown(&pg, t->summary, out_width(), NULL, LK_TEXT, app->lang);
	print_page(&pg);
	page_free(&pg);
	for (int i = app->step; i < t->nsteps; i++) {
		putchar('\n');
		plain_print_step(app, t, i);
	}
}

/* The shell: one step at a time, recorded as seen. */
static void
shell_open(struct app *app)
{
	const struct lesson_text *t = app_text(app, app->cur);
	printf("\n[%s · %s]\n", app->cur->id, t->title);
	plain_print_step(app, t, app->step);
	app_mark_seen(app);
	printf("\n%s\n", L(app->lang, "(next, prev, step N, list, help)",
	    "（next 下一步，prev 上一步，step N 跳转，list 列表，help 帮助）"));
}

/* The plain front ends show a view by printing it; a demo runs in place,
 * its panes' lines prefixed. */
static int
oneshot_push(struct app *app, const struct app_view *what, char **cause)
{
	switch (what->kind) {
	case APP_VIEW_LIST:
		text_list(app);
		return 0;
	case APP_VIEW_LESSON:
		oneshot_open(app);
		return 0;
	case APP_VIEW_DEMO:
		break;
	case APP_VIEW_EXERCISE:
		*cause = xstrdup(L(app->lang,
		    "the editor beside the checker needs the TUI",
		    "检查器旁的编辑器需要 TUI"));
		return -1;
	}
	return demo_plain_run(app_loop(app), what->demo, what->paused,
	    what->delay_ms, app->lang, app->store, cause);
}

static int
shell_push(struct app *app, const struct app_view *what, char **cause)
{
	if (what->kind == APP_VIEW_LESSON) {
		shell_open(app);
		return 0;
	}
	return oneshot_push(app, what, cause);
}

static int
text_confirm(struct app *app, const char *question)
{
	if (!isatty(STDIN_FILENO))
		return -1;
	printf("%s [y/N] ", question);
	fflush(stdout);
	char buf[64];
	if (fgets(buf, sizeof buf, stdin) == NULL)
		return 0;
	return buf[0] == 'y' || buf[0] == 'Y';
}

const struct ui_ops plain_oneshot_ui = {
	.name = "oneshot",
	.print = text_print,
	.error = text_error,
	.ask = text_confirm,
	.push = oneshot_push,
};

const struct ui_ops plain_shell_ui = {
	.name = "plain",
	.print = text_print,
	.error = text_error,
	.ask = text_confirm,
	.push = shell_push,
};

int
plain_shell(struct app *app)
{
	int interactive = isatty(STDIN_FILENO);
	int status = 0;
	app->ui = &plain_shell_ui;
	for (int i = 0; i < app->nproblems; i++)
		fprintf(stderr, "systour: %s\n", app->problems[i]);
	if (interactive) {
		rlglue_init(app);
		printf("systour %s — %s\n", SYSTOUR_VERSION, L(app->lang,
		    "type help for the commands, quit to leave.",
		    "输入 help 查看命令，quit 退出。"));
	}
	while (!app->quit) {
		char *line = NULL;
		if (interactive)
			line = readline("systour> ");
		else {
			size_t cap = 0;
			if (getline(&line, &cap, stdin) < 0) {
				free(line);
				line = NULL;
			} else
				line[strcspn(line, "\r\n")] = '\0';
		}
		if (line == NULL)
			break;
		if (interactive)
			rlglue_remember(line);
		if (line[strspn(line, " \t")] != '\0')
			status = cmd_exec_line(app, line);
		free(line);
		fflush(stdout);
	}
	if (interactive) {
		rlglue_save(app);
		if (!app->quit)
			putchar('\n');
		return 0;
	}
	return status;
}
