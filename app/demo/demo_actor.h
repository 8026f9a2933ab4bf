/* demo_actor.h — what every process of a running demo carries: the
 * context the supervisor made (the panes' pipes, the report socket) and
 * the API table handed to demos. Shared by demo.c (which builds the
 * context before forking the leader, and reads the reports) and
 * demo_actor.c (which runs inside the demo's processes and threads). */
#ifndef SYSTOUR_DEMO_ACTOR_H
#define SYSTOUR_DEMO_ACTOR_H

#include "lesson_module.h"

#include <limits.h>
#include <sys/types.h>

/* Read-only once the leader is forked: no thread writes it. */
struct demo_ctx {
	int npanes;
	int pane_fd[DEMO_MAX_PANES];    /* write ends of the panes' pipes */
	int report_fd;                  /* our end of the report socket */
	pid_t supervisor;               /* the tutor */
	pid_t leader;                   /* the demo's leader (its group) */
	char scratch[PATH_MAX];
	int zh;                         /* the learner reads Chinese */
};

/* The table of functions demos call. */
extern const struct demo_api demo_api;

/* Make the leader's own actor: to_pane(ctx, 0, who). */
struct demo_actor *demo_actor_leader(struct demo_ctx *ctx, const char *who);

/* Reports go on a SOCK_SEQPACKET socket: one message each, never mixed
 * with another actor's, at most DEMO_REPORT_MAX bytes. An actor is named
 * in them by its TID and a number its process gives it (SEQ):
 *	A pane pid tid seq ino who
 *	                        a new actor; the supervisor's end of its gate
 *	                        (a socket pair) rides along (SCM_RIGHTS); ino
 *	                        is the inode of the actor's end
 *	S tid seq pane line     the actor reached a line (then waits at its
 *	                        gate for one byte)
 *	R tid seq               the actor is released: close its gate
 *	N pane text             a note about the demo, from pane's actor
 *	F pane name value       a figure, from pane's actor
 * Every report is sent after the actor wrote what it printed before, so
 * the supervisor can show it after that pane's earlier lines. */
#define DEMO_REPORT_MAX 512

#endif
