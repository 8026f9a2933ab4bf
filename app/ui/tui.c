/* tui.c — the full-screen tutor: a stack of views (view.h) drawn between a
 * header and a status line, and the front end's answers to the commands
 * (ui_ops). It runs on the app's event loop: input is read from the
 * terminal when it is readable and decoded into keys for the top view (or
 * fed to readline while the command line is open), a lone ESC waits on a
 * loop timer for the rest of its sequence, signals arrive as loop
 * callbacks; after each round drawing erases and redraws, and curses sends
 * only the cells that changed. */
#include "tui.h"
#include "demo_view.h"
#include "draw.h"
#include "keys.h"
#include "loop.h"
#include "shell.h"
#include "term.h"
#include "tui_int.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- The stack of views ----------------------------------------------- */

struct view *
tui_push(struct tui *t, const struct view_ops *ops, void *arg)
{
	assert(t->nviews < TUI_MAX_VIEWS);
	struct view *v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->tui = t;
	t->stack[t->nviews++] = v;
	ops->init(v, arg);
	return v;
}

void
tui_pop(struct tui *t)
{
	if (t->nviews <= 1)
		return;
	struct view *v = t->stack[--t->nviews];
	v->ops->free(v);
	free(v);
}

struct view *
tui_top(struct tui *t)
{
	return t->stack[t->nviews - 1];
}

struct view *
tui_find(struct tui *t, const struct view_ops *ops)
{
	for (int i = t->nviews - 1; i >= 0; i--)
		if (t->stack[i]->ops == ops)
			return t->stack[i];
	return NULL;
}

int
tui_pop_to(struct tui *t, const struct view_ops *ops)
{
	if (tui_find(t, ops) == NULL) {
		while (t->nviews > 1)
			tui_pop(t);
		return ops == &view_list_ops;
	}
	while (tui_top(t)->ops != ops)
		tui_pop(t);
	return 1;
}

void
tui_set_status(struct tui *t, int error, const char *msg)
{
	free(t->status);
	t->status = msg ? xstrdup(msg) : NULL;
	t->status_error = error;
}

int
tui_body_rows(void)
{
	return LINES - 3;
}

/* ---- What the TUI answers for the commands (ui_ops) ------------------- */

static void
tui_print(struct app *app, const char *text)
{
	view_popup_append(app->ui_data, text);
}

static void
tui_error(struct app *app, const char *msg)
{
	tui_set_status(app->ui_data, 1, msg);
}

static int
tui_ask(struct app *app, const char *question)
{
	return -1;      /* a command cannot stop to ask: it takes --yes */
}

/* The list: everything above it closes, and the lesson that was open is
 * selected. A lesson: over the list (or the lesson view already open).
 * A demo: over what is shown, in place of a demo already running. */
static int
tui_push_view(struct app *app, const struct app_view *what, char **cause)
{
	struct tui *t = app->ui_data;
	switch (what->kind) {
	case APP_VIEW_LIST:
		tui_pop_to(t, &view_list_ops);
		view_list_select_current(t->stack[0]);
		app->cur = NULL;        /* back in the list, no lesson is open */
		return 0;
	case APP_VIEW_LESSON:
		if (!tui_pop_to(t, &view_lesson_ops))
			tui_push(t, &view_lesson_ops, NULL);
		app_mark_seen(app);
		return 0;
	case APP_VIEW_DEMO:
		break;
	case APP_VIEW_EXERCISE:
		return tui_push_exercise(t, what, cause);
	}
	struct demo_view *dv = demo_view_start(t->loop, what->demo, app->lang,
	    what->paused, what->delay_ms, app->store, cause);
	if (dv == NULL)
		return -1;
	if (tui_find(t, &view_demo_ops)) {
		tui_pop_to(t, &view_demo_ops);
		tui_pop(t);
	}
	tui_push(t, &view_demo_ops, dv);
	return 0;
}

