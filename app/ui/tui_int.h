/* tui_int.h — the TUI's state as its views see it: the app, the stack of
 * views, the status line's message. Only app/ui's tui and view files
 * include this. */
#ifndef SYSTOUR_TUI_INT_H
#define SYSTOUR_TUI_INT_H

#include "app.h"
#include "cmdline.h"
#include "view.h"

#define TUI_MAX_VIEWS 8
#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define TUI_FRAME_MS 16         /* at most one frame per 16 ms: 60 a second */

struct loop;
struct loop_watch;

struct tui {
	struct app *app;
	struct view *stack[TUI_MAX_VIEWS];      /* [0] is the lesson list */
	int nviews;

	char *status;           /* message on the status line, or NULL */
	int status_error;

	int demo_only;          /* started as `systour demo NAME`: closing quits */

	int quit_signal;        /* SIGTERM or SIGHUP that ended the run */
	struct cmdline_input in;        /* bytes from the terminal */
	struct loop *loop;
	struct loop_watch *w_input;     /* the terminal is readable */
	struct loop_watch *w_esc;       /* the rest of an ESC sequence is late */
	int cursor_y, cursor_x;         /* >= 0: a view shows the terminal's
					 * cursor there (the editor's pane) */
};

/* Push a new view of kind ops, set up from arg by ops->init. A full stack
 * is a bug (no path through the views comes near TUI_MAX_VIEWS): asserted. */
struct view *tui_push(struct tui *t, const struct view_ops *ops, void *arg);

/* Free the top view and take it off the stack (never the list at [0]). */
void tui_pop(struct tui *t);

/* The top view; the topmost view of kind ops, or NULL. */
struct view *tui_top(struct tui *t);
struct view *tui_find(struct tui *t, const struct view_ops *ops);

/* Pop views until ops's is on top (1), or until only the list is left (0). */
int tui_pop_to(struct tui *t, const struct view_ops *ops);

/* The status line's message (NULL clears it); error draws it in red. */
void tui_set_status(struct tui *t, int error, const char *msg);

/* Show an exercise (view_exercise.c): over what is shown, in place of
 * another exercise's view. 0, or -1 and *cause. */
int tui_push_exercise(struct tui *t, const struct app_view *what,
    char **cause);

/* Rows between the header and the status line. */
int tui_body_rows(void);

#endif
