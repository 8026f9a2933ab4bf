/* tui.c — the full-screen tutor. It runs on the app's event loop: input is
 * read from the terminal when it is readable and decoded into keys (or fed
 * to readline while the command line is open), a lone ESC waits on a loop
 * timer for the rest of its sequence, signals arrive as loop callbacks;
 * after each round drawing erases and redraws the model, and curses sends
 * only the cells that changed. */
#include "tui.h"
#include "cmdline.h"
#include "demo_view.h"
#include "draw.h"
#include "keys.h"
#include "loop.h"
#include "render.h"
#include "shell.h"
#include "term.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_COLS 80
#define MIN_ROWS 24

enum view { VIEW_LIST, VIEW_LESSON, VIEW_DEMO };


struct tui {
	struct app *app;
	enum view view;
	int sel;                /* selected lesson in the list */
	int top;                /* first line of the lesson page shown */

	struct page page;       /* the open step, laid out */
	const struct lesson *page_lesson;
	int page_step, page_lang, page_width;

	char *popup;            /* text of the popup, NULL when closed */
	int popup_top;

	char *status;           /* message on the status line */
	int status_error;

	struct demo_view *demo; /* the live demo shown, or NULL */
	enum view before_demo;  /* where closing the demo goes back to */
	int demo_only;          /* started as `systour demo NAME`: closing quits */

	int quit_signal;        /* SIGTERM or SIGHUP that ended the run */
	struct cmdline_input in;      /* bytes from the terminal */
	struct loop *loop;
	struct loop_watch *w_input;   /* the terminal is readable */
	struct loop_watch *w_esc;     /* the rest of an ESC sequence is late */
};

/* ---- Messages and front-end operations -------------------------------- */

static void
set_status(struct tui *t, int error, const char *msg)
{
	free(t->status);
	t->status = msg ? xstrdup(msg) : NULL;
	t->status_error = error;
}

static void
tui_print(struct app *app, const char *text)
{
	struct tui *t = app->ui_data;
	char *s = xasprintf("%s%s", t->popup ? t->popup : "", text);
	free(t->popup);
	t->popup = s;
	t->popup_top = 0;
}

static void
tui_error(struct app *app, const char *msg)
{
	set_status(app->ui_data, 1, msg);
}

static void
tui_list(struct app *app)
{
	struct tui *t = app->ui_data;
	t->view = VIEW_LIST;
	for (int i = 0; i < app->lessons.n; i++)
		if (&app->lessons.v[i] == app->cur)
			t->sel = i;
	app->cur = NULL;        /* back in the list, no lesson is open */
}

static void
tui_open(struct app *app)
{
	struct tui *t = app->ui_data;
	if (t->view != VIEW_LESSON || t->page_lesson != app->cur ||
	    t->page_step != app->step)
		t->top = 0;
	t->view = VIEW_LESSON;
	app_mark_seen(app);
}

static int
tui_confirm(struct app *app, const char *question)
{
	return -1;      /* a command cannot stop to ask: it takes --yes */
}

static int
tui_demo(struct app *app, const struct systour_demo *d, int step,
    int delay_ms, char **cause)
{
	struct tui *t = app->ui_data;
	struct demo_view *v = demo_view_start(t->loop, d, app->lang, step,
	    delay_ms, app->store, cause);
	if (v == NULL)
		return -1;
	demo_view_free(t->demo);
	if (t->view != VIEW_DEMO)
		t->before_demo = t->view;
	t->demo = v;
	t->view = VIEW_DEMO;
	return 0;
}

static int
tui_demo_control(struct app *app, const char *what)
{
	struct tui *t = app->ui_data;
	if (t->demo == NULL) {
		app_errorf(app, "demo %s: no demo is running", what);
		return -1;
	}
	if (strncmp(what, "kill", 4) == 0) {
		/* "kill" (as the key k) or "kill N" (pane N, from 1) */
		char *why = NULL;
		int pane = what[4] ? atoi(what + 5) - 1 : -1;
		if (demo_view_kill(t->demo, pane, &why) < 0) {
			app_errorf(app, "demo kill: %s", why);
			free(why);
			return -1;
		}
		return 0;
	}
	return demo_view_control(t->demo, what);
}

