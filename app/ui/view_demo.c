/* view_demo.c — a live demo as a view of the TUI: the keys that drive it,
 * its header and status line, and the demo commands addressed to it. The
 * demo itself (its run, panes and layout) is demo_view.c's; this view owns
 * one and frees it when it is popped. */
#include "demo_view.h"
#include "tui_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
demo_init(struct view *v, void *arg)
{
	v->data = arg;
}

static void
demo_free_view(struct view *v)
{
	demo_view_free(v->data);
}

static void
demo_draw(struct view *v, int top, int rows)
{
	demo_view_draw(v->data, top, rows, NULL, 0);
}

/* Keys: none of them both scrolls somewhere and kills here (x kills; k
 * scrolls up, as everywhere). */
static const struct {
	enum key k;
	wchar_t ch;
	enum demo_key dk;
} demo_keys[] = {
	{ K_CHAR, ' ', DK_PAUSE }, { K_CHAR, 'n', DK_STEP },
	{ K_CHAR, '+', DK_FASTER }, { K_CHAR, '=', DK_FASTER },
	{ K_CHAR, '-', DK_SLOWER }, { K_CHAR, 'r', DK_RESTART },
	{ K_CHAR, 'q', DK_STOP }, { K_ESC, 0, DK_STOP },
	{ K_CHAR, 'z', DK_ZOOM }, { K_TAB, 0, DK_FOCUS },
	{ K_CHAR, 'x', DK_KILL }, { K_CHAR, 'f', DK_PLUMBING },
	{ K_UP, 0, DK_UP }, { K_CHAR, 'k', DK_UP }, { K_WHEEL_UP, 0, DK_UP },
	{ K_CHAR, 'j', DK_DOWN }, { K_DOWN, 0, DK_DOWN },
	{ K_WHEEL_DOWN, 0, DK_DOWN }, { K_PGUP, 0, DK_PGUP },
	{ K_PGDN, 0, DK_PGDN }, { K_CHAR, 'g', DK_TOP }, { K_HOME, 0, DK_TOP },
	{ K_CHAR, 'G', DK_BOTTOM }, { K_END, 0, DK_BOTTOM },
};

static int
demo_key(struct view *v, enum key k, wchar_t ch)
{
	for (size_t i = 0; i < sizeof demo_keys / sizeof demo_keys[0]; i++)
		if (demo_keys[i].k == k && (k != K_CHAR || demo_keys[i].ch == ch)) {
			if (demo_view_key(v->data, demo_keys[i].dk)) {
				struct tui *t = v->tui;
				tui_pop(t);     /* closed: back to what was below */
				if (t->demo_only)
					t->app->quit = 1;
			}
			return 1;
		}
	return 0;
}

static void
demo_header(struct view *v, char *left, char *right, size_t len)
{
	enum lang lang = v->tui->app->lang;
	snprintf(left, len, " systour · %s", L(lang, "live demo", "现场演示"));
	snprintf(right, len, "%s ", L(lang, "English", "中文"));
}

static void
demo_status(struct view *v, char *left, char *right, size_t len, int width)
{
	demo_view_status(v->data, left, len, width);
	right[0] = '\0';
}

/* "demo pause", "demo kill", "demo kill N" (pane N, from 1) ... */
static int
demo_command(struct view *v, const char *what)
{
	struct app *app = v->tui->app;
	if (strncmp(what, "demo ", 5) != 0)
		return 1;
	what += 5;
	if (strncmp(what, "kill", 4) == 0) {
		char *why = NULL;
		int pane = what[4] ? atoi(what + 5) - 1 : -1;
		if (demo_view_kill(v->data, pane, &why) < 0) {
			app_errorf(app, L(app->lang, "demo kill: %s",
			    "demo kill：%s"), why);
			free(why);
			return -1;
		}
		return 0;
	}
	if (demo_view_control(v->data, what) < 0) {
		app_errorf(app, L(app->lang, "demo %s: unknown",
		    "demo %s：未知的控制命令"), what);
		return -1;
	}
	return 0;
}

const struct view_ops view_demo_ops = {
	.name = "demo",
	.passes_global_keys = 1,
	.init = demo_init,
	.free = demo_free_view,
	.draw = demo_draw,
	.key = demo_key,
	.header = demo_header,
	.status = demo_status,
	.command = demo_command,
};