/* A command for a view: the topmost that knows it. */
static int
tui_command(struct app *app, const char *what)
{
	struct tui *t = app->ui_data;
	for (int i = t->nviews - 1; i >= 0; i--) {
		struct view *v = t->stack[i];
		int rc = v->ops->command ? v->ops->command(v, what) : 1;
		if (rc != 1)
			return rc;
	}
	app_errorf(app, "%s: no demo is running", what);
	return -1;
}

static const struct ui_ops tui_ui = {
	.name = "tui",
	.print = tui_print,
	.error = tui_error,
	.ask = tui_ask,
	.push = tui_push_view,
	.command = tui_command,
};

/* ---- Drawing ---------------------------------------------------------- */

/* The view that owns the header and the status line: the topmost that is
 * not drawn over another. */
static int
base_view(struct tui *t)
{
	int i = t->nviews - 1;
	while (i > 0 && t->stack[i]->ops->overlay)
		i--;
	return i;
}

static void
draw_header(struct tui *t, struct view *v)
{
	short pair;
	attr_t a = term_ui_attr(UI_BAR, &pair);
	char left[VIEW_TEXT] = "", right[VIEW_TEXT] = "";
	if (v->ops->header)
		v->ops->header(v, left, right, sizeof left);
	int rw = text_width(right);
	draw_fill(0, 0, COLS, a, pair);
	draw_text(0, 0, COLS - rw - 1, left, a | A_BOLD, pair);
	draw_text(0, COLS - rw, rw, right, a, pair);
}

static void
draw_status(struct tui *t, struct view *v)
{
	int y = LINES - 2;
	short pair;
	attr_t a = term_ui_attr(UI_BAR, &pair);
	char left[VIEW_TEXT] = "", right[VIEW_TEXT] = "";
	draw_fill(y, 0, COLS, a, pair);
	if (v->ops->status)
		v->ops->status(v, left, right, sizeof left, COLS - 2);
	int rw = text_width(right);
	draw_text(y, COLS - rw, rw, right, a, pair);
	const char *msg = t->status ? t->status : left;
	short ep;
	attr_t ea = t->status_error ? term_ui_attr(UI_ERROR, &ep) : a;
	if (!t->status_error)
		ep = pair;
	draw_text(y, 1, COLS - rw - 2, msg, ea, ep);
}

static void
draw_too_small(struct tui *t)
{
	char *msg = xasprintf(L(t->app->lang,
	    "systour needs at least %dx%d; this terminal is %dx%d. Enlarge it, or press q to quit.",
	    "systour 至少需要 %dx%d 的终端，当前为 %dx%d。请放大窗口，或按 q 退出。"),
	    TUI_MIN_COLS, TUI_MIN_ROWS, COLS, LINES);
	struct page pg = { 0 };
	struct cells cs = { 0 };
	cells_add(&cs, msg, strlen(msg), S_TEXT);
	page_wrap(&pg, &cs, COLS > 4 ? COLS - 2 : 2, NULL, NULL, LK_TEXT);
	for (int i = 0; i < pg.n && i < LINES; i++)
		draw_line_at(LINES / 2 - pg.n / 2 + i, 1, COLS - 2, &pg.v[i]);
	cells_free(&cs);
	page_free(&pg);
	free(msg);
}

static int drawn_cols, drawn_rows;      /* the size of the last frame */