/* Close the demo view: back to where it was opened from. */
static void
close_demo(struct tui *t)
{
	demo_view_free(t->demo);
	t->demo = NULL;
	t->view = t->before_demo;
	if (t->demo_only)
		t->app->quit = 1;
}

static const struct ui_ops tui_ui = {
	.name = "tui",
	.print = tui_print,
	.error = tui_error,
	.list = tui_list,
	.open = tui_open,
	.confirm = tui_confirm,
	.demo = tui_demo,
	.demo_control = tui_demo_control,
};

/* ---- Drawing ---------------------------------------------------------- */

static int
body_rows(void)
{
	return LINES - 3;
}

static void
layout_page(struct tui *t)
{
	struct app *app = t->app;
	int width = COLS - 2;
	if (t->page_lesson == app->cur && t->page_step == app->step &&
	    t->page_lang == (int)app->lang && t->page_width == width)
		return;
	page_clear(&t->page);
	render_step(&t->page, app_text(app, app->cur), app->step, app->lang, width);
	t->page_lesson = app->cur;
	t->page_step = app->step;
	t->page_lang = app->lang;
	t->page_width = width;
}

static int
max_top(struct tui *t)
{
	int m = t->page.n - body_rows();
	return m > 0 ? m : 0;
}

static void
draw_header(struct tui *t)
{
	struct app *app = t->app;
	short pair;
	attr_t a = term_ui_attr(UI_BAR, &pair);
	char *left, *right;
	if (t->view == VIEW_DEMO) {
		left = xasprintf(" systour · %s", L(app->lang, "live demo", "现场演示"));
		right = xasprintf("%s ", L(app->lang, "English", "中文"));
	} else if (t->view == VIEW_LESSON) {
		const struct lesson_text *lt = app_text(app, app->cur);
		left = xasprintf(" systour · %02d %s", app->cur->number, lt->title);
		right = xasprintf("%s %d/%d · %s ", L(app->lang, "step", "步骤"),
		    app->step + 1, lt->nsteps, L(app->lang, "English", "中文"));
	} else {
		left = xasprintf(" systour · %s", L(app->lang, "Lessons", "课程"));
		right = xasprintf("%s ", L(app->lang, "English", "中文"));
	}
	int rw = text_width(right);
	draw_fill(0, 0, COLS, a, pair);
	draw_text(0, 0, COLS - rw - 1, left, a | A_BOLD, pair);
	draw_text(0, COLS - rw, rw, right, a, pair);
	free(left);
	free(right);
}

