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
 * How a demo runs. The tutor (the supervisor) makes one pipe per pane and
 * forks the demo's leader in a process group of its own (proc_group.h),
 * with stdout and stderr on pane 0, and calls demo->run() there with the
 * leader's own actor. run() does the real thing — fork(), pipe(),
 * pthread_create() ... — and every process, thread or coroutine that acts
 * in a pane asks for an actor of its own.
 *
 * An actor is a handle (ABI 3 and on): api->actor() from any process or thread
 * returns one, with its own descriptor on its pane's pipe (not the
 * process's stdout), its own title (its PID, and its TID when it is not
 * the process's main thread, reported to the supervisor) and its own step
 * gate, so two threads of one process in two panes step independently.
 * api->to_pane() is the same for a process: it also puts the process's
 * stdout and stderr on the pane, so printf() and exec'd programs land
 * there (and the process dies with its parent). Every actor calls
 * api->step() at each step of the notes' code: that reports the line it is
 * at (the code pane highlights it) and waits at its gate, which the
 * supervisor opens at the set delay, or once per `n` when paused. A demo
 * never sleeps to pace itself: the gate paces it. When run() returns, its
 * value is the leader's exit status; the demo is over when every process
 * of its group has exited. */
#ifndef SYSTOUR_LESSON_MODULE_H
#define SYSTOUR_LESSON_MODULE_H

#include <stddef.h>
#include <sys/types.h>

#define SYSTOUR_LESSON_ABI 4u

#define DEMO_MAX_PANES 6

struct demo_ctx;                /* the run, as the demo sees it: opaque */
struct demo_actor;              /* one actor: opaque */

/* What the app offers a running demo. Every function may be called from
 * the leader, from any process it forks and from any thread; a handle is
 * used by the thread (or coroutine) it was made for. A process forked
 * with an actor in hand asks for its own: the parent's is the parent's. */
struct demo_api {
	/* A new actor in pane (0-based), titled who ("worker", "thread 2"),
	 * for the calling thread: its own descriptor on the pane's pipe and
	 * its own gate. NULL if pane is out of range or the descriptors
	 * cannot be made. The caller owns it: release() it when done (a
	 * thread before it ends; a process may simply exit). */
	struct demo_actor *(*actor)(struct demo_ctx *ctx, int pane,
	    const char *who);

	/* actor(), for a process: also sends this process's stdout and
	 * stderr to the pane and sets PR_SET_PDEATHSIG, so the process dies
	 * with its parent. Call it first thing in every forked child. */
	struct demo_actor *(*to_pane)(struct demo_ctx *ctx, int pane,
	    const char *who);

	/* This actor is at line (1-based) of the demo's code: report it, then
	 * wait at its gate. First flushes what it printed (and stdio, for an
	 * actor made with to_pane()). */
	void (*step)(struct demo_actor *a, int line);

	/* printf to the actor's pane. Whole lines are written at once, so the
	 * lines of actors sharing a pane never mix; a line without its newline
	 * waits for the rest (or the next step). */
	void (*print)(struct demo_actor *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

	/* Say something about the demo itself (not an actor's output): it is
	 * shown in the status line of the TUI and as "[demo] ..." in plain
	 * mode, after what this actor printed before. printf-like. */
	void (*note)(struct demo_actor *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

	/* Report a figure the tests and the bench read ("pipe_capacity",
	 * 65536): shown as "[demo] name = value" in plain mode. */
	void (*figure)(struct demo_actor *a, const char *name, long long value);

	/* A scratch directory, made for this run and removed after it. */
	const char *(*scratch)(struct demo_ctx *ctx);

	/* Flush what a is still holding, give its gate back and free it.
	 * Safe with NULL. */
	void (*release)(struct demo_actor *a);

	/* 1 when the learner reads Chinese, 0 for English (ABI 4): every
	 * line a demo prints for the learner comes in both, as
	 * DEMO_TR(api, ctx, "I am the parent", "我是父进程"). */
	int (*zh)(struct demo_ctx *ctx);
};

/* The learner's language's string of the two. */
#define DEMO_TR(api, ctx, en, zh_) ((api)->zh(ctx) ? (zh_) : (en))

struct systour_demo {
	const char *name;       /* "pool": unique across all lessons */
	const char *title_en;   /* one line */
	const char *title_zh;
	/* The notes' Python that the demo acts out, shown in the code pane;
	 * step() line numbers count its lines from 1. */
	const char *code;
	/* The panes' names, NULL-terminated, 1 to DEMO_MAX_PANES; plain
	 * mode prefixes lines with them ("[parent] ..."). */
	const char *const *panes;
	/* The same names in Chinese, for the TUI's pane titles (ABI 4);
	 * NULL: panes is shown in both languages. */
	const char *const *panes_zh;
	/* Run in the leader process, whose actor self (made with to_pane(),
	 * pane 0, titled with panes[0]) the app made; returns its exit
	 * status. */
	int (*run)(struct demo_ctx *ctx, const struct demo_api *api,
	    struct demo_actor *self);
};

struct systour_lesson_module {
	unsigned abi;           /* SYSTOUR_LESSON_ABI when built */
	const char *lesson;     /* the lesson folder's name, "04-processes" */
	const struct systour_demo *const *demos; /* NULL-terminated */
};

#define SYSTOUR_LESSON_SYMBOL "systour_lesson_module"

#endif
