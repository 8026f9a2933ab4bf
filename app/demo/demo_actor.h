/* demo_actor.h — what every process of a running demo carries: the
 * context the supervisor made (pane pipes, the report pipe, the step gate)
 * and the API table handed to demos. Shared by demo.c (which builds the
 * context before forking the leader) and demo_actor.c (which runs inside
 * the demo's processes). */
#ifndef SYSTOUR_DEMO_ACTOR_H
#define SYSTOUR_DEMO_ACTOR_H

#include "lesson_module.h"

#include <limits.h>
#include <sys/types.h>

struct demo_ctx {
	int npanes;
	int pane_fd[DEMO_MAX_PANES];    /* write ends of the panes' pipes */
	int report_fd;                  /* write end of the report pipe */
	int gate_fd[DEMO_MAX_PANES];    /* read ends of the panes' step gates */
	int pane;                       /* this process's pane */
	pid_t supervisor;               /* the tutor */
	pid_t leader;                   /* the demo's leader (its group) */
	char scratch[PATH_MAX];
};

/* The table of functions demos call. */
extern const struct demo_api demo_api;

/* Reports on the report pipe are single lines, each written with one
 * write() of at most PIPE_BUF bytes, so they never interleave:
 *	S pane line             an actor reached a line (then waits)
 *	T pane pid tid who      a pane's actor
 *	N pane text             a note about the demo, from pane's actor
 *	F pane name value       a figure, from pane's actor
 * Every report is written after the actor flushed its output, so the
 * supervisor can show it after what that pane printed before it. */
#define DEMO_REPORT_MAX 512

#endif
