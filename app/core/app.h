/* app.h — the state one run of systour shares between its commands and its
 * front ends (the TUI, the plain shell, and one-shot commands). */
#ifndef SYSTOUR_APP_H
#define SYSTOUR_APP_H

#include "lang.h"
#include "lesson.h"
#include "store.h"

struct app;
struct systour_demo;
struct exercise;
struct exercise_set;

/* What a command asks a front end to show: a view pushed on its stack (in
 * the TUI), or printed (in the plain shell and one-shot commands). */
enum app_view_kind {
	APP_VIEW_LIST,          /* the lesson list */
	APP_VIEW_LESSON,        /* app->cur at app->step (one-shot: all of it) */
	APP_VIEW_DEMO,          /* a live demo: demo, paused, delay_ms */
	APP_VIEW_EXERCISE,      /* an exercise: the editor beside the checker */
};

struct app_view {
	enum app_view_kind kind;
	const struct systour_demo *demo;
	int paused;             /* a demo starts paused (waits for n) */
	int delay_ms;           /* a demo's pause between steps; -1 default */
	const struct exercise *exercise; /* APP_VIEW_EXERCISE: it, and */
	const char *workspace;  /* the learner's folder of it */
};

/* What a front end must answer for the commands: each front end is one
 * table. Everything else a front end shows is its own business. */
struct ui_ops {
	const char *name;
	/* Text the user asked for (one or more lines, ending in a newline). */
	void (*print)(struct app *app, const char *text);
	/* One line: what went wrong. */
	void (*error)(struct app *app, const char *msg);
	/* Ask a yes/no question: 1 yes, 0 no, -1 when there is no one to ask. */
	int (*ask)(struct app *app, const char *question);
	/* Show what a command asked for. 0 when it was shown (for a demo run
	 * to its end in place, as the plain shell does: 0 a good end, 1 not);
	 * -1 and *cause when it could not be. NULL for a kind the front end
	 * does not push (a demo then runs as plain text). */
	int (*push)(struct app *app, const struct app_view *what, char **cause);
	/* A command addressed to the view on top ("demo pause", "demo kill
	 * 2"): 0, or -1 after saying why. NULL: no view runs alongside
	 * commands in this front end. */
	int (*command)(struct app *app, const char *what);
};

struct app {
	struct lesson_set lessons;
	char **problems;        /* lessons that did not load: "PATH:LINE: what" */
	int nproblems;
	size_t problems_cap;    /* problems allocated */

	struct store *store;
	char *db_path;
	char *history_path;
	enum lang lang;

	const struct ui_ops *ui;
	void *ui_data;
	struct loop *loop;      /* the event loop, made on first use */

	struct lesson *cur;     /* the open lesson, or NULL */
	int step;               /* its step, 0-based */
	int quit;               /* set by the quit command */
	struct exercise_set *exercises; /* loaded on first use
	                                 * (commands_exercise.c) */
	char *ex_cur;           /* the exercise last opened or checked */
};

/* The app's one event loop (loop.h), made on first use: every front end
 * and server of this run registers with it. Aborts if the kernel gives no
 * epoll (nothing of systour's interactive side works without it). */
struct loop *app_loop(struct app *app);

/* Output through the front end, formatted. */
void app_printf(struct app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void app_errorf(struct app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Ask the front end to show the lesson list or the open lesson (kind
 * APP_VIEW_LIST or APP_VIEW_LESSON): those cannot fail. */
void app_show(struct app *app, enum app_view_kind kind);

/* The lesson text in the app's language. */
const struct lesson_text *app_text(const struct app *app, const struct lesson *ls);

/* Steps of ls seen, and the percentage (0-100). */
int app_seen(struct app *app, const struct lesson *ls);
int app_percent(struct app *app, const struct lesson *ls);

/* Exercises of lesson ls passed (from the store), and *total of them
 * (0 when the lesson has none, or the exercises are not loaded). */
int app_exercises_done(struct app *app, const struct lesson *ls, int *total);

/* Record that app->cur's app->step is being shown. */
void app_mark_seen(struct app *app);

/* The lesson list as text lines no wider than width (at least 60) columns:
 * number, name, title, a progress bar, percentage and steps seen. */
char *app_list_text(struct app *app, int width);

#endif
