/* view_list.c — the lesson list, at the bottom of the TUI's stack of views:
 * each lesson with a bar of the steps seen, and the selected one's summary
 * below. Enter opens the lesson above it; q here leaves the tutor. */
#include "draw.h"
#include "render.h"
#include "shell.h"
#include "store.h"
#include "term.h"
#include "tui_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct list_view {
	int sel;                /* the selected lesson */
};

static void
list_init(struct view *v, void *arg)
{
	v->data = xcalloc(1, sizeof(struct list_view));
}

static void
list_free(struct view *v)
{
	free(v->data);
}

/* Select the open lesson, if any: the list is shown again after it. */
void
view_list_select_current(struct view *v)
{
	struct list_view *lv = v->data;
	struct app *app = v->tui->app;
	for (int i = 0; i < app->lessons.n; i++)
		if (&app->lessons.v[i] == app->cur)
			lv->sel = i;
}

static void
list_draw(struct view *v, int top, int rows)
{
	struct list_view *lv = v->data;
	struct app *app = v->tui->app;
	int y = top + 1, end = top + rows;
	short pp;
	attr_t pa = term_ui_attr(UI_PROGRESS, &pp);
	for (int i = 0; i < app->lessons.n && y < end - 1; i++, y++) {
		struct lesson *ls = &app->lessons.v[i];
		int seen = app_seen(app, ls), total = ls->text[LANG_EN].nsteps;
		int pct = total ? seen * 100 / total : 0;
		short pair = 0;
		attr_t a = i == lv->sel ? term_ui_attr(UI_SELECTED, &pair) : A_NORMAL;
		if (i == lv->sel)
			for (int x = 1; x < COLS - 1; x++)
				mvaddch(y, x, ' ' | a);
		char *head = xasprintf("%02d  %-14s", ls->number, ls->name);
		int x = 2 + draw_text(y, 2, 20, head, a, pair);
		int nex, done = app_exercises_done(app, ls, &nex);
		draw_text(y, x, COLS - 30 - x - (nex ? 9 : 0),
		    app_text(app, ls)->title, a, pair);
		free(head);
		if (nex > 0) {
			/* exercises passed beside the steps seen */
			char *ex = xasprintf("✎ %d/%d", done, nex);
			draw_text(y, COLS - 37, 8, ex, a, pair);
			free(ex);
		}
		/* the bar: 12 cells, then the figures */
		int bx = COLS - 28, filled = pct * 12 / 100;
		mvaddch(y, bx, '[' | a);
		for (int k = 0; k < 12; k++) {
			struct cell c = { k < filled ? L'█' : L'·', 1, S_TEXT };
			draw_cell(y, bx + 1 + k, &c, k < filled ? pa : a, k < filled ? pp : pair);
		}
		mvaddch(y, bx + 13, ']' | a);
		char *fig = xasprintf("%3d%%  %d/%d", pct, seen, total);
		draw_text(y, bx + 15, 13, fig, a, pair);
		free(fig);
	}
	if (app->lessons.n == 0)
		draw_text(top + 1, 2, COLS - 4, L(app->lang, "No lessons were loaded.",
		    "没有加载任何课程。"), A_BOLD, 0);

	/* the selected lesson's summary below the list */
	if (app->lessons.n > 0 && y + 2 < end - 1) {
		struct page pg = { 0 };
		const char *sum = app_text(app, &app->lessons.v[lv->sel])->summary;
		render_markdown(&pg, sum, COLS - 4, NULL, LK_TEXT, app->lang);
		for (int i = 0; i < pg.n && y + 2 + i < end; i++)
			draw_line_at(y + 2 + i, 1, COLS - 2, &pg.v[i]);
		page_free(&pg);
	}
}

/* Open the selected lesson at its first step not yet seen. */
static void
open_selected(struct view *v)
{
	struct list_view *lv = v->data;
	struct app *app = v->tui->app;
	if (app->lessons.n == 0)
		return;
	app->cur = &app->lessons.v[lv->sel];
	app->step = 0;
	int n = app->cur->text[LANG_EN].nsteps;
	while (app->step < n - 1 &&
	    store_step_was_seen(app->store, app->cur->id, app->step + 1) == 1)
		app->step++;
	if (app->step == n - 1 &&
	    store_step_was_seen(app->store, app->cur->id, n) == 1)
		app->step = 0;  /* all seen: start again */
	app_show(app, APP_VIEW_LESSON);
}

static int
list_key(struct view *v, enum key k, wchar_t ch)
{
	struct list_view *lv = v->data;
	struct app *app = v->tui->app;
	int n = app->lessons.n;
	if (k == K_DOWN || k == K_WHEEL_DOWN || (k == K_CHAR && ch == 'j'))
		lv->sel = lv->sel + 1 < n ? lv->sel + 1 : lv->sel;
	else if (k == K_UP || k == K_WHEEL_UP || (k == K_CHAR && ch == 'k'))
		lv->sel = lv->sel > 0 ? lv->sel - 1 : 0;
	else if (k == K_HOME || (k == K_CHAR && ch == 'g'))
		lv->sel = 0;
	else if (k == K_END || (k == K_CHAR && ch == 'G'))
		lv->sel = n > 0 ? n - 1 : 0;
	else if (k == K_ENTER || k == K_RIGHT || (k == K_CHAR && ch == 'l'))
		open_selected(v);
	else if (k == K_CHAR && ch >= '1' && ch <= '9' && ch - '1' < n) {
		lv->sel = ch - '1';
		open_selected(v);
	} else if (k == K_CHAR && ch == 'q')
		app->quit = 1;
	else
		return 0;
	return 1;
}

static void
list_header(struct view *v, char *left, char *right, size_t len)
{
	enum lang lang = v->tui->app->lang;
	snprintf(left, len, " systour · %s", L(lang, "Lessons", "课程"));
	snprintf(right, len, "%s ", L(lang, "English", "中文"));
}

static void
list_status(struct view *v, char *left, char *right, size_t len, int width)
{
	struct app *app = v->tui->app;
	snprintf(left, len, "%s", L(app->lang,
	    "↑/↓ choose  Enter open  L 中文  q quit  ? keys  : command",
	    "↑/↓ 选择  Enter 打开  L English  q 退出  ? 按键  : 命令"));
	snprintf(right, len, "%d%s ", app->lessons.n,
	    L(app->lang, " lessons", " 课"));
}

const struct view_ops view_list_ops = {
	.name = "list",
	.passes_global_keys = 1,
	.init = list_init,
	.free = list_free,
	.draw = list_draw,
	.key = list_key,
	.header = list_header,
	.status = list_status,
};
