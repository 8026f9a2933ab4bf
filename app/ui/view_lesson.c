/* view_lesson.c — one step of the open lesson (app->cur at app->step),
 * rendered from Markdown and scrolled. n/p move through the steps (as the
 * commands next and prev), d runs the step's demo, q goes back to the
 * list. The page is laid out again only when the step, the language or the
 * width changes. */
#include "draw.h"
#include "render.h"
#include "shell.h"
#include "tui_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

struct lesson_view {
	struct page page;       /* the open step, laid out */
	const struct lesson *page_lesson;
	int page_step, page_lang, page_width;
	const struct lesson *at_lesson; /* what top belongs to */
	int at_step;
	int top;                /* first line of the page shown */
};

static void
lesson_init(struct view *v, void *arg)
{
	struct lesson_view *lv = xcalloc(1, sizeof *lv);
	lv->page_step = -1;
	lv->at_step = -1;
	v->data = lv;
}

static void
lesson_free(struct view *v)
{
	struct lesson_view *lv = v->data;
	page_free(&lv->page);
	free(lv);
}

/* Lay the step out again if what it shows changed; a new step starts at
 * its top. */
static void
layout_page(struct view *v)
{
	struct lesson_view *lv = v->data;
	struct app *app = v->tui->app;
	int width = COLS - 2;
	if (lv->at_lesson != app->cur || lv->at_step != app->step) {
		lv->top = 0;
		lv->at_lesson = app->cur;
		lv->at_step = app->step;
	}
	if (lv->page_lesson == app->cur && lv->page_step == app->step &&
	    lv->page_lang == (int)app->lang && lv->page_width == width)
		return;
	page_clear(&lv->page);
	render_step(&lv->page, app_text(app, app->cur), app->step, app->lang, width);
	lv->page_lesson = app->cur;
	lv->page_step = app->step;
	lv->page_lang = app->lang;
	lv->page_width = width;
}

static int
max_top(struct lesson_view *lv)
{
	int m = lv->page.n - tui_body_rows();
	return m > 0 ? m : 0;
}

static void
lesson_draw(struct view *v, int top, int rows)
{
	struct lesson_view *lv = v->data;
	layout_page(v);
	if (lv->top > max_top(lv))
		lv->top = max_top(lv);
	for (int i = 0; i < rows && lv->top + i < lv->page.n; i++)
		draw_line_at(top + i, 1, COLS - 2, &lv->page.v[lv->top + i]);
}

/* Run the first demo of the open step that can run. */
static void
run_step_demo(struct view *v)
{
	struct app *app = v->tui->app;
	const struct step *st = &app_text(app, app->cur)->steps[app->step];
	for (int i = 0; i < st->nparts; i++)
		if (st->parts[i].kind == PART_DEMO && st->parts[i].available) {
			char *cmd = xasprintf("demo %s", st->parts[i].text);
			cmd_exec_line(app, cmd);
			free(cmd);
			return;
		}
	tui_set_status(v->tui, 1, L(app->lang,
	    "This step has no live demo that can run.",
	    "这一步没有可以运行的现场演示。"));
}

/* Open the first exercise of the open step. */
static void
open_step_exercise(struct view *v)
{
	struct app *app = v->tui->app;
	const struct step *st = &app_text(app, app->cur)->steps[app->step];
	for (int i = 0; i < st->nparts; i++)
		if (st->parts[i].kind == PART_EXERCISE && st->parts[i].available) {
			char *cmd = xasprintf("exercise %s", st->parts[i].text);
			cmd_exec_line(app, cmd);
			free(cmd);
			return;
		}
	tui_set_status(v->tui, 1, L(app->lang,
	    "This step has no exercise.", "这一步没有练习。"));
}

static int
lesson_key(struct view *v, enum key k, wchar_t ch)
{
	struct lesson_view *lv = v->data;
	struct app *app = v->tui->app;
	int page = tui_body_rows() - 1;
	/* the commands may pop this view or push one above it: v is not
	 * touched after them */
	if (k == K_RIGHT || (k == K_CHAR && ch == 'n'))
		cmd_exec_line(app, "next");
	else if (k == K_LEFT || (k == K_CHAR && ch == 'p'))
		cmd_exec_line(app, "prev");
	else if (k == K_CHAR && ch >= '1' && ch <= '9') {
		char cmd[16];
		snprintf(cmd, sizeof cmd, "step %lc", (wint_t)ch);
		cmd_exec_line(app, cmd);
	} else if (k == K_CHAR && ch == 'd')
		run_step_demo(v);
	else if (k == K_CHAR && ch == 'x')
		open_step_exercise(v);
	else if (k == K_ESC || k == K_BACKSPACE || (k == K_CHAR && ch == 'q'))
		app_show(app, APP_VIEW_LIST);
	else {
		layout_page(v);
		if (k == K_DOWN || (k == K_CHAR && ch == 'j'))
			lv->top++;
		else if (k == K_WHEEL_DOWN)
			lv->top += 3;
		else if (k == K_UP || (k == K_CHAR && ch == 'k'))
			lv->top = lv->top > 0 ? lv->top - 1 : 0;
		else if (k == K_WHEEL_UP)
			lv->top = lv->top > 3 ? lv->top - 3 : 0;
		else if (k == K_PGDN || (k == K_CHAR && ch == ' '))
			lv->top += page;
		else if (k == K_PGUP || (k == K_CHAR && ch == 'b'))
			lv->top = lv->top > page ? lv->top - page : 0;
		else if (k == K_HOME || (k == K_CHAR && ch == 'g'))
			lv->top = 0;
		else if (k == K_END || (k == K_CHAR && ch == 'G'))
			lv->top = max_top(lv);
		else
			return 0;
		if (lv->top > max_top(lv))
			lv->top = max_top(lv);
	}
	return 1;
}

static void
lesson_header(struct view *v, char *left, char *right, size_t len)
{
	struct app *app = v->tui->app;
	const struct lesson_text *lt = app_text(app, app->cur);
	snprintf(left, len, " systour · %02d %s", app->cur->number, lt->title);
	snprintf(right, len, "%s %d/%d · %s ", L(app->lang, "step", "步骤"),
	    app->step + 1, lt->nsteps, L(app->lang, "English", "中文"));
}

static void
lesson_status(struct view *v, char *left, char *right, size_t len, int width)
{
	struct lesson_view *lv = v->data;
	struct app *app = v->tui->app;
	int last = lv->top + tui_body_rows();
	snprintf(left, len, "%s", L(app->lang,
	    "n/→ next  p/← prev  j/k scroll  1-9 step  L 中文  q list  ? keys  : command",
	    "n/→ 下一步  p/← 上一步  j/k 滚动  1-9 跳步  L English  q 列表  ? 按键  : 命令"));
	snprintf(right, len, "%s %d-%d/%d ", L(app->lang, "lines", "行"),
	    lv->page.n ? lv->top + 1 : 0, last < lv->page.n ? last : lv->page.n,
	    lv->page.n);
}

const struct view_ops view_lesson_ops = {
	.name = "lesson",
	.passes_global_keys = 1,
	.init = lesson_init,
	.free = lesson_free,
	.draw = lesson_draw,
	.key = lesson_key,
	.header = lesson_header,
	.status = lesson_status,
};
