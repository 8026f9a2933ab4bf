/* lesson_module.h — what a lesson's compiled module (lessons/NN-name/demos.c,
 * built into demos.so) exports, the ABI version the app checks, and the
 * demo API the app hands to a running demo.
 *
 * A module defines exactly one symbol:
 *
 *	const struct systour_lesson_module systour_lesson_module = {
 *		.abi = SYSTOUR_LESSON_ABI,
 *		.lesson = "04-processes",
 *		.demos = demos,         // NULL-terminated array of pointers
 *	};
 *
 * The app dlopen()s the module at start and refuses it, with its path, when
 * the symbol is missing, the ABI differs or the lesson name is not the
 * folder's. Any change to this header that changes the layout of a struct
 * here bumps SYSTOUR_LESSON_ABI.
 *
 * How a demo runs. The tutor (the supervisor) makes one pipe per pane, then
 * forks the demo's leader in a new process group with stdout and stderr on
 * pane 0, and calls demo->run() there. run() does the real thing — fork(),
 * pipe(), pthread_create() ... — and gives each actor its own pane with
 * api->to_pane(). Every actor calls api->step() at each step of the notes'
 * code: that reports the line it is at (the code pane highlights it) and
 * waits at the step gate, which the supervisor opens at the set delay, or
 * once per `n` when paused. A demo never sleeps to pace itself: the gate
 * paces it. When run() returns, its value is the leader's exit status; the
 * demo is over when every process of its group has exited. */
#ifndef SYSTOUR_LESSON_MODULE_H
#define SYSTOUR_LESSON_MODULE_H

#include <stddef.h>
#include <sys/types.h>

#define SYSTOUR_LESSON_ABI 2u

#define DEMO_MAX_PANES 6

struct demo_ctx;                /* the app's; opaque to demos */

/* What the app offers a running demo. Every function may be called from
 * the leader and from any process it forks (and any thread: step() is
 * safe to call from several threads). */
struct demo_api {
	/* Send this process's stdout and stderr to pane (0-based), and say
	 * what runs there ("worker", "child") for the pane's title, which
	 * also shows the PID (and the TID when called from a thread other
	 * than the main one). Also sets PR_SET_PDEATHSIG, so this process
	 * dies with its parent; call it first thing in every forked child.
	 * Returns 0, or -1 if pane is out of range. */
	int (*to_pane)(struct demo_ctx *ctx, int pane, const char *who);

	/* This actor is at line (1-based) of the demo's code: report it, then
	 * wait at the step gate. Also flushes stdout. */
	void (*step)(struct demo_ctx *ctx, int line);

	/* A scratch directory, made for this run and removed after it. */
	const char *(*scratch)(struct demo_ctx *ctx);

	/* Say something about the demo itself (not an actor's output): it is
	 * shown in the status line of the TUI and as "[demo] ..." in plain
	 * mode. printf-like. */
	void (*note)(struct demo_ctx *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

	/* Report a figure the tests and the bench read ("pipe_capacity",
	 * 65536): shown as "[demo] name = value" in plain mode. */
	void (*figure)(struct demo_ctx *ctx, const char *name, long long value);
};

struct systour_demo {
	const char *name;       /* "pool": unique across all lessons */
	const char *title_en;   /* one line */
	const char *title_zh;
	/* The notes' Python that the demo acts out, shown in the code pane;
	 * step() line numbers count its lines from 1. */
	const char *code;
	/* The panes' names, NULL-terminated, 1 to DEMO_MAX_PANES. */
	const char *const *panes;
	/* Run in the leader process (pane 0); returns its exit status. */
	int (*run)(struct demo_ctx *ctx, const struct demo_api *api);
};

struct systour_lesson_module {
	unsigned abi;           /* SYSTOUR_LESSON_ABI when built */
	const char *lesson;     /* the lesson folder's name, "04-processes" */
	const struct systour_demo *const *demos; /* NULL-terminated */
};

#define SYSTOUR_LESSON_SYMBOL "systour_lesson_module"

#endif