static void
draw_list(struct tui *t)
{
	struct app *app = t->app;
	int rows = body_rows(), y = 2;
	short pp;
	attr_t pa = term_ui_attr(UI_PROGRESS, &pp);
	for (int i = 0; i < app->lessons.n && y < rows; i++, y++) {
		struct lesson *ls = &app->lessons.v[i];
		int seen = app_seen(app, ls), total = ls->text[LANG_EN].nsteps;
		int pct = total ? seen * 100 / total : 0;
		short pair = 0;
		attr_t a = i == t->sel ? term_ui_attr(UI_SELECTED, &pair) : A_NORMAL;
		if (i == t->sel)
			for (int x = 1; x < COLS - 1; x++)
				mvaddch(y, x, ' ' | a);
		char *head = xasprintf("%02d  %-14s", ls->number, ls->name);
		int x = 2 + draw_text(y, 2, 20, head, a, pair);
		draw_text(y, x, COLS - 30 - x, app_text(app, ls)->title, a, pair);
		free(head);
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
		draw_text(2, 2, COLS - 4, L(app->lang, "No lessons were loaded.",
		    "没有加载任何课程。"), A_BOLD, 0);

	/* the selected lesson's summary below the list */
	if (app->lessons.n > 0 && y + 2 < rows) {
		struct page pg = { 0 };
		const char *sum = app_text(app, &app->lessons.v[t->sel])->summary;
		render_markdown(&pg, sum, COLS - 4, NULL, LK_TEXT, app->lang);
		for (int i = 0; i < pg.n && y + 2 + i < rows + 1; i++)
			draw_line_at(y + 2 + i, 1, COLS - 2, &pg.v[i]);
		page_free(&pg);
	}
}

static void
draw_lesson(struct tui *t)
{
	layout_page(t);
	if (t->top > max_top(t))
		t->top = max_top(t);
	for (int i = 0; i < body_rows() && t->top + i < t->page.n; i++)
		draw_line_at(1 + i, 1, COLS - 2, &t->page.v[t->top + i]);
}

static void
draw_status(struct tui *t, const char *demo_status)
{
	struct app *app = t->app;
	int y = LINES - 2;
	short pair;
	attr_t a = term_ui_attr(UI_BAR, &pair);
	draw_fill(y, 0, COLS, a, pair);
	char *right;
	if (t->view == VIEW_LESSON) {
		int last = t->top + body_rows();
		right = xasprintf("%s %d-%d/%d ", L(app->lang, "lines", "行"),
		    t->page.n ? t->top + 1 : 0, last < t->page.n ? last : t->page.n,
		    t->page.n);
	} else if (t->view == VIEW_DEMO)
		right = xstrdup("");
	else
		right = xasprintf("%d%s ", app->lessons.n, L(app->lang, " lessons", " 课"));
	int rw = text_width(right);
	draw_text(y, COLS - rw, rw, right, a, pair);
	free(right);

	const char *msg = t->status;
	if (msg == NULL && t->view == VIEW_DEMO)
		msg = demo_status;
	if (msg == NULL)
		msg = t->view == VIEW_LESSON ?
		    L(app->lang, "n/→ next  p/← prev  j/k scroll  1-9 step  L 中文  q list  ? keys  : command",
		    "n/→ 下一步  p/← 上一步  j/k 滚动  1-9 跳步  L English  q 列表  ? 按键  : 命令") :
		    L(app->lang, "↑/↓ choose  Enter open  L 中文  q quit  ? keys  : command",
		    "↑/↓ 选择  Enter 打开  L English  q 退出  ? 按键  : 命令");
	short ep;
	attr_t ea = t->status_error ? term_ui_attr(UI_ERROR, &ep) : a;
	if (!t->status_error)
		ep = pair;
	draw_text(y, 1, COLS - rw - 2, msg, ea, ep);
}

static void
draw_popup(struct tui *t)
{
	int w = COLS - 8, h = LINES - 6, x0 = 4, y0 = 2;
	short pair;
	attr_t a = term_ui_attr(UI_POPUP, &pair);
	struct page pg = { 0 };
	struct cells para = { 0 };
	for (const char *p = t->popup; *p;) {
		size_t n = strcspn(p, "\n");
		cells_clear(&para);
		cells_add(&para, p, n, S_TEXT);
		if (para.n == 0)
			page_blank(&pg, NULL, LK_TEXT);
		else
			page_hang(&pg, &para, w - 4);
		p += n + (p[n] == '\n');
	}
	cells_free(&para);
	int maxtop = pg.n > h - 2 ? pg.n - (h - 2) : 0;
	if (t->popup_top > maxtop)
		t->popup_top = maxtop;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			mvaddch(y0 + y, x0 + x, ' ' | a | COLOR_PAIR(pair));
	for (int i = 0; i < h - 2 && t->popup_top + i < pg.n; i++) {
		const struct line *ln = &pg.v[t->popup_top + i];
		for (int k = 0, x = 0; k < ln->n; k++) {
			draw_cell(y0 + 1 + i, x0 + 2 + x, &ln->c[k], a, pair);
			x += ln->c[k].width;
		}
	}
	const char *hint = L(t->app->lang, " q/Esc close  j/k scroll ", " q/Esc 关闭  j/k 滚动 ");
	draw_text(y0 + h - 1, x0 + w - text_width(hint) - 1, w, hint, a | A_BOLD, pair);
	page_free(&pg);
}

static void
draw(struct tui *t)
{
	erase();
	curs_set(0);
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		char *msg = xasprintf(L(t->app->lang,
		    "systour needs at least %dx%d; this terminal is %dx%d. Enlarge it, or press q to quit.",
		    "systour 至少需要 %dx%d 的终端，当前为 %dx%d。请放大窗口，或按 q 退出。"),
		    MIN_COLS, MIN_ROWS, COLS, LINES);
		struct page pg = { 0 };
		struct cells cs = { 0 };
		cells_add(&cs, msg, strlen(msg), S_TEXT);
		page_wrap(&pg, &cs, COLS > 4 ? COLS - 2 : 2, NULL, NULL, LK_TEXT);
		for (int i = 0; i < pg.n && i < LINES; i++)
			draw_line_at(LINES / 2 - pg.n / 2 + i, 1, COLS - 2, &pg.v[i]);
		cells_free(&cs);
		page_free(&pg);
		free(msg);
		refresh();
		return;
	}
	draw_header(t);
	char demo_status[512] = "";
	if (t->view == VIEW_DEMO)
		demo_view_draw(t->demo, 1, body_rows(), demo_status,
		    sizeof demo_status);
	else if (t->view == VIEW_LESSON)
		draw_lesson(t);
	else
		draw_list(t);
	draw_status(t, demo_status);
	if (t->popup)
		draw_popup(t);
	if (cmdline_active())
		cmdline_draw(LINES - 1, COLS);
	else
		draw_text(LINES - 1, 0, COLS, L(t->app->lang,
		    "Type : for a command (Tab completes), ? for keys.",
		    "按 : 输入命令（Tab 补全），按 ? 查看按键。"), A_DIM, 0);
	refresh();
}

