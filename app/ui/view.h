/* view.h — what the TUI shows is a stack of views, as tmux stacks window
 * modes: the lesson list at the bottom, a lesson above it, a live demo,
 * a popup of text or help on top. Each kind is one const ops table (later a
 * quiz, an exercise with its editor, a class roster, a presenter view).
 *
 * A key goes to the top view first. Only when it does not take the key, and
 * its ops let them through, do the global keys apply (: command line,
 * ? help, L language): a view that wants raw keys (an editor) takes them
 * all, or sets passes_global_keys to 0. */
#ifndef SYSTOUR_VIEW_H
#define SYSTOUR_VIEW_H

#include "keys.h"

#include <stddef.h>

struct tui;
struct view;

/* Room for a header's or a status line's texts. */
#define VIEW_TEXT 512

struct view_ops {
	const char *name;
	/* Global keys reach the TUI when this view does not take a key. */
	int passes_global_keys;
	/* Drawn over the view below it (a popup), which is drawn first and
	 * keeps the header and status line. */
	int overlay;

	/* Set v->data up from arg (what view_push was given). */
	void (*init)(struct view *v, void *arg);
	/* Free v->data and all the view holds. */
	void (*free)(struct view *v);
	/* Draw rows top .. top+rows-1 of the screen, all COLS columns. */
	void (*draw)(struct view *v, int top, int rows);
	/* A key: 1 when the view took it, 0 to let it through. A view may pop
	 * itself here (tui_pop): it must not touch v afterwards. */
	int (*key)(struct view *v, enum key k, wchar_t ch);
	/* The terminal is now cols x rows (NULL: nothing to do). */
	void (*resize)(struct view *v, int cols, int rows);
	/* The header's left and right texts. */
	void (*header)(struct view *v, char *left, char *right, size_t len);
	/* The status line's left text (the hints, or what happened) in width
	 * columns, and its right text (a position); "" for none. */
	void (*status)(struct view *v, char *left, char *right, size_t len,
	    int width);
	/* A command addressed to this view ("demo pause"): 0, 1 when it is not
	 * this view's, -1 after reporting why through the app (NULL: none). */
	int (*command)(struct view *v, const char *what);
	/* Raw terminal bytes before they are decoded into keys, for a view
	 * that passes them on as they came (the editor's pane): how many it
	 * took; the rest are decoded as keys (NULL: none taken). */
	size_t (*raw)(struct view *v, const unsigned char *b, size_t n);
};

struct view {
	const struct view_ops *ops;
	struct tui *tui;
	void *data;
};

/* The kinds of view (view_*.c). */
extern const struct view_ops view_list_ops;     /* arg: none */
extern const struct view_ops view_lesson_ops;   /* arg: none (app->cur) */
extern const struct view_ops view_popup_ops;    /* arg: the text (copied) */
extern const struct view_ops view_demo_ops;     /* arg: struct demo_view *,
						   which the view then owns */
extern const struct view_ops view_exercise_ops; /* arg: struct app_view *
						   (exercise, workspace) */

/* Select the open lesson (app->cur) in the list view v. */
void view_list_select_current(struct view *v);

/* Append text to the popup on top, or push a new popup with it. */
void view_popup_append(struct tui *t, const char *text);

/* The keys and commands, for the ? popup. Allocated. */
char *view_help_text(struct tui *t);

#endif
