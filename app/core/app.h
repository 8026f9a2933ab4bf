/* app.h — the state one run of systour shares between its commands and its
 * front ends (the TUI, the plain shell, and one-shot commands). */
#ifndef SYSTOUR_APP_H
#define SYSTOUR_APP_H

#include "lang.h"
#include "lesson.h"
#include "store.h"

struct app;
struct systour_demo;

/* What a front end does for the commands: each front end is one table. */
struct ui_ops {
	const char *name;
	/* Text the user asked for (one or more lines, ending in a newline). */
	void (*print)(struct app *app, const char *text);
	/* One line: what went wrong. */
	void (*error)(struct app *app, const char *msg);
	/* Show the lesson list. */
	void (*list)(struct app *app);
	/* Show app->cur at app->step (one-shot: the whole lesson). */
	void (*open)(struct app *app);
	/* Ask a yes/no question: 1 yes, 0 no, -1 when there is no one to ask. */
	int (*confirm)(struct app *app, const char *question);
	/* Run a live demo in this front end (NULL: plain text). Returns 0
	 * when it ran to a good end, 1 when it did not, -1 (and *cause) when
	 * it could not start. */
	int (*demo)(struct app *app, const struct systour_demo *d, int step,
	    int delay_ms, char **cause);
	/* Control the running demo: "pause", "resume", "step", "faster",
	 * "slower", "restart", "stop", "kill" (as the key k) or "kill N"
	 * (pane N's actor, from 1). 0, or -1 after saying why. NULL: no
	 * demo runs alongside commands in this front end. */
	int (*demo_control)(struct app *app, const char *what);
};

struct app {
	struct lesson_set lessons;
	char **problems;        /* lessons that did not load: "PATH:LINE: what" */
	int nproblems;

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

/* The lesson text in the app's language. */
const struct lesson_text *app_text(const struct app *app, const struct lesson *ls);

/* Steps of ls seen, and the percentage (0-100). */
int app_seen(struct app *app, const struct lesson *ls);
int app_percent(struct app *app, const struct lesson *ls);

/* Record that app->cur's app->step is being shown. */
void app_mark_seen(struct app *app);

/* The lesson list as text lines no wider than width (at least 60) columns:
 * number, name, title, a progress bar, percentage and steps seen. */
char *app_list_text(struct app *app, int width);

#endif