/* ---- Keys ------------------------------------------------------------- */

static const char *
keys_help(enum lang lang)
{
	return L(lang,
	    "Keys\n"
	    "\n"
	    "  Lesson list:  ↑/↓ or k/j choose, Enter or → open, 1-9 open lesson N\n"
	    "  Lesson:       n or → next step, p or ← previous step, 1-9 jump to step\n"
	    "                j/k or ↓/↑ scroll a line, Space/PgDn and b/PgUp a page,\n"
	    "                g/Home top, G/End bottom, the mouse wheel scrolls\n"
	    "                q, Esc or Backspace back to the list\n"
	    "  Live demo:    Space pause, n one step, +/- speed, k kill the focused\n"
	    "                pane's actor (SIGKILL), r restart, z zoom, Tab focus,\n"
	    "                ↑/↓ or j scroll, q stop, then close\n"
	    "  Anywhere:     L switch English/中文, : command line, ? these keys,\n"
	    "                q in the list (or the quit command) leaves\n"
	    "  Command line: Emacs keys (C-a, C-e, C-k, M-b ...), ↑/↓ history,\n"
	    "                Tab completes, Enter runs, Esc or C-g cancels\n"
	    "\n"
	    "Commands\n"
	    "\n",
	    "按键\n"
	    "\n"
	    "  课程列表：↑/↓ 或 k/j 选择，Enter 或 → 打开，1-9 打开第 N 课\n"
	    "  课程内：  n 或 → 下一步，p 或 ← 上一步，1-9 跳到第 N 步\n"
	    "            j/k 或 ↓/↑ 滚动一行，空格/PgDn 和 b/PgUp 翻页，\n"
	    "            g/Home 顶部，G/End 底部，鼠标滚轮可滚动\n"
	    "            q、Esc 或退格键返回列表\n"
	    "  现场演示：空格 暂停，n 单步，+/- 快慢，k 杀死当前窗格的角色（SIGKILL），\n"
	    "            r 重来，z 放大，Tab 切换窗格，↑/↓ 或 j 滚动，q 停止后关闭\n"
	    "  任何地方：L 切换 English/中文，: 命令行，? 显示按键，\n"
	    "            在列表中按 q（或 quit 命令）退出\n"
	    "  命令行：  Emacs 编辑键（C-a、C-e、C-k、M-b ……），↑/↓ 历史，\n"
	    "            Tab 补全，Enter 执行，Esc 或 C-g 取消\n"
	    "\n"
	    "命令\n"
	    "\n");
}

static void
show_keys(struct tui *t)
{
	char *cmds = cmd_help_usable(t->app, CMD_SHELL);
	free(t->popup);
	t->popup = xasprintf("%s%s", keys_help(t->app->lang), cmds);
	t->popup_top = 0;
	free(cmds);
}