static void
draw(struct tui *t)
{
	erase();
	curs_set(0);
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		draw_too_small(t);
		refresh();
		return;
	}
	if (COLS != drawn_cols || LINES != drawn_rows) {
		for (int i = 0; i < t->nviews; i++)
			if (t->stack[i]->ops->resize)
				t->stack[i]->ops->resize(t->stack[i], COLS, LINES);
		drawn_cols = COLS;
		drawn_rows = LINES;
	}
	int base = base_view(t);
	struct view *bv = t->stack[base];
	t->cursor_y = t->cursor_x = -1;
	draw_header(t, bv);
	bv->ops->draw(bv, 1, tui_body_rows());
	draw_status(t, bv);
	for (int i = base + 1; i < t->nviews; i++)
		t->stack[i]->ops->draw(t->stack[i], 1, tui_body_rows());
	if (cmdline_active())
		cmdline_draw(LINES - 1, COLS);
	else
		draw_text(LINES - 1, 0, COLS, L(t->app->lang,
		    "Type : for a command (Tab completes), ? for keys.",
		    "按 : 输入命令（Tab 补全），按 ? 查看按键。"), A_DIM, 0);
	if (!cmdline_active() && t->cursor_y >= 0) {
		move(t->cursor_y, t->cursor_x);
		curs_set(1);
	}
	refresh();
}

/* ---- Keys ------------------------------------------------------------- */

static void
run_command(const char *line, void *arg)
{
	struct tui *t = arg;
	if (line == NULL)
		return;
	tui_set_status(t, 0, NULL);
	cmd_exec_line(t->app, line);
}

/* The keys that work in every view that lets them through. 1 if taken. */
static int
global_key(struct tui *t, enum key k, wchar_t ch)
{
	if (k != K_CHAR)
		return 0;
	if (ch == ':')
		cmdline_start();
	else if (ch == '?') {
		char *help = view_help_text(t);
		tui_push(t, &view_popup_ops, help);
		free(help);
	} else if (ch == 'L')
		cmd_exec_line(t->app, t->app->lang == LANG_EN ? "lang zh" : "lang en");
	else
		return 0;
	return 1;
}

/* A key goes to the top view first; the global keys get what it lets
 * through. In a terminal too small to draw in, only they and q work. */
static void
key(struct tui *t, enum key k, wchar_t ch)
{
	if (k == K_NONE)
		return;
	tui_set_status(t, 0, NULL);
	struct view *top = tui_top(t);
	if ((COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) && !top->ops->overlay) {
		if (!global_key(t, k, ch) && k == K_CHAR && ch == 'q')
			t->app->quit = 1;
		return;
	}
	if (top->ops->key(top, k, ch))
		return;
	if (top->ops->passes_global_keys)
		global_key(t, k, ch);
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
		struct view *top = tui_top(t);
		if (top->ops->raw) {
			size_t used = top->ops->raw(top, t->in.b + t->in.pos,
			    t->in.len - t->in.pos);
			t->in.pos += used;
			if (used)
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
		tui_set_status(t, 0, m);
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
		else if (tui_top(t)->ops == &view_popup_ops)
			tui_pop(t);
		else
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
	tui_push(&t, &view_list_ops, NULL);
	if (app->nproblems > 0) {
		char *s = xasprintf(L(app->lang, "%s (%d lesson(s) not loaded: type :problems)",
		    "%s（%d 课未加载：输入 :problems）"), app->problems[0], app->nproblems);
		tui_set_status(&t, 1, s);
		free(s);
	} else if (warning)
		tui_set_status(&t, 1, warning);

	if (first_command) {
		t.demo_only = strncmp(first_command, "demo ", 5) == 0;
		if (cmd_exec_line(app, first_command) != CMD_OK && t.demo_only)
			app->quit = 1;
	}
	/* Draw after each round of the loop, but not more often than once
	 * per TUI_FRAME_MS: a key after a quiet spell draws at once, and a
	 * flood of output costs at most that many frames a second. */
	long long drawn = 0;
	while (!app->quit) {
		long long since = now_ms() - drawn;
		if (since >= TUI_FRAME_MS) {
			draw(&t);
			drawn = now_ms();
			loop_once(t.loop, -1);
		} else
			loop_once(t.loop, (int)(TUI_FRAME_MS - since));
	}

	while (t.nviews > 1)
		tui_pop(&t);    /* nothing of a demo outlives the tutor */
	cmdline_free(app);
	term_end();
	t.stack[0]->ops->free(t.stack[0]);
	free(t.stack[0]);
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