/* Open the selected lesson at its first step not yet seen. */
static void
open_selected(struct tui *t)
{
	struct app *app = t->app;
	if (app->lessons.n == 0)
		return;
	app->cur = &app->lessons.v[t->sel];
	app->step = 0;
	int n = app->cur->text[LANG_EN].nsteps;
	while (app->step < n - 1 &&
	    store_step_was_seen(app->store, app->cur->id, app->step + 1) == 1)
		app->step++;
	if (app->step == n - 1 &&
	    store_step_was_seen(app->store, app->cur->id, n) == 1)
		app->step = 0;  /* all seen: start again */
	tui_open(app);
}

static void
run_command(const char *line, void *arg)
{
	struct tui *t = arg;
	if (line == NULL)
		return;
	set_status(t, 0, NULL);
	cmd_exec_line(t->app, line);
}

static void
key_popup(struct tui *t, enum key k, wchar_t ch)
{
	if (k == K_ESC || k == K_ENTER || (k == K_CHAR && (ch == 'q' || ch == '?'))) {
		free(t->popup);
		t->popup = NULL;
	} else if (k == K_DOWN || k == K_WHEEL_DOWN || (k == K_CHAR && ch == 'j'))
		t->popup_top++;
	else if ((k == K_UP || k == K_WHEEL_UP || (k == K_CHAR && ch == 'k')) &&
	    t->popup_top > 0)
		t->popup_top--;
	else if (k == K_PGDN || (k == K_CHAR && ch == ' '))
		t->popup_top += LINES - 8;
	else if (k == K_PGUP || (k == K_CHAR && ch == 'b'))
		t->popup_top = t->popup_top > LINES - 8 ? t->popup_top - (LINES - 8) : 0;
}

static void
key_list(struct tui *t, enum key k, wchar_t ch)
{
	struct app *app = t->app;
	int n = app->lessons.n;
	if (k == K_DOWN || k == K_WHEEL_DOWN || (k == K_CHAR && ch == 'j'))
		t->sel = t->sel + 1 < n ? t->sel + 1 : t->sel;
	else if (k == K_UP || k == K_WHEEL_UP || (k == K_CHAR && ch == 'k'))
		t->sel = t->sel > 0 ? t->sel - 1 : 0;
	else if (k == K_HOME || (k == K_CHAR && ch == 'g'))
		t->sel = 0;
	else if (k == K_END || (k == K_CHAR && ch == 'G'))
		t->sel = n > 0 ? n - 1 : 0;
	else if (k == K_ENTER || k == K_RIGHT || (k == K_CHAR && ch == 'l'))
		open_selected(t);
	else if (k == K_CHAR && ch >= '1' && ch <= '9' && ch - '1' < n) {
		t->sel = ch - '1';
		open_selected(t);
	} else if (k == K_CHAR && ch == 'q')
		app->quit = 1;
}

/* Run the first demo of the open step that can run. */
static void
run_step_demo(struct tui *t)
{
	struct app *app = t->app;
	const struct step *st = &app_text(app, app->cur)->steps[app->step];
	for (int i = 0; i < st->nparts; i++)
		if (st->parts[i].kind == PART_DEMO && st->parts[i].available) {
			char *cmd = xasprintf("demo %s", st->parts[i].text);
			cmd_exec_line(app, cmd);
			free(cmd);
			return;
		}
	set_status(t, 1, L(app->lang, "This step has no live demo that can run.",
	    "这一步没有可以运行的现场演示。"));
}

static void
key_lesson(struct tui *t, enum key k, wchar_t ch)
{
	struct app *app = t->app;
	int page = body_rows() - 1;
	if (k == K_RIGHT || (k == K_CHAR && ch == 'n'))
		cmd_exec_line(app, "next");
	else if (k == K_LEFT || (k == K_CHAR && ch == 'p'))
		cmd_exec_line(app, "prev");
	else if (k == K_DOWN || (k == K_CHAR && ch == 'j'))
		t->top++;
	else if (k == K_WHEEL_DOWN)
		t->top += 3;
	else if ((k == K_UP || (k == K_CHAR && ch == 'k')) && t->top > 0)
		t->top--;
	else if (k == K_WHEEL_UP)
		t->top = t->top > 3 ? t->top - 3 : 0;
	else if (k == K_PGDN || (k == K_CHAR && ch == ' '))
		t->top += page;
	else if (k == K_PGUP || (k == K_CHAR && ch == 'b'))
		t->top = t->top > page ? t->top - page : 0;
	else if (k == K_HOME || (k == K_CHAR && ch == 'g'))
		t->top = 0;
	else if (k == K_END || (k == K_CHAR && ch == 'G'))
		t->top = max_top(t);
	else if (k == K_CHAR && ch >= '1' && ch <= '9') {
		char cmd[16];
		snprintf(cmd, sizeof cmd, "step %lc", (wint_t)ch);
		cmd_exec_line(app, cmd);
	} else if (k == K_CHAR && ch == 'd')
		run_step_demo(t);
	else if (k == K_ESC || k == K_BACKSPACE || (k == K_CHAR && ch == 'q'))
		tui_list(app);
	if (t->top > max_top(t))
		t->top = max_top(t);
}

static void
key_demo(struct tui *t, enum key k, wchar_t ch)
{
	static const struct {
		enum key k;
		wchar_t ch;
		enum demo_key dk;
	} map[] = {
		{ K_CHAR, ' ', DK_PAUSE }, { K_CHAR, 'n', DK_STEP },
		{ K_CHAR, '+', DK_FASTER }, { K_CHAR, '=', DK_FASTER },
		{ K_CHAR, '-', DK_SLOWER }, { K_CHAR, 'r', DK_RESTART },
		{ K_CHAR, 'q', DK_STOP }, { K_ESC, 0, DK_STOP },
		{ K_CHAR, 'z', DK_ZOOM }, { K_TAB, 0, DK_FOCUS },
		{ K_CHAR, 'k', DK_KILL }, { K_UP, 0, DK_UP }, { K_WHEEL_UP, 0, DK_UP },
		{ K_CHAR, 'j', DK_DOWN }, { K_DOWN, 0, DK_DOWN },
		{ K_WHEEL_DOWN, 0, DK_DOWN }, { K_PGUP, 0, DK_PGUP },
		{ K_PGDN, 0, DK_PGDN }, { K_CHAR, 'g', DK_TOP }, { K_HOME, 0, DK_TOP },
		{ K_CHAR, 'G', DK_BOTTOM }, { K_END, 0, DK_BOTTOM },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].k == k && (k != K_CHAR || map[i].ch == ch)) {
			if (demo_view_key(t->demo, map[i].dk))
				close_demo(t);
			return;
		}
}

static void
key(struct tui *t, enum key k, wchar_t ch)
{
	if (k == K_NONE)
		return;
	set_status(t, 0, NULL);
	if (t->popup) {
		key_popup(t, k, ch);
		return;
	}
	if (k == K_CHAR && ch == ':') {
		cmdline_start();
		return;
	}
	if (k == K_CHAR && ch == '?') {
		show_keys(t);
		return;
	}
	if (k == K_CHAR && ch == 'L') {
		cmd_exec_line(t->app, t->app->lang == LANG_EN ? "lang zh" : "lang en");
		return;
	}
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		if (k == K_CHAR && ch == 'q')
			t->app->quit = 1;
		return;
	}
	if (t->view == VIEW_DEMO)
		key_demo(t, k, ch);
	else if (t->view == VIEW_LIST)
		key_list(t, k, ch);
	else
		key_lesson(t, k, ch);
}

/* Handle everything in the input buffer. A sequence cut at its end waits
 * ESC_WAIT_MS for the rest (on_esc_late), then goes as it is. */
static void
handle_input(struct tui *t)
{
	while (t->in.pos < t->in.len && !t->app->quit) {
		enum key k;
		if (cmdline_active()) {
			const unsigned char *b = t->in.b + t->in.pos;
			if (keys_mouse(&t->in, &k))
				continue;
			if (b[0] == 033 && t->in.pos + 1 == t->in.len &&
			    !t->in.waited) {
				loop_timer_set(t->w_esc, ESC_WAIT_MS);
				return;
			}
			if (b[0] == 0x07 ||
			    (b[0] == 033 && t->in.pos + 1 == t->in.len)) {
				t->in.pos++;
				cmdline_cancel();
				continue;
			}
			cmdline_read();
			continue;
		}
		wchar_t ch;
		k = keys_decode(&t->in, &ch);
		if (k == K_MORE) {
			loop_timer_set(t->w_esc, ESC_WAIT_MS);
			return;
		}
		key(t, k, ch);
	}
}

static void
on_input(struct loop *l, int fd, unsigned events, void *arg)
{
	struct tui *t = arg;
	int n = keys_fill(&t->in);
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
		t->app->quit = 1;       /* the terminal went away */
		return;
	}
	t->in.waited = 0;
	loop_timer_set(t->w_esc, -1);
	handle_input(t);
	char *m = cmdline_take_matches();
	if (m) {
		set_status(t, 0, m);
		free(m);
	}
}

static void
on_esc_late(struct loop *l, void *arg)
{
	struct tui *t = arg;
	t->in.waited = 1;
	handle_input(t);
	t->in.waited = 0;
}

static void
on_signal(struct loop *l, int sig, void *arg)
{
	struct tui *t = arg;
	switch (sig) {
	case SIGWINCH:
		term_resize();
		break;
	case SIGTSTP:
		term_suspend();
		break;
	case SIGINT:
		/* as Ctrl-C in a shell: cancel what is open, else leave */
		if (cmdline_active())
			cmdline_cancel();
		else if (t->popup) {
			free(t->popup);
			t->popup = NULL;
		} else
			t->app->quit = 1;
		break;
	default:
		t->quit_signal = sig;
		t->app->quit = 1;
		break;
	}
}

int
tui_run(struct app *app, const char *warning, const char *first_command)
{
	struct tui t;
	memset(&t, 0, sizeof t);
	t.app = app;
	t.page_step = -1;
	t.loop = app_loop(app);
	app->ui = &tui_ui;
	app->ui_data = &t;

	/* Signals first: before initscr, so ncurses leaves SIGWINCH to us. */
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP };
	struct loop_watch *w_sig[5];
	for (int i = 0; i < 5; i++)
		w_sig[i] = loop_signal(t.loop, sigs[i], on_signal, &t);
	t.w_esc = loop_timer(t.loop, -1, on_esc_late, &t);
	t.w_input = loop_fd(t.loop, STDIN_FILENO, LOOP_READ, on_input, &t);
	int rc = EXIT_OK;
	if (t.w_input == NULL || term_init() != 0) {
		warnx_("cannot start the terminal interface (TERM=%s); try --plain",
		    getenv("TERM") ? getenv("TERM") : "");
		rc = EXIT_WORK;
		goto out;
	}
	cmdline_init(app, &t.in, run_command, &t);
	if (app->nproblems > 0) {
		char *s = xasprintf(L(app->lang, "%s (%d lesson(s) not loaded: type :problems)",
		    "%s（%d 课未加载：输入 :problems）"), app->problems[0], app->nproblems);
		set_status(&t, 1, s);
		free(s);
	} else if (warning)
		set_status(&t, 1, warning);

	if (first_command) {
		t.demo_only = strncmp(first_command, "demo ", 5) == 0;
		if (cmd_exec_line(app, first_command) != CMD_OK && t.demo_only)
			app->quit = 1;
	}
	while (!app->quit) {
		draw(&t);
		loop_once(t.loop, -1);
	}

	demo_view_free(t.demo);        /* nothing of a demo outlives the tutor */
	cmdline_free(app);
	term_end();
	page_free(&t.page);
	free(t.popup);
	free(t.status);
out:
	loop_cancel(t.w_input);
	loop_cancel(t.w_esc);
	for (int i = 0; i < 5; i++)
		loop_cancel(w_sig[i]);
	app->ui_data = NULL;    /* t is gone with this frame */
	if (t.quit_signal) {
		/* die of the signal that asked us to, now that the terminal is back */
		lessons_free(&app->lessons);
		store_close(app->store);
		app->store = NULL;
		raise(t.quit_signal);
	}
	return rc;
}
